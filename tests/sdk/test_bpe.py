"""The byte-level BPE tokenizer templates (Kotlin and Swift) against Hugging Face ``tokenizers``.

Both templates are rendered with sdkgen's own Jinja environment, compiled once per module with the real compilers
together with a small driver each, and run on the same input files, one process for all tokenizers. For every
tokenizer of ``tokenizers_under_test`` and every string of ``corpus`` (more than 1,000 varied strings: prose, code,
whitespace runs, emoji, CJK, Arabic, combining marks, numbers, contractions, special tokens written in the text, the
empty string), the driver's ids must equal ``Tokenizer.encode(s, add_special_tokens=False).ids``, its ``decode`` (with
and without ``skipSpecial``) must equal ``Tokenizer.decode``, and its stream decoder must return, id by id, exactly
the complete characters decoded so far (``expected_chunks``), whose concatenation is the decoded text. Where
``tokenizers`` itself round-trips (no normalizer, no ``add_prefix_space``, no stripping or removing), the decoded
text must be the input. A sweep over code points (every one of planes 0-3 and 14, a sample of the rest) checks the
Unicode tables of the regexes, ``Digits`` and the added-token flags character by character (the ``sweep-*``
tokenizers get extra merges so that every classification shows in the ids, see ``with_context_merges``). Vocabulary
helpers (``vocabSize``, ``idToToken``, ``isSpecial``, ``tokenToId``) are compared for every id and token, and
unsupported ``tokenizer.json`` files must be rejected when the tokenizer is built (``rejected_configs``). Nothing is
excluded.

Driver protocol. Arguments: any number of ``<tokenizer.json> <input file> <output file>`` triples. Input lines are
ASCII; strings are JSON string literals with ``\\uXXXX`` escapes, so any text, newlines included, survives. When the
tokenizer cannot be built, the output is the single line ``ERR <message>``. Otherwise, per input line:

- ``E <json string>`` prints, separated by tabs: the ids (comma-separated), ``decode(ids)``, ``decode(ids, skipSpecial
  = true)``, and the stream decoder's outputs for each id followed by its ``finish()``, as a JSON array of strings,
  without and then with ``skipSpecial`` (strings as ASCII JSON literals)
- ``D <ids>`` (comma-separated) prints what ``E`` prints for these ids
- ``W <json string>`` prints only the ids (for the sweep)
- ``V`` prints ``vocabSize``
- ``I <id>`` prints ``idToToken(id)`` (a JSON string literal or ``null``), a tab, and ``isSpecial(id)``
- ``T <json string>`` prints ``tokenToId(token)`` or ``null``
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.sdk.corpus.bpe import ACCENTS, CJK, CODE, EMOJI, SCRIPTS, corpus, number, sentence
from sdkgen.sdk.render import TEMPLATES_ROOT, environment

ROOT = Path(__file__).resolve().parents[2]
TINY_LLM = ROOT / "samples" / "tiny-llm" / "model" / "tokenizer.json"
KOTLIN_TEMPLATE = (
    TEMPLATES_ROOT / "android/core/text-generation/src/main/kotlin/{{ package_path }}/BpeTokenizer.kt.jinja"
)
SWIFT_TEMPLATE = TEMPLATES_ROOT / "ios/core/text-generation/Sources/{{ module }}/BpeTokenizer.swift.jinja"
VIEW = {"package": "com.example.bpe", "sdkgen_version": "test"}
MIN_CORPUS = 1000

#: Runs a driver on ``(tokenizer.json, input file, output file)`` triples.
Driver = Callable[[list[tuple[Path, Path, Path]]], None]

#: The pre-tokenizer regexes of Llama 3 and Qwen 2 (tiktoken's cl100k pattern, and Qwen's with single digits).
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


# --------------------------------------------------------------------------------------------------
# inputs


#: Code points of the sweep: every one of planes 0-3 and 14 (all assigned characters), a sample of the rest.
SWEEP_CODE_POINTS = [
    cp
    for cp in [*range(0x40000), *range(0xE0000, 0xE1000), *range(0x40000, 0xE0000, 97), *range(0xE1000, 0x110000, 97)]
    if not 0xD800 <= cp <= 0xDFFF
]


def sweep(item: Callable[[str], str], per_string: int = 48) -> list[str]:
    """Every code point of ``SWEEP_CODE_POINTS`` in its ``item`` context, ``per_string`` of them per string."""
    items = [item(chr(cp)) for cp in SWEEP_CODE_POINTS]
    return ["".join(items[i : i + per_string]) for i in range(0, len(items), per_string)]


# --------------------------------------------------------------------------------------------------
# tokenizers


def _bytes_to_unicode() -> dict[str, int]:
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    chars = {b: chr(b) for b in printable}
    n = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + n)
            n += 1
    return {c: b for b, c in chars.items()}


#: GPT-2's byte characters: character → byte.
CHAR_BYTES = _bytes_to_unicode()


def _train(
    pre_tokenizer: pre_tokenizers.PreTokenizer,
    normalizer: normalizers.Normalizer | None,
    vocab_size: int,
    special: list[str],
    texts: list[str],
) -> dict:
    tokenizer = Tokenizer(models.BPE())
    if normalizer is not None:
        tokenizer.normalizer = normalizer
    tokenizer.pre_tokenizer = pre_tokenizer
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    return json.loads(tokenizer.to_str())


def training_texts() -> list[str]:
    """A small multilingual training corpus (so that merges also join the bytes of CJK, emoji, Arabic, ...)."""
    rng = random.Random(7)
    texts = [sentence(rng, 30) for _ in range(600)]
    texts += [
        "".join(rng.choice(pool) for _ in range(20)) for pool in [CJK, SCRIPTS, EMOJI, ACCENTS] for _ in range(60)
    ]
    texts += [rng.choice(CODE) for _ in range(200)] + [number(rng) for _ in range(200)]
    return texts


def _added(content: str, *, special: bool = True, **flags: bool) -> dict:
    token = {"content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": not special}
    return {"id": 0, **token, **flags, "special": special}


def _with_added(config: dict, tokens: list[dict]) -> dict:
    """``config`` plus ``tokens`` (ids are assigned as tokenizers assigns them when loading)."""
    added = list(config["added_tokens"])
    next_id = max([*config["model"]["vocab"].values(), *(t["id"] for t in added)]) + 1
    for token in tokens:
        added.append({**token, "id": next_id})
        next_id += 1
    return {**config, "added_tokens": added}


#: The characters around each swept code point in ``SWEEP_ITEM``, on its left and on its right (byte-level).
SWEEP_ITEM = "x{c}x {c}1{c}\t"
LEFT_CONTEXTS = ["x", "Ġ", "1"]
RIGHT_CONTEXTS = ["x", "1", "ĉ"]


def with_context_merges(config: dict) -> dict:
    """``config`` with merges, ranked before all others, of each context character of ``SWEEP_ITEM`` with every byte
    on its side. A swept character that ends up in the same pre-token as a context character then merges with it,
    so that how the regex (or ``Digits``) classifies the character always shows in the ids."""
    model = config["model"]
    vocab = dict(model["vocab"])
    assert sorted(vocab.values()) == list(range(len(vocab)))
    merges = [[ctx, b] for ctx in LEFT_CONTEXTS for b in CHAR_BYTES] + [
        [b, ctx] for ctx in RIGHT_CONTEXTS for b in CHAR_BYTES
    ]
    new = {tuple(m) for m in merges}
    merges += [m for m in model["merges"] if tuple(m) not in new]
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    added = []
    for token in config["added_tokens"]:  # numbered as tokenizers numbers them when it loads the file
        added.append({**token, "id": vocab.get(token["content"], len(vocab) + len(added))})
    return {**config, "added_tokens": added, "model": {**model, "vocab": vocab, "merges": merges}}


@dataclass(frozen=True)
class TokenizerCase:
    """A ``tokenizer.json`` to compare on, and which checks apply to it."""

    name: str
    config: dict
    #: whether decode(encode(s)) == s is expected for every corpus string (tokenizers itself round-trips)
    round_trips: bool
    #: whether the corpus is encoded (sweep variants only run the sweep)
    corpus: bool = True
    #: sweep strings, or none
    sweep: list[str] = field(default_factory=list)


#: Whole-word tokens added to the Llama 3 style vocabulary without merges: only ``ignore_merges`` reaches them
#: (" xylophone", " 😀", ...), and the last ones show in the ids whether a contraction was split off ("x'ſthe", ...).
WHOLE_WORDS = ["Ġxylophone", "Ġquizzical", "Ġzephyr", "Ġrhythm", "123", "ĠðŁĺĢ", "'Å¿the", "'Sthe", "'LLthe", "'Kthe"]


def tokenizers_under_test() -> list[TokenizerCase]:
    """(a) tiny-llm, as shipped; (b) Llama 3 style (Split with the Llama 3 regex, ``ignore_merges``, special tokens)
    and (c) Qwen 2 style (NFC, Qwen's regex), trained here in well under a second; variants of (a) that reach the
    other supported configurations (``Digits`` as in SmolLM, ``add_prefix_space``, every ``Split`` behavior and
    ``invert``, the rest of the regex syntax, ``unk_token`` with and without ``fuse_unk``, added tokens with
    ``lstrip``/``rstrip``/``single_word``/``normalized``); and the sweep tokenizers."""
    tiny = json.loads(TINY_LLM.read_text(encoding="utf-8"))
    texts = training_texts()
    llama3_split = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    llama3_special = ["<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>", "<|eot_id|>"]
    llama3 = _train(llama3_split, None, 3000, llama3_special, texts)
    llama3["model"]["ignore_merges"] = True  # as in Llama 3's tokenizer.json (training does not keep the flag)
    for word in WHOLE_WORDS:
        llama3["model"]["vocab"].setdefault(word, len(llama3["model"]["vocab"]))
    llama3 = _with_added(llama3, [_added("<|start_header_id|>"), _added("<|end_header_id|>")])

    qwen_split = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    qwen2 = _train(qwen_split, normalizers.NFC(), 2500, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], texts)
    # A non-special added token, matched after NFC as its NFC form, and decoded from it.
    qwen2 = _with_added(qwen2, [_added("Cafe\u0301 <b>", special=False)])

    smollm = {
        **tiny,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Digits", "individual_digits": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            ],
        },
    }
    # GPT-2 style add_prefix_space, and merges in the older "a b" string form.
    legacy_merges = [" ".join(m) for m in tiny["model"]["merges"]]
    prefix = {
        **tiny,
        "pre_tokenizer": {**tiny["pre_tokenizer"], "add_prefix_space": True},
        "model": {**tiny["model"], "merges": legacy_merges},
    }
    behaviors = {
        **tiny,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "[,;]"}, "behavior": "Removed", "invert": False},
                {"type": "Split", "pattern": {"Regex": r"\s+"}, "behavior": "MergedWithNext", "invert": False},
                {"type": "Split", "pattern": {"String": "."}, "behavior": "MergedWithPrevious", "invert": False},
                {"type": "Split", "pattern": {"Regex": r"\p{N}"}, "behavior": "Contiguous", "invert": False},
                {"type": "Split", "pattern": {"Regex": r"\p{L}+?"}, "behavior": "Isolated", "invert": True},
                {"type": "Digits", "individual_digits": False},
                {"type": "Split", "pattern": {"Regex": r"x*"}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
    }
    syntax = {
        **tiny,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                *(
                    {"type": "Split", "pattern": {"Regex": pattern}, "behavior": behavior, "invert": False}
                    for pattern, behavior in [
                        (r"\x{20}+|\u00e9|\x41|\e|\a|\f|\v", "Isolated"),
                        (r"(?=\p{N})\p{N}{2,}", "Isolated"),
                        (r"(?:ab)??c", "MergedWithNext"),
                        (r"[^\s\p{N}a-f\-\.\[]+", "Isolated"),
                        (r"\P{L}++|(?:'|’)(?i:s|t|re)?", "Isolated"),
                    ]
                ),
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ],
        },
    }
    # Without the tokens of bytes 0 and 1 (no merge uses them): unk_token, fused or not.
    unk_vocab = {t: i for t, i in tiny["model"]["vocab"].items() if t not in ("Ā", "ā")}
    unk = {**tiny, "model": {**tiny["model"], "vocab": unk_vocab, "unk_token": "<|endoftext|>", "fuse_unk": False}}
    fused = {**unk, "model": {**unk["model"], "fuse_unk": True}}
    flags = _with_added(
        tiny,
        [
            _added("<mask>", lstrip=True),
            _added("<sep>", rstrip=True),
            _added("§§", special=False, single_word=True, normalized=False),
            _added("[[tool]]", special=False, lstrip=True, rstrip=True),
            _added("<|im_start|>"),
            _added("<|im_end|>", special=False),
        ],
    )
    regex_sweep = sweep(lambda c: SWEEP_ITEM.format(c=c))
    return [
        TokenizerCase("tiny-llm", tiny, True),
        TokenizerCase("llama3-style", llama3, True),
        TokenizerCase("qwen2-style", qwen2, False),
        TokenizerCase("tiny-llm-smollm-digits", smollm, True),
        TokenizerCase("tiny-llm-prefix-space", prefix, False),
        TokenizerCase("tiny-llm-split-behaviors", behaviors, False),
        TokenizerCase("tiny-llm-regex-syntax", syntax, True),
        TokenizerCase("tiny-llm-unk", unk, False),
        TokenizerCase("tiny-llm-unk-fused", fused, False),
        TokenizerCase("tiny-llm-token-flags", flags, False, sweep=sweep(lambda c: f"{c}§§ §§{c}<mask>{c}<sep>{c}", 32)),
        TokenizerCase("sweep-gpt2-regex", with_context_merges(tiny), False, corpus=False, sweep=regex_sweep),
        TokenizerCase("sweep-llama3-regex", with_context_merges(llama3), False, corpus=False, sweep=regex_sweep),
        TokenizerCase("sweep-digits", with_context_merges(smollm), False, corpus=False, sweep=regex_sweep),
    ]


def rejected_configs() -> list[tuple[str, dict, str]]:
    """``tokenizer.json`` files the tokenizer must refuse, with a word its message must contain."""
    tiny = json.loads(TINY_LLM.read_text(encoding="utf-8"))

    def split(pattern: str) -> dict:
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
        step = {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False}
        return {**tiny, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [step, byte_level]}}

    return [
        ("wordpiece", {**tiny, "model": {**tiny["model"], "type": "WordPiece"}}, "WordPiece"),
        ("no-byte-level", {**tiny, "pre_tokenizer": {"type": "Whitespace"}}, "ByteLevel"),
        ("no-pre-tokenizer", {**tiny, "pre_tokenizer": None}, "ByteLevel"),
        ("lowercase", {**tiny, "normalizer": {"type": "Lowercase"}}, "Lowercase"),
        ("byte-fallback", {**tiny, "model": {**tiny["model"], "byte_fallback": True}}, "byte_fallback"),
        ("metaspace-decoder", {**tiny, "decoder": {"type": "Metaspace"}}, "decoder"),
        ("regex-digit-class", split(r"\d+|\s+"), "\\d"),
        ("regex-lookbehind", split(r"(?<=a)b"), "group"),
        ("regex-backreference", split(r"(a)\1"), "\\1"),
        ("regex-group-plus", split(r"(?:ab)+"), "quantifier"),
        ("regex-case-insensitive-non-ascii", split(r"(?i:é)"), "case-insensitive"),
        ("regex-case-insensitive-ss", split(r"(?i:class)"), "multi-character"),
        ("regex-dot", split(r"a.c"), "."),
        ("model-not-an-object", {**tiny, "model": "BPE"}, "model"),
    ]


# --------------------------------------------------------------------------------------------------
# reference


def token_bytes(tokenizer: Tokenizer) -> tuple[list[bytes | None], list[bool]]:
    """Per id: the bytes of its token as the ByteLevel decoder takes them (None for no token), and whether it is a
    special token."""
    special = {t.content for t in tokenizer.get_added_tokens_decoder().values() if t.special}
    size = max(tokenizer.get_vocab(with_added_tokens=True).values()) + 1
    data: list[bytes | None] = []
    is_special = []
    for i in range(size):
        token = tokenizer.id_to_token(i)
        if token is None:
            data.append(None)
        elif all(c in CHAR_BYTES for c in token):
            data.append(bytes(CHAR_BYTES[c] for c in token))
        else:
            data.append(token.encode("utf-8"))
        is_special.append(token in special)
    return data, is_special


def expected_chunks(data: list[bytes | None], is_special: list[bool], ids: list[int], skip: bool) -> list[str]:
    """What a stream decoder returns for each id, then at the end: the bytes of the tokens decoded incrementally as
    the WHATWG UTF-8 decoder does, one U+FFFD per maximal invalid subpart (as Rust's ``from_utf8_lossy``, which the
    callers check against ``Tokenizer.decode``), written as soon as the subpart is known to be invalid, while the
    bytes of an incomplete character are held back. (Python's incremental decoder holds some invalid bytes back
    longer, such as ED A0..BF, which it treats as the start of a surrogate.)"""
    chunks = []
    need = code = 0
    lower, upper = 0x80, 0xBF
    for i in ids:
        token = b"" if i >= len(data) or (skip and is_special[i]) else data[i] or b""
        if need == 0 and token.isascii():
            chunks.append(token.decode("ascii"))
            continue
        out = []
        for b in token:
            if need:
                if lower <= b <= upper:
                    code, need, lower, upper = code << 6 | b & 0x3F, need - 1, 0x80, 0xBF
                    if need == 0:
                        out.append(chr(code))
                    continue
                need = 0
                out.append("\ufffd")
            if b < 0x80:
                out.append(chr(b))
            elif 0xC2 <= b <= 0xDF:
                need, code, lower, upper = 1, b & 0x1F, 0x80, 0xBF
            elif 0xE0 <= b <= 0xEF:
                need, code, lower, upper = 2, b & 0x0F, 0xA0 if b == 0xE0 else 0x80, 0x9F if b == 0xED else 0xBF
            elif 0xF0 <= b <= 0xF4:
                need, code, lower, upper = 3, b & 0x07, 0x90 if b == 0xF0 else 0x80, 0x8F if b == 0xF4 else 0xBF
            else:
                out.append("\ufffd")
        chunks.append("".join(out))
    chunks.append("\ufffd" if need else "")
    return chunks


@dataclass(frozen=True)
class Run:
    """One tokenizer: its file, the driver's input, and the expected output lines."""

    name: str
    tokenizer_file: Path
    input_file: Path
    lines: list[str]  # the input lines
    expected: list[object]  # see parse
    #: corpus strings, for the round-trip check (None when tokenizers itself does not round-trip)
    round_trip_texts: list[str] | None
    #: for a rejected tokenizer: a word the error message must contain
    error_word: str | None = None


def _json(s: str) -> str:
    return json.dumps(s, ensure_ascii=True)


def encode_lines(tokenizer: Tokenizer, texts: list[str], sweep_texts: list[str]) -> tuple[list[str], list[object]]:
    """Input lines and expected results (see ``parse``) for the ``E`` command on ``texts`` and the ``W`` command on
    ``sweep_texts``."""
    data, is_special = token_bytes(tokenizer)
    ids = [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
    decoded = tokenizer.decode_batch(ids, skip_special_tokens=False)
    decoded_skip = tokenizer.decode_batch(ids, skip_special_tokens=True)
    lines: list[str] = []
    expected: list[object] = []
    for text, i, d, ds in zip(texts, ids, decoded, decoded_skip, strict=True):
        chunks = expected_chunks(data, is_special, i, False)
        chunks_skip = expected_chunks(data, is_special, i, True)
        assert "".join(chunks) == d and "".join(chunks_skip) == ds, f"reference stream decoding of {text!r}"
        lines.append(f"E {_json(text)}")
        expected.append((",".join(map(str, i)), [d, ds, chunks, chunks_skip]))
    for encoding, text in zip(tokenizer.encode_batch(sweep_texts, add_special_tokens=False), sweep_texts, strict=True):
        lines.append(f"W {_json(text)}")
        expected.append(",".join(map(str, encoding.ids)))
    return lines, expected


def parse(command: str, line: str) -> object:
    """A driver's output line for ``command``, in the form ``encode_lines`` and ``vocab_lines`` expect."""
    if command[0] in "ED":
        ids, rest = line.split("\t", 1)
        return ids, json.loads("[" + rest.replace("\t", ",") + "]")
    if command[0] == "I":
        token, special = line.split("\t")
        return json.loads(token), special
    return line


def decode_lines(tokenizer: Tokenizer, count: int = 400) -> tuple[list[str], list[object]]:
    """Input lines and expected results for the ``D`` command: random id sequences, as a model may generate them,
    mostly of single high bytes (so that UTF-8 sequences are split, incomplete or invalid), with special tokens and
    ids that are no token's."""
    data, is_special = token_bytes(tokenizer)
    byte_ids = {b: tokenizer.token_to_id(c) for c, b in CHAR_BYTES.items() if tokenizer.token_to_id(c) is not None}
    high = [i for b, i in byte_ids.items() if b >= 0x80]
    pools = [high, high, high, list(byte_ids.values()), list(range(len(data) + 3))]
    pools.append([i for i in range(len(data)) if is_special[i]] or high)
    rng = random.Random(len(data))
    sequences = [[rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 24))] for _ in range(count)]
    decoded = tokenizer.decode_batch(sequences, skip_special_tokens=False)
    decoded_skip = tokenizer.decode_batch(sequences, skip_special_tokens=True)
    lines: list[str] = []
    expected: list[object] = []
    for ids, d, ds in zip(sequences, decoded, decoded_skip, strict=True):
        chunks = expected_chunks(data, is_special, ids, False)
        chunks_skip = expected_chunks(data, is_special, ids, True)
        assert "".join(chunks) == d and "".join(chunks_skip) == ds, f"reference stream decoding of {ids}"
        lines.append("D " + ",".join(map(str, ids)))
        expected.append((",".join(map(str, ids)), [d, ds, chunks, chunks_skip]))
    return lines, expected


