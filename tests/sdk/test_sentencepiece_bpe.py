"""The SentencePiece-style BPE of the tokenizer templates (Kotlin and Swift) against Hugging Face ``tokenizers``.

The same drivers, corpus and comparison as ``test_bpe.py`` (see its docstring for the protocol), on tokenizers of the
Llama 2 / TinyLlama / Mistral form: no ``ByteLevel``, the ``▁`` word marker from a ``Prepend``/``Replace`` normalizer
or a ``Metaspace`` pre-tokenizer, BPE from characters with ``byte_fallback`` (characters outside the vocabulary become
``<0xXX>`` tokens) or ``unk_token`` (fused or not), and decoders made of ``Replace``, ``Metaspace``, ``ByteFallback``,
``Fuse`` and ``Strip``. They are trained here with ``tokenizers`` on a small text with a limited alphabet (so that
emoji, CJK, Arabic, control characters and most accents are outside the vocabulary), and two are SentencePiece models
trained with ``sentencepiece`` and converted by transformers' ``SpmConverter``, as a checkpoint's ``tokenizer.json``
is. Ids and ``decode`` (with and without ``skipSpecial``) must equal ``tokenizers`` for every corpus string and for
random id sequences, and the stream decoder must return what ``stream_chunks`` (below) gives; its concatenation is
checked against ``Tokenizer.decode`` wherever every run of byte tokens is valid UTF-8."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from tests.sdk.test_bpe import (
    Driver,
    Run,
    _added,
    _json,
    _with_added,
    check,
    corpus,
    kotlin_driver,
    sweep,
    swift_driver,
    training_texts,
    vocab_lines,
)

__all__ = ["kotlin_driver", "swift_driver"]  # the drivers of test_bpe.py, as fixtures of this module

SPECIAL = ["<unk>", "<s>", "</s>"]
BYTE_TOKENS = [f"<0x{b:02X}>" for b in range(256)]
LLAMA_DECODER = decoders.Sequence(
    [decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
)


def _train(
    normalizer: normalizers.Normalizer | None,
    pre_tokenizer: pre_tokenizers.PreTokenizer | None,
    decoder: decoders.Decoder,
    *,
    byte_fallback: bool = True,
    fuse_unk: bool = True,
    vocab_size: int = 1500,
) -> dict:
    """A BPE trained on ``training_texts`` with at most 120 characters in its alphabet; the 256 ``<0xXX>`` tokens
    follow the special tokens (ids 3 to 258), as in Llama 2's vocabulary."""
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=fuse_unk, byte_fallback=byte_fallback))
    if normalizer is not None:
        tokenizer.normalizer = normalizer
    if pre_tokenizer is not None:
        tokenizer.pre_tokenizer = pre_tokenizer
    tokenizer.decoder = decoder
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL, limit_alphabet=120, show_progress=False
    )
    tokenizer.train_from_iterator(training_texts(), trainer)
    config = json.loads(tokenizer.to_str())
    trained = sorted(config["model"]["vocab"].items(), key=lambda item: item[1])
    order = SPECIAL + BYTE_TOKENS + [t for t, _ in trained if t not in SPECIAL and t not in BYTE_TOKENS]
    vocab = {t: i for i, t in enumerate(order)}
    config["model"]["vocab"] = vocab
    config["added_tokens"] = [{**t, "id": vocab[t["content"]]} for t in config["added_tokens"]]
    return config