def vocab_lines(tokenizer: Tokenizer) -> tuple[list[str], list[object]]:
    """Input lines and expected results for ``V``, ``I`` and ``T``: every id (and a few that are none), every token
    (and a few that are none)."""
    special = {t.content for t in tokenizer.get_added_tokens_decoder().values() if t.special}
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    lines: list[str] = ["V"]
    expected: list[object] = [str(tokenizer.get_vocab_size(with_added_tokens=True))]
    for i in range(-1, max(vocab.values()) + 3):
        token = tokenizer.id_to_token(i) if i >= 0 else None
        lines.append(f"I {i}")
        expected.append((token, str(token in special).lower()))
    for token in [*sorted(vocab), "", "not a token", "<|endoftext", "Ġ" * 40]:
        found = tokenizer.token_to_id(token)
        lines.append(f"T {_json(token)}")
        expected.append("null" if found is None else str(found))
    return lines, expected


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Run]:
    folder = tmp_path_factory.mktemp("bpe")
    texts = corpus()
    assert len(texts) >= MIN_CORPUS
    result = []
    for case in tokenizers_under_test():
        tokenizer_file = folder / f"{case.name}.json"
        tokenizer_file.write_text(json.dumps(case.config, ensure_ascii=False), encoding="utf-8")
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        lines, expected = encode_lines(tokenizer, texts if case.corpus else [], case.sweep)
        decode_in, decode_out = decode_lines(tokenizer) if case.corpus else ([], [])
        vocab_in, vocab_out = vocab_lines(tokenizer)
        lines, expected = lines + decode_in + vocab_in, expected + decode_out + vocab_out
        input_file = folder / f"{case.name}-input.txt"
        input_file.write_text("".join(line + "\n" for line in lines), encoding="ascii")
        result.append(Run(case.name, tokenizer_file, input_file, lines, expected, texts if case.round_trips else None))
    for name, config, word in rejected_configs():
        tokenizer_file = folder / f"rejected-{name}.json"
        tokenizer_file.write_text(json.dumps(config), encoding="utf-8")
        input_file = folder / f"rejected-{name}-input.txt"
        input_file.write_text('E "a"\n', encoding="ascii")
        result.append(Run(f"rejected-{name}", tokenizer_file, input_file, [], [], None, word))
    return result


def check(language: str, driver: Driver, runs: list[Run], out_dir: Path) -> None:
    """Runs the driver on every run and fails with the first differences, if any. Nothing is excluded."""
    outputs = [out_dir / f"{language}-{run.name}-output.txt" for run in runs]
    started = time.monotonic()
    driver([(run.tokenizer_file, run.input_file, output) for run, output in zip(runs, outputs, strict=True)])
    print(f"{language}: driver ran {time.monotonic() - started:.1f}s for {len(runs)} tokenizers")
    report = []
    for run, output in zip(runs, outputs, strict=True):
        got = output.read_text(encoding="utf-8").split("\n")
        assert got[-1] == "", "the driver's output must end with a line break"
        got = got[:-1]
        if run.error_word is not None:
            ok = len(got) == 1 and got[0].startswith("ERR ") and run.error_word in got[0]
            print(f"{language} {run.name}: {got[0] if got else '(nothing)'}")
            if not ok:
                report.append(f"{language} {run.name}: expected an error naming {run.error_word!r}, got {got[:3]}")
            continue
        if got[:1] and got[0].startswith("ERR "):
            report.append(f"{language} {run.name}: the tokenizer was rejected: {got[0]}")
            continue
        assert len(got) == len(run.lines), f"{language} printed {len(got)} lines for {len(run.lines)} commands"
        parsed = [parse(command, line) for command, line in zip(run.lines, got, strict=True)]
        mismatches = [(c, w, h) for c, w, h in zip(run.lines, run.expected, parsed, strict=True) if w != h]
        kinds = {kind: sum(1 for line in run.lines if line[0] == kind) for kind in "EWD"}
        print(
            f"{language} {run.name}: {kinds['E']} strings, {kinds['W']} sweep strings, {kinds['D']} id sequences, "
            f"{len(run.lines) - sum(kinds.values())} vocabulary queries, {len(mismatches)} differ"
        )
        if mismatches:
            report.append(f"{len(mismatches)} of {len(run.lines)} {language} results differ for {run.name}:")
            for command, want, have in mismatches[:8]:
                report.append(
                    f"  {command[:200]}\n    tokenizers: {str(want)[:400]}\n    {language}: {str(have)[:400]}"
                )
        if run.round_trip_texts is not None:
            decoded = [result[1][0] for result in parsed[: len(run.round_trip_texts)]]
            bad = [t for t, d in zip(run.round_trip_texts, decoded, strict=True) if t != d]
            if bad:
                report.append(f"{language} {run.name}: decode(encode(s)) != s for {len(bad)} strings, e.g. {bad[:3]}")
    if report:
        pytest.fail("\n".join(report))