def _spm(folder: Path, *, legacy: bool = True, **options: object) -> dict:
    """A SentencePiece BPE model with byte fallback trained on ``training_texts``, as transformers converts it."""
    import sentencepiece as spm
    from transformers.convert_slow_tokenizer import SpmConverter, import_protobuf

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_texts()),
        model_writer=model,
        vocab_size=1200,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=0.98,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
        hard_vocab_limit=False,
        normalization_rule_name="identity",
        **options,
    )
    proto = import_protobuf().ModelProto()
    proto.ParseFromString(model.getvalue())
    vocab = {p.piece: i for i, p in enumerate(proto.pieces)}
    path = folder / "converted.json"
    SpmConverter.build_tokenizer_from_spm_proto(proto, vocab, legacy=legacy).save(str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def tokenizers_under_test(folder: Path) -> list[tuple[str, dict, bool]]:
    """(name, ``tokenizer.json``, whether the code-point sweep runs on it)."""
    legacy = _train(
        normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")]),
        None,
        LLAMA_DECODER,
    )
    legacy = _with_added(legacy, [_added("<|im_start|>"), _added("<|im_end|>"), _added("<mask>", lstrip=True)])
    first = _train(
        None,
        pre_tokenizers.Metaspace(prepend_scheme="first", split=False),
        decoders.Sequence([decoders.Metaspace(prepend_scheme="first"), decoders.ByteFallback(), decoders.Fuse()]),
    )
    first = _with_added(first, [_added("<|im_start|>"), _added("<sep>", rstrip=True)])
    always = _train(
        normalizers.NFC(),
        pre_tokenizers.Metaspace(prepend_scheme="always", split=True),
        decoders.Sequence([decoders.Metaspace(prepend_scheme="always"), decoders.ByteFallback(), decoders.Fuse()]),
    )
    never = _train(
        None,
        pre_tokenizers.Metaspace(prepend_scheme="never", split=True),
        decoders.Sequence([decoders.ByteFallback(), decoders.Fuse(), decoders.Replace("\u2581", " ")]),
    )
    unk = _train(
        normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")]),
        None,
        LLAMA_DECODER,
        byte_fallback=False,
        fuse_unk=False,
    )
    unk_fused = {**unk, "model": {**unk["model"], "fuse_unk": True}}
    # Byte fallback with some byte tokens missing: characters with such a byte become <unk> (fused), and a pending
    # <unk> goes after the byte tokens of the characters that follow it, as tokenizers does.
    holes = {**legacy, "model": {**legacy["model"], "vocab": dict(legacy["model"]["vocab"])}}
    for b in (0x80, 0x8F, 0xA4, 0xE4, 0xF0):
        del holes["model"]["vocab"][f"<0x{b:02X}>"]
    spm_default = _spm(folder)  # remove_extra_whitespaces: Replace regexes; add_dummy_prefix: Metaspace "first"
    spm_plain = _spm(folder, remove_extra_whitespaces=False)
    spm_first = _spm(folder, legacy=False)  # as tests/models/tiny.py converts it: Metaspace "first"
    return [
        ("llama2-legacy", legacy, True),
        ("metaspace-first", first, False),
        ("metaspace-always-split-nfc", always, False),
        ("metaspace-never-split", never, False),
        ("unk", unk, False),
        ("unk-fused", unk_fused, False),
        ("byte-fallback-holes", holes, False),
        ("spm-converted", spm_default, True),
        ("spm-converted-plain", spm_plain, False),
        ("spm-converted-not-legacy", spm_first, False),
    ]


def rejected_configs(folder: Path) -> list[tuple[str, dict, str]]:
    """SentencePiece-style ``tokenizer.json`` files the tokenizer must refuse, with a word its message must contain."""
    base = json.loads((folder / "llama2-legacy.json").read_text(encoding="utf-8"))
    steps = base["decoder"]["decoders"]

    def decoder(*chosen: dict) -> dict:
        return {**base, "decoder": {"type": "Sequence", "decoders": list(chosen)}}

    replace, fallback, fuse, strip = steps
    return [
        ("sp-lowercase", {**base, "normalizer": {"type": "Lowercase"}}, "Lowercase"),
        ("sp-nfkc", {**base, "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}]}}, "NFKC"),
        ("sp-split", {**base, "pre_tokenizer": {"type": "Whitespace"}}, "Metaspace"),
        ("sp-strip-stop", decoder(replace, fallback, fuse, {**strip, "stop": 1}), "stop"),
        ("sp-strip-before-fuse", decoder(replace, fallback, strip, fuse), "Strip"),
        ("sp-byte-level-decoder", decoder({"type": "ByteLevel"}), "ByteLevel"),
        ("sp-no-decoder", {**base, "decoder": None}, "decoder"),
        ("sp-metaspace-after-fallback", decoder(fallback, {"type": "Metaspace", "replacement": "\u2581"}), "Metaspace"),
        ("sp-replace-regex", decoder({**replace, "pattern": {"Regex": "\u2581+"}}, fallback, fuse), "Replace"),
        ("sp-dropout", {**base, "model": {**base["model"], "dropout": 0.1}}, "dropout"),
        ("sp-suffix", {**base, "model": {**base["model"], "end_of_word_suffix": "</w>"}}, "end_of_word_suffix"),
    ]


# --------------------------------------------------------------------------------------------------
# reference


def _fallback_byte(token: str) -> int | None:
    """The byte ``tokenizers``' ``ByteFallback`` reads in ``token`` (Rust's ``u8::from_str_radix`` of its middle)."""
    if len(token.encode()) != 6 or not token.startswith("<0x") or not token.endswith(">"):
        return None
    middle = token[3:5]
    digits = middle[1:] if middle[0] == "+" else middle
    if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None
    return int(digits, 16)


class _PerByteUtf8:
    """Incremental UTF-8 decoding that holds back an incomplete character and writes one U+FFFD per byte of an
    invalid sequence (``ByteFallback``'s replacement, applied as the bytes come)."""

    def __init__(self) -> None:
        self.held: list[int] = []
        self.need = 0
        self.lower, self.upper = 0x80, 0xBF

    def push(self, b: int) -> str:
        out = ""
        if self.need:
            if self.lower <= b <= self.upper:
                self.held.append(b)
                self.need -= 1
                self.lower, self.upper = 0x80, 0xBF
                if self.need == 0:
                    out, self.held = bytes(self.held).decode("utf-8"), []
                return out
            out, self.held, self.need = "\ufffd" * len(self.held), [], 0
        if b < 0x80:
            return out + chr(b)
        if 0xC2 <= b <= 0xDF:
            self.need, self.lower, self.upper = 1, 0x80, 0xBF
        elif 0xE0 <= b <= 0xEF:
            self.need, self.lower, self.upper = 2, 0xA0 if b == 0xE0 else 0x80, 0x9F if b == 0xED else 0xBF
        elif 0xF0 <= b <= 0xF4:
            self.need, self.lower, self.upper = 3, 0x90 if b == 0xF0 else 0x80, 0x8F if b == 0xF4 else 0xBF
        else:
            return out + "\ufffd"
        self.held = [b]
        return out

    def finish(self) -> str:
        out = "\ufffd" * len(self.held)
        self.held, self.need = [], 0
        return out


def stream_chunks(config: dict, tokens: list[str | None], is_special: list[bool], skip: bool) -> list[str]:
    """What the stream decoder returns for each token, then at the end: the decoder steps before ``ByteFallback``
    (``Replace``, ``Metaspace``) on each token as ``tokenizers`` applies them, then the bytes of ``<0xXX>`` tokens
    decoded as they come (see ``_PerByteUtf8``), then ``Replace`` of one character and ``Strip`` (after ``Fuse``) on
    the text so far. ``tokens`` are the tokens of the ids (None for an id with no token)."""
    d = config["decoder"]
    steps = d["decoders"] if d["type"] == "Sequence" else [d]
    kinds = [s["type"] for s in steps]
    fallback = kinds.index("ByteFallback") if "ByteFallback" in kinds else -1
    pre_to = next((k for k, kind in enumerate(kinds) if kind in ("ByteFallback", "Fuse")), len(steps))
    post_from = fallback + 1 if fallback >= 0 else pre_to
    strip_left = [s.get("start", 0) for s in steps]
    utf8 = _PerByteUtf8()
    index = 0

    def post(text: str) -> str:
        for k in range(post_from, len(steps)):
            step = steps[k]
            if step["type"] == "Replace":
                text = text.replace(step["pattern"]["String"], step["content"])
            elif step["type"] == "Strip":
                i = 0
                while i < len(text) and strip_left[k] > 0:
                    if text[i] == step["content"]:
                        i += 1
                        strip_left[k] -= 1
                    else:
                        strip_left[k] = 0
                text = text[i:]
        return text

    chunks = []
    for token, special in zip(tokens, is_special, strict=True):
        if token is None or (skip and special):
            chunks.append("")
            continue
        for step in steps[:pre_to]:
            if step["type"] == "Replace":
                token = token.replace(step["pattern"]["String"], step["content"])
            else:  # Metaspace
                drop = index == 0 and step.get("prepend_scheme", "always") != "never"
                token = "".join(("" if drop else " ") if c == step["replacement"] else c for c in token)
        index += 1
        b = _fallback_byte(token) if fallback >= 0 else None
        chunks.append(post(utf8.push(b) if b is not None else utf8.finish() + token))
    chunks.append(post(utf8.finish()))
    return chunks


def _runs_valid(tokens: list[str | None]) -> bool:
    """Whether every run of byte tokens is valid UTF-8 (then the stream's concatenation is ``decode``)."""
    run: list[int] = []
    for token in [*tokens, ""]:
        b = _fallback_byte(token) if token is not None else None
        if b is not None:
            run.append(b)
            continue
        if token is None:
            continue
        try:
            bytes(run).decode("utf-8")
        except UnicodeDecodeError:
            return False
        run = []
    return True


def expected_lines(
    tokenizer: Tokenizer, config: dict, texts: list[str], sweep_texts: list[str]
) -> tuple[list[str], list[object]]:
    """Input lines and expected results for ``E`` (``texts``), ``D`` (random id sequences) and ``W`` (sweep)."""
    special = {t.content for t in tokenizer.get_added_tokens_decoder().values() if t.special}
    size = max(tokenizer.get_vocab(with_added_tokens=True).values()) + 1
    tokens = [tokenizer.id_to_token(i) for i in range(size + 3)]
    is_special = [t in special for t in tokens]
    rng = random.Random(size)
    byte_ids = [i for i, t in enumerate(tokens) if t is not None and _fallback_byte(t) is not None]
    high = [i for i in byte_ids if (_fallback_byte(tokens[i] or "") or 0) >= 0x80] or byte_ids
    marked = [i for i, t in enumerate(tokens) if t is not None and "\u2581" in t]
    pools = [high, high, byte_ids, marked, list(range(size + 3)), [i for i in range(size) if is_special[i]]]
    pools = [p for p in pools if p]
    sequences = [[rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 24))] for _ in range(400)]
    encoded = [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
    lines: list[str] = []
    expected: list[object] = []
    for kind, items in (("E", list(zip(texts, encoded, strict=True))), ("D", [(None, s) for s in sequences])):
        ids_list = [ids for _, ids in items]
        decoded = tokenizer.decode_batch(ids_list, skip_special_tokens=False)
        decoded_skip = tokenizer.decode_batch(ids_list, skip_special_tokens=True)
        for (text, ids), d, ds in zip(items, decoded, decoded_skip, strict=True):
            toks = [tokens[i] if i < len(tokens) else None for i in ids]
            specials = [i < len(is_special) and is_special[i] for i in ids]
            chunks = stream_chunks(config, toks, specials, False)
            chunks_skip = stream_chunks(config, toks, specials, True)
            if _runs_valid(toks):
                assert "".join(chunks) == d and "".join(chunks_skip) == ds, f"reference stream of {text!r} {ids}"
            else:
                assert kind == "D", f"encode gave an invalid byte run for {text!r}"
            lines.append(f"E {_json(text)}" if text is not None else "D " + ",".join(map(str, ids)))
            expected.append((",".join(map(str, ids)), [d, ds, chunks, chunks_skip]))
    for encoding, text in zip(tokenizer.encode_batch(sweep_texts, add_special_tokens=False), sweep_texts, strict=True):
        lines.append(f"W {_json(text)}")
        expected.append(",".join(map(str, encoding.ids)))
    return lines, expected


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Run]:
    folder = tmp_path_factory.mktemp("sentencepiece-bpe")
    texts = corpus()
    extra = ["\x01\x02\x1b[0m", "tab\there\u0007", "▁already▁marked ▁", " leading", "trailing  ", "  two  spaces  "]
    texts += extra + [f"{e} {t}" for e in ["😀", "中文", "\x00"] for t in ["a", "b c", "<|im_start|>x"]]
    code_points = sweep(lambda c: f"x{c} {c}", 64)
    result = []
    for name, config, swept in tokenizers_under_test(folder):
        tokenizer_file = folder / f"{name}.json"
        tokenizer_file.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        lines, expected = expected_lines(tokenizer, config, texts, code_points if swept else [])
        vocab_in, vocab_out = vocab_lines(tokenizer)
        input_file = folder / f"{name}-input.txt"
        input_file.write_text("".join(line + "\n" for line in lines + vocab_in), encoding="ascii")
        result.append(Run(name, tokenizer_file, input_file, lines + vocab_in, expected + vocab_out, None))
    for name, config, word in rejected_configs(folder):
        tokenizer_file = folder / f"rejected-{name}.json"
        tokenizer_file.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        input_file = folder / f"rejected-{name}-input.txt"
        input_file.write_text('E "a"\n', encoding="ascii")
        result.append(Run(f"rejected-{name}", tokenizer_file, input_file, [], [], None, word))
    return result


def test_kotlin_matches_tokenizers(kotlin_driver: Driver, runs: list[Run], tmp_path: Path) -> None:
    check("kotlin", kotlin_driver, runs, tmp_path)


def test_swift_matches_tokenizers(swift_driver: Driver, runs: list[Run], tmp_path: Path) -> None:
    check("swift", swift_driver, runs, tmp_path)