def _run(argv: list[str], timeout: float = 300) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        pytest.fail(f"{argv[0]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _render(template: Path) -> str:
    """The template rendered as sdkgen renders it (strict undefined names, trailing newline kept)."""
    return environment(TEMPLATES_ROOT).get_template(template.relative_to(TEMPLATES_ROOT).as_posix()).render(**VIEW)


def _triples(triples: list[tuple[Path, Path, Path]]) -> list[str]:
    return [str(p) for triple in triples for p in triple]


# --------------------------------------------------------------------------------------------------
# Kotlin


KOTLIN_DRIVER = r"""
import com.example.bpe.BpeTokenizer
import java.io.File

fun jsonString(s: String, from: Int): String {
    require(s[from] == '"' && s.last() == '"') { "not a JSON string: $s" }
    val out = StringBuilder()
    var i = from + 1
    while (i < s.length - 1) {
        val c = s[i++]
        if (c != '\\') {
            out.append(c)
            continue
        }
        when (val e = s[i++]) {
            'n' -> out.append('\n')
            't' -> out.append('\t')
            'r' -> out.append('\r')
            'b' -> out.append('\b')
            'f' -> out.append('\u000C')
            'u' -> {
                out.append(s.substring(i, i + 4).toInt(16).toChar())
                i += 4
            }
            else -> out.append(e)
        }
    }
    return out.toString()
}

fun json(s: String?): String {
    if (s == null) return "null"
    val out = StringBuilder("\"")
    for (c in s) {
        when {
            c == '"' -> out.append("\\\"")
            c == '\\' -> out.append("\\\\")
            c.code < 0x20 || c.code >= 0x7F -> out.append("\\u%04x".format(c.code))
            else -> out.append(c)
        }
    }
    return out.append('"').toString()
}

fun stream(tokenizer: BpeTokenizer, ids: IntArray, skipSpecial: Boolean): String {
    val decoder = tokenizer.streamDecoder(skipSpecial)
    val chunks = ids.map { decoder.push(it) } + decoder.finish()
    return chunks.joinToString(",", "[", "]") { json(it) }
}

fun main(args: Array<String>) {
    for (k in args.indices step 3) {
        File(args[k + 2]).bufferedWriter(Charsets.UTF_8).use { out ->
            val tokenizer = try {
                BpeTokenizer.fromJson(File(args[k]).readText(Charsets.UTF_8))
            } catch (e: IllegalArgumentException) {
                out.write("ERR " + e.message!!.replace('\n', ' ') + "\n")
                return@use
            }
            File(args[k + 1]).forEachLine(Charsets.US_ASCII) { line ->
                when (line[0]) {
                    'E', 'D' -> {
                        val ids = if (line[0] == 'E') {
                            tokenizer.encode(jsonString(line, 2))
                        } else {
                            line.substring(2).split(',').filter { it.isNotEmpty() }.map { it.toInt() }.toIntArray()
                        }
                        out.write(ids.joinToString(","))
                        out.write("\t" + json(tokenizer.decode(ids)))
                        out.write("\t" + json(tokenizer.decode(ids, skipSpecial = true)))
                        out.write("\t" + stream(tokenizer, ids, false))
                        out.write("\t" + stream(tokenizer, ids, true))
                    }
                    'W' -> out.write(tokenizer.encode(jsonString(line, 2)).joinToString(","))
                    'V' -> out.write(tokenizer.vocabSize.toString())
                    'I' -> {
                        val id = line.substring(2).toInt()
                        out.write(json(tokenizer.idToToken(id)) + "\t" + tokenizer.isSpecial(id))
                    }
                    else -> out.write(tokenizer.tokenToId(jsonString(line, 2))?.toString() ?: "null")
                }
                out.write("\n")
            }
        }
    }
}
"""


@pytest.fixture(scope="module")
def kotlin_driver(tmp_path_factory: pytest.TempPathFactory) -> Driver:
    compiler = find_kotlin_compiler()
    if compiler is None:
        pytest.skip("no Kotlin compiler found (pip install kotlin-jupyter-kernel, or install kotlinc)")
    work = tmp_path_factory.mktemp("bpe-kotlin")
    (work / "BpeTokenizer.kt").write_text(_render(KOTLIN_TEMPLATE), encoding="utf-8")
    (work / "Main.kt").write_text(KOTLIN_DRIVER, encoding="utf-8")
    result = compile_kotlin([work / "BpeTokenizer.kt", work / "Main.kt"], work / "out", compiler=compiler)
    if not result.ok:
        pytest.fail(f"the Kotlin tokenizer does not compile:\n{result.diagnostics}")
    assert not result.warnings, "\n".join(result.warnings)
    assert compiler.java is not None
    classpath = ":".join(str(p) for p in [work / "out", *compiler.compile_classpath()])

    def run(triples: list[tuple[Path, Path, Path]]) -> None:
        _run([str(compiler.java), "-cp", classpath, "MainKt", *_triples(triples)])

    return run


def test_kotlin_matches_tokenizers(kotlin_driver: Driver, runs: list[Run], tmp_path: Path) -> None:
    check("kotlin", kotlin_driver, runs, tmp_path)


# --------------------------------------------------------------------------------------------------
# Swift


SWIFT_MANIFEST = """// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "BpeCheck",
    targets: [
        // Optimized as in an app's release build: the debug build runs the sweeps eight times slower.
        .target(name: "Bpe", swiftSettings: [.unsafeFlags(["-O"])]),
        .executableTarget(name: "BpeDriver", dependencies: ["Bpe"], swiftSettings: [.unsafeFlags(["-O"])]),
    ]
)
"""

SWIFT_DRIVER = r"""
import Bpe
import Foundation

func jsonString(_ s: ArraySlice<UInt8>) -> String {
    precondition(s.first == UInt8(ascii: "\"") && s.last == UInt8(ascii: "\""))
    var units: [UInt16] = []
    var i = s.startIndex + 1
    let end = s.endIndex - 1
    while i < end {
        let c = s[i]
        i += 1
        if c != UInt8(ascii: "\\") {
            units.append(UInt16(c))
            continue
        }
        let e = s[i]
        i += 1
        switch e {
        case UInt8(ascii: "n"): units.append(0x0A)
        case UInt8(ascii: "t"): units.append(0x09)
        case UInt8(ascii: "r"): units.append(0x0D)
        case UInt8(ascii: "b"): units.append(0x08)
        case UInt8(ascii: "f"): units.append(0x0C)
        case UInt8(ascii: "u"):
            units.append(UInt16(String(decoding: s[i..<(i + 4)], as: UTF8.self), radix: 16)!)
            i += 4
        default: units.append(UInt16(e))
        }
    }
    return String(decoding: units, as: UTF16.self)
}

func json(_ s: String?) -> String {
    guard let s else { return "null" }
    var out = "\""
    for unit in s.utf16 {
        switch unit {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
        default:
            let hex = String(unit, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
    return out + "\""
}

func stream(_ tokenizer: BpeTokenizer, _ ids: [Int32], skipSpecial: Bool) -> String {
    var decoder = tokenizer.streamDecoder(skipSpecial: skipSpecial)
    let chunks = ids.map { decoder.push($0) } + [decoder.finish()]
    return "[" + chunks.map(json).joined(separator: ",") + "]"
}

let args = CommandLine.arguments
for k in stride(from: 1, to: args.count, by: 3) {
    var out = ""
    do {
        let tokenizer = try BpeTokenizer(json: try String(contentsOfFile: args[k], encoding: .utf8))
        let input = [UInt8](try Data(contentsOf: URL(fileURLWithPath: args[k + 1])))
        for line in input.split(separator: UInt8(ascii: "\n")) {
            switch line.first {
            case UInt8(ascii: "E"), UInt8(ascii: "D"):
                let ids = line.first == UInt8(ascii: "E")
                    ? tokenizer.encode(jsonString(line.dropFirst(2)))
                    : String(decoding: line.dropFirst(2), as: UTF8.self).split(separator: ",").map { Int32($0)! }
                out += ids.map(String.init).joined(separator: ",")
                out += "\t" + json(tokenizer.decode(ids))
                out += "\t" + json(tokenizer.decode(ids, skipSpecial: true))
                out += "\t" + stream(tokenizer, ids, skipSpecial: false)
                out += "\t" + stream(tokenizer, ids, skipSpecial: true)
            case UInt8(ascii: "W"):
                out += tokenizer.encode(jsonString(line.dropFirst(2))).map(String.init).joined(separator: ",")
            case UInt8(ascii: "V"):
                out += String(tokenizer.vocabSize)
            case UInt8(ascii: "I"):
                let id = Int32(String(decoding: line.dropFirst(2), as: UTF8.self))!
                out += json(tokenizer.idToToken(id)) + "\t" + String(tokenizer.isSpecial(id))
            default:
                out += tokenizer.tokenToId(jsonString(line.dropFirst(2))).map { String($0) } ?? "null"
            }
            out += "\n"
        }
    } catch let error as BpeTokenizerError {
        out = "ERR " + error.description.replacingOccurrences(of: "\n", with: " ") + "\n"
    }
    try out.write(toFile: args[k + 2], atomically: false, encoding: .utf8)
}
"""


@pytest.fixture(scope="module")
def swift_driver(tmp_path_factory: pytest.TempPathFactory) -> Driver:
    toolchain = find_swift()
    if toolchain is None:
        pytest.skip("no Swift toolchain found (swift on PATH, $SWIFT_HOME or /opt/swift)")
    work = tmp_path_factory.mktemp("bpe-swift")
    package = work / "BpeCheck"
    (package / "Sources/Bpe").mkdir(parents=True)
    (package / "Sources/BpeDriver").mkdir(parents=True)
    (package / "Package.swift").write_text(SWIFT_MANIFEST, encoding="utf-8")
    (package / "Sources/Bpe/BpeTokenizer.swift").write_text(_render(SWIFT_TEMPLATE), encoding="utf-8")
    (package / "Sources/BpeDriver/main.swift").write_text(SWIFT_DRIVER, encoding="utf-8")
    result = build_swift_package(package, build_tests=False, scratch_dir=work / "build", warnings_as_errors=True)
    if not result.ok:
        pytest.fail(f"the Swift tokenizer does not build:\n{result.output[-5000:]}")
    executable = work / "build" / "debug" / "BpeDriver"

    def run(triples: list[tuple[Path, Path, Path]]) -> None:
        _run([str(executable), *_triples(triples)])

    return run


def test_swift_matches_tokenizers(swift_driver: Driver, runs: list[Run], tmp_path: Path) -> None:
    check("swift", swift_driver, runs, tmp_path)
