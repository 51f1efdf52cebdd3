"""The text-generation API's platform-neutral parts in the SDK cores (Kotlin and Swift), run on this machine
against Python references:

- ``StopStringMatcher``: for many streams (ASCII, emoji outside the BMP, ZWJ sequences, combining marks) and
  stop strings (split across chunks, overlapping prefixes, at the very start, absent), each cut into many
  chunkings, the text it lets through equals :func:`stop_reference`, every emitted prefix is a prefix of
  that text, and no more than (longest stop string - 1) code points are ever held back;
- ``GenerationRun`` statistics with a fake clock (the same arithmetic as :func:`stats_reference`, compared
  bit for bit), and (Kotlin) the prompt token count read from ExecuTorch's ``onStats`` JSON;
- the loop: ``StepGenerator`` with a scripted model through ``GenerationRun``: a stop string stops the
  runtime (the generated token count shows it stopped at the match) and is not emitted;
- ``ChatFormat``: a Llama 3 and a ChatML (with a default system message) template are reduced by
  :mod:`sdkgen.sdk.chat`; for varied conversations the formatted text equals Hugging Face's
  ``apply_chat_template(..., tokenize=False, add_generation_prompt=True)`` on the tiny-llm tokenizer with
  that template, and a template that does not reduce is refused.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.sdk.chat import (
    PYTHON_WHITESPACE,
    ChatTemplateRefused,
    chat_check,
    chat_format_for,
    reduce_chat_template,
    view_fields,
)
from sdkgen.sdk.render import TEMPLATES_ROOT, environment
from sdkgen.spec import TokenizerSpec
from tests.sdk.test_step_generation import KOTLIN, SCRIPT, SWIFT, SWIFT_MANIFEST, VIEW

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny-llm" / "model"
BOS = "<|endoftext|>"

LLAMA3 = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
CHATML_DEFAULT_SYSTEM = (
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}"
    "{%- else %}{{- '<|im_start|>system\nYou are a helpful assistant named Tiny.<|im_end|>\n' }}{%- endif %}"
    "{%- for message in messages %}{%- if not (message.role == 'system' and loop.first) %}{{- '<|im_start|>' + "
    "message.role + '\n' + message.content + '<|im_end|>' + '\n' }}{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}"
)
MISTRAL = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == "
    "'assistant' %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}"
)
REVERSED = "{% for message in messages | reverse %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
PARTLY_TRIMMED = CHATML_DEFAULT_SYSTEM.replace("message.content +", "message.content | trim +")
DATED = "{% for message in messages %}{{ message['content'] }} {{ loop.index }}\n{% endfor %}"

# -- references ----------------------------------------------------------------------------------------------


def stop_reference(stream: str, stops: list[str]) -> tuple[str, bool]:
    """The text before the first stop string to end in ``stream`` (of two ending together, the longer)."""
    best: tuple[int, int] | None = None
    for s in stops:
        start = stream.find(s)
        if start >= 0 and (best is None or (start + len(s), start) < best):
            best = (start + len(s), start)
    return (stream, False) if best is None else (stream[: best[1]], True)


def stats_reference(times: list[int], prompt: int | None) -> list[str]:
    """``GenerationRun.finish()`` for a clock that reads ``times`` (start, one per token, end)."""
    start, token_times, end = times[0], times[1:-1], times[-1]
    n = len(token_times)
    ttft = (token_times[0] - start) / 1e6 if n else None
    first, last = (token_times[0], token_times[-1]) if n else (0, 0)
    tps = (n - 1) * 1e9 / (last - first) if n > 1 and last > first else 0.0
    return ["-" if prompt is None else str(prompt), str(n), _bits(ttft), _bits(tps), _bits((end - start) / 1e6)]


def _bits(x: float | None) -> str:
    return "-" if x is None else f"{struct.unpack('<Q', struct.pack('<d', x))[0]:x}"


def _enc(s: str) -> str:
    """A string for the drivers: ``.`` then its code points in hex, comma-separated."""
    return "." + ",".join(f"{ord(c):x}" for c in s)


def _dec(s: str) -> str:
    return "".join(chr(int(h, 16)) for h in s[1:].split(",") if h)


# -- vectors -------------------------------------------------------------------------------------------------

ATOMS = ["a", "b", "c", " ", "\n", "😀", "👩\u200d💻", "e\u0301", "é", "日本", "<", "|", "end", "$", "\\"]


def _chunkings(stream: str, rnd: random.Random) -> list[list[str]]:
    cps = list(stream)
    ways = [[stream], [c for c in cps]]
    for _ in range(4):
        cuts = sorted(rnd.sample(range(1, len(cps)), min(len(cps) - 1, rnd.randint(1, 5)))) if len(cps) > 1 else []
        bounds = [0, *cuts, len(cps)]
        ways.append(["".join(cps[a:b]) for a, b in itertools.pairwise(bounds)])
    # Empty pieces (a token that ends inside a character) in between.
    ways.append([p for c in cps for p in (c, "")])
    return ways


def stop_cases() -> list[tuple[list[str], list[str]]]:
    """(stop strings, chunks) pairs."""
    rnd = random.Random(5)
    cases: list[tuple[list[str], list[str]]] = []
    fixed = [
        ("hello world", ["world"]),
        ("hello world", ["hello"]),  # at the very start
        ("hello world", ["h"]),
        ("aaab", ["aab"]),  # overlapping prefix
        ("abababc", ["ababc"]),
        ("abcd", ["abcd", "c"]),  # "c" ends first
        ("abcd", ["bc", "abc"]),  # both end at 3: the longer wins
        ("xx😀yy", ["😀"]),
        ("xx😀yy", ["x😀y"]),
        ("a👩\u200d💻b", ["\u200d"]),  # inside a ZWJ sequence: code points, not graphemes
        ("cafe\u0301 ok", ["e\u0301"]),
        ("café ok", ["e\u0301"]),  # precomposed is not the combining form
        ("User: hi<|im_end|>\n<|im_start|>", ["<|im_end|>", "<|im_start|>"]),
        ("no stop here", ["zzz"]),
        ("no stop strings", []),
        ("", ["a"]),
        ("ab", ["abc"]),  # a stream that ends inside a stop string: held back text comes out at the end
    ]
    for stream, stops in fixed:
        for chunks in _chunkings(stream, rnd) if stream else [[]]:
            cases.append((stops, chunks))
    for _ in range(250):
        stream = "".join(rnd.choice(ATOMS) for _ in range(rnd.randint(1, 30)))
        stops = []
        for _ in range(rnd.randint(1, 3)):
            if rnd.random() < 0.6:
                cps = list(stream)
                a = rnd.randrange(len(cps))
                stops.append("".join(cps[a : a + rnd.randint(1, 6)]))
            else:
                stops.append("".join(rnd.choice(ATOMS) for _ in range(rnd.randint(1, 3))))
        for chunks in _chunkings(stream, rnd):
            cases.append((stops, chunks))
    return cases


STATS = [
    ([1000, 5000], 7),  # no token
    ([0, 250_000_000, 900_000_000], 3),  # one token
    ([10, 1_000_010, 1_500_010, 2_000_010, 2_100_000], 12),
    ([5, 7, 7, 7, 9], None),  # tokens at the same instant: 0 tokens per second
    ([123_456_789, 223_456_789, *range(300_000_000, 300_000_000 + 97 * 13_333_337, 13_333_337), 2_000_000_000], 64),
]
RUNTIME_STATS = [
    '{"prompt_tokens":17,"generated_tokens":5,"model_load_start_ms":1,"first_token_ms":9}',
    '{ "generated_tokens" : 2 , "prompt_tokens" : 123 }',
    '{"generated_tokens":2}',
]


def build_vectors(path: Path, kotlin: bool) -> list[tuple[str, object]]:
    """Writes the driver input; returns one (kind, expectation) per line."""
    lines, expect = [], []
    for stops, chunks in stop_cases():
        lines.append("stop " + "|".join(map(_enc, stops)) + " " + "|".join(map(_enc, chunks)))
        expect.append(("stop", (stops, chunks)))
    for times, prompt in STATS:
        lines.append(f"stats {'-' if prompt is None else prompt} " + ",".join(map(str, times)))
        expect.append(("exact", " ".join(stats_reference(times, prompt))))
    if kotlin:
        for js in RUNTIME_STATS:
            lines.append("runtime " + _enc(js))
            found = json.loads(js).get("prompt_tokens")
            expect.append(("exact", "-" if found is None else str(found)))
    for stops, max_new in [(["fg"], 10), (["zz"], 6), (["d"], 5), (["efgh", "g"], 12), ([], 4)]:
        lines.append(f"loop {max_new} " + "|".join(map(_enc, stops)))
        stream = SCRIPT[3 : 3 + max_new]  # BOS + "ab" at positions 0..2, then one character per token
        out, matched = stop_reference(stream, stops)
        tokens = len(stream)
        if matched:
            tokens = min(s_end for s in stops if (s_end := stream.find(s) + len(s)) >= len(s))
        expect.append(("exact", f"{_enc(out)} tokens={tokens} prompt=3 stopped={str(matched).lower()}"))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return expect


def check_answers(got: list[str], expect: list[tuple[str, object]], language: str) -> int:
    """Asserts every answer; returns the number of stop-string chunkings checked."""
    assert len(got) == len(expect), f"{language}: {len(got)} answers for {len(expect)} lines"
    bad, chunkings = [], 0
    for have, (kind, want) in zip(got, expect, strict=True):
        if kind == "exact":
            if have != want:
                bad.append(f"want {want}\n  have {have}")
            continue
        stops, chunks = want  # type: ignore[misc]
        chunkings += 1
        parts = have.split(" ")
        emitted = [_dec(p) for p in parts[0].split("|")] if parts[0] else []
        final, matched = _dec(parts[1]), parts[2] == "true"
        ref, ref_matched = stop_reference("".join(chunks), stops)
        hold = max([len(s) for s in stops] or [1]) - 1
        problems = []
        if "".join(emitted) + final != ref or matched != ref_matched:
            problems.append(f"text {''.join(emitted) + final!r} matched={matched}, want {ref!r} {ref_matched}")
        shown, consumed = "", ""
        for chunk, piece in zip(chunks, emitted, strict=True):
            shown += piece
            consumed += chunk
            if not ref.startswith(shown):
                problems.append(f"emitted {shown!r}, not a prefix of {ref!r}")
            if not ref_matched and len(consumed) - len(shown) > hold:
                problems.append(f"held back {len(consumed) - len(shown)} > {hold} code points")
        if problems:
            bad.append(f"stops {stops!r} chunks {chunks!r}: " + "; ".join(problems))
    assert not bad, f"{language}: {len(bad)} of {len(expect)} differ:\n" + "\n".join(bad[:10])
    return chunkings


# -- drivers -------------------------------------------------------------------------------------------------

KOTLIN_DRIVER = r"""
package com.example.steps

import java.io.File

fun dec(s: String): String {
    val cps = s.substring(1).split(",").filter { it.isNotEmpty() }.map { it.toInt(16) }.toIntArray()
    return String(cps, 0, cps.size)
}

fun enc(s: String): String = "." + s.codePoints().toArray().joinToString(",") { it.toString(16) }

fun list(s: String?): List<String> = if (s.isNullOrEmpty()) emptyList() else s.split("|").map(::dec)

internal class Scripted : StepModel {
    override val maxSeqLen = 40
    override fun forward(ids: IntArray, start: Int): FloatArray {
        val next = start + ids.size
        val logits = FloatArray(256)
        logits[if (next < SCRIPT.length) SCRIPT[next].code else 200] = 50f
        return logits
    }
    override fun resetCache() {}
    override fun close() {}
    companion object { const val SCRIPT = "abcdefghijklmnopqrstuvwxyz0123" }
}

internal object Chars : TokenCodec {
    override fun encode(text: String): IntArray = text.map { it.code }.toIntArray()
    override fun streamDecoder(): (Int) -> String = { id -> if (id < 128) id.toChar().toString() else "" }
}

fun bits(x: Double?): String = if (x == null) "-" else java.lang.Long.toHexString(x.toRawBits())

fun main(args: Array<String>) {
    val out = StringBuilder()
    for (line in File(args[0]).readLines()) {
        val f = line.split(" ")
        val answer = when (f[0]) {
            "stop" -> {
                val matcher = StopStringMatcher(list(f[1]))
                val pieces = list(f.getOrNull(2)).map { matcher.feed(it) }
                val final = matcher.finish()
                pieces.joinToString("|") { enc(it) } + " " + enc(final) + " " + matcher.matched
            }
            "stats" -> {
                val times = f[2].split(",").map { it.toLong() }
                val clock = times.iterator()
                val run = GenerationRun(GenerationSettings(), { }, { }, { clock.next() })
                if (f[1] != "-") run.onPromptTokens(f[1].toInt())
                repeat(times.size - 2) { run.onToken("x") }
                val s = run.finish()
                listOf(s.promptTokens?.toString() ?: "-", s.generatedTokens.toString(), bits(s.timeToFirstTokenMs),
                    bits(s.tokensPerSecond), bits(s.totalMs)).joinToString(" ")
            }
            "runtime" -> {
                val run = GenerationRun(GenerationSettings(), { }, { })
                run.onRuntimeStats(dec(f[1]))
                run.finish().promptTokens?.toString() ?: "-"
            }
            "loop" -> {
                val gen = StepGenerator(Scripted(), Chars, intArrayOf(201), setOf(200))
                val settings = GenerationSettings(
                    maxNewTokens = f[1].toInt(), temperature = 0f, stopStrings = list(f.getOrNull(2)),
                )
                val text = StringBuilder()
                val run = GenerationRun(settings, { text.append(it) }, gen::stop)
                gen.generate("ab", settings, run)
                val s = run.finish()
                enc(text.toString()) + " tokens=" + s.generatedTokens + " prompt=" + s.promptTokens +
                    " stopped=" + run.stoppedByStopString
            }
            "chat" -> {
                val messages = f[1].split("|").map {
                    val (role, content) = it.split(":")
                    ChatMessage(ChatMessage.Role.valueOf(role.uppercase()), dec(content))
                }
                enc(ChatFormat.MODEL.format(messages)) + " " + enc(ChatFormat.MODEL.prompt(messages))
            }
            else -> error("unknown line " + f[0])
        }
        out.append(answer).append('\n')
    }
    print(out)
}
"""

SWIFT_DRIVER = r"""
import Foundation

func dec(_ s: Substring) -> String {
    var view = String.UnicodeScalarView()
    for h in s.dropFirst().split(separator: ",") { view.append(Unicode.Scalar(UInt32(h, radix: 16)!)!) }
    return String(view)
}

func enc(_ s: String) -> String { "." + s.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: ",") }

func list(_ f: [Substring], _ i: Int) -> [String] {
    i < f.count && !f[i].isEmpty ? f[i].split(separator: "|", omittingEmptySubsequences: false).map(dec) : []
}

final class Scripted: StepModel {
    let maxSeqLen = 40
    static let script = Array("abcdefghijklmnopqrstuvwxyz0123".unicodeScalars)
    func forward(_ ids: [Int32], start: Int) throws -> [Float] {
        let next = start + ids.count
        var logits = [Float](repeating: 0, count: 256)
        logits[next < Self.script.count ? Int(Self.script[next].value) : 200] = 50
        return logits
    }
    func resetCache() throws {}
}

struct Chars: TokenCodec {
    func encode(_ text: String) -> [Int32] { text.unicodeScalars.map { Int32($0.value) } }
    func streamDecoder() -> (Int32) -> String { { id in id < 128 ? String(UnicodeScalar(UInt8(id))) : "" } }
}

func bits(_ x: Double?) -> String { x.map { String($0.bitPattern, radix: 16) } ?? "-" }

func answer(_ f: [Substring]) throws -> String {
    switch f[0] {
    case "stop":
        var matcher = StopStringMatcher(list(f, 1))
        let pieces = list(f, 2).map { matcher.feed($0) }
        let final = matcher.finish()
        return pieces.map(enc).joined(separator: "|") + " " + enc(final) + " " + String(matcher.matched)
    case "stats":
        let times = f[2].split(separator: ",").map { UInt64($0)! }
        var next = 0
        let run = GenerationRun(settings: GenerationSettings(), emit: { _ in }, stopRuntime: {}, clock: {
            next += 1
            return times[next - 1]
        })
        if f[1] != "-" { run.onPromptTokens(Int(f[1])!) }
        for _ in 0..<(times.count - 2) { run.onToken("x") }
        let s = run.finish()
        return [s.promptTokens.map(String.init) ?? "-", String(s.generatedTokens), bits(s.timeToFirstTokenMs),
                bits(s.tokensPerSecond), bits(s.totalMs)].joined(separator: " ")
    case "loop":
        let gen = StepGenerator(model: Scripted(), codec: Chars(), bosIds: [201], eosIds: [200])
        let settings = try GenerationSettings(maxNewTokens: Int(f[1])!, temperature: 0, stopStrings: list(f, 2))
            .validated(maxSequenceLength: 40)
        var text = ""
        let run = GenerationRun(settings: settings, emit: { text += $0 }, stopRuntime: { gen.stop() })
        try gen.generate("ab", settings: settings, sink: run)
        let s = run.finish()
        let tokens = " tokens=\(s.generatedTokens) prompt=\(s.promptTokens ?? -1)"
        return enc(text) + tokens + " stopped=\(run.stoppedByStopString)"
    case "chat":
        let messages = f[1].split(separator: "|").map { part -> ChatMessage in
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            return ChatMessage(role: ChatMessage.Role(rawValue: String(pieces[0]))!, content: dec(pieces[1]))
        }
        return enc(ChatFormat.model.format(messages)) + " " + enc(ChatFormat.model.prompt(messages))
    default:
        fatalError("unknown line \(f[0])")
    }
}

let text = try String(contentsOfFile: CommandLine.arguments[1], encoding: .utf8)
var out = ""
for line in text.split(separator: "\n") {
    out += try answer(line.split(separator: " ", omittingEmptySubsequences: false)) + "\n"
}
print(out, terminator: "")
"""

# -- chat ----------------------------------------------------------------------------------------------------

WHITESPACE = "".join(map(chr, PYTHON_WHITESPACE))


def conversations() -> list[list[dict[str, str]]]:
    """Varied conversations: multi-turn, with and without a system message, unicode, whitespace at the
    edges (every character Python's ``str.strip`` removes), template-like and special-token text."""
    texts = [
        "Hello!",
        "What is 2 + 2?",
        "  It is 4.  ",
        WHITESPACE + "trimmed" + WHITESPACE,
        "\n\nmulti\nline\n\n",
        "ünïcödé ✓ 日本語 😀 👩\u200d💻 e\u0301 \u200b",
        "{{ not a template }} {% raw %} $x ${y} \\n \"quoted\" 'single'",
        "<|im_start|>user\nfake<|im_end|> <|eot_id|>",
        "",
        "\u0085\u00a0 nel and nbsp \u0085",
        "You are a pirate. Answer in one line.",
    ]
    rnd = random.Random(17)
    convs: list[list[dict[str, str]]] = [
        [{"role": "user", "content": texts[0]}],
        [{"role": "system", "content": texts[10]}, {"role": "user", "content": texts[1]}],
        [
            {"role": "system", "content": texts[10]},
            {"role": "user", "content": texts[1]},
            {"role": "assistant", "content": texts[2]},
            {"role": "user", "content": texts[5]},
        ],
    ]
    for _ in range(37):
        n = rnd.randint(1, 7)
        roles = [("user", "assistant")[i % 2] for i in range(n)]
        if rnd.random() < 0.4:
            roles = ["system", *roles]
        convs.append([{"role": r, "content": rnd.choice(texts)} for r in roles])
    return convs


def _chat_line(conv: list[dict[str, str]]) -> str:
    return "chat " + "|".join(f"{m['role']}:{_enc(m['content'])}" for m in conv)


@pytest.fixture(scope="module")
def hf_chat(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Per template: Hugging Face's rendering of each conversation with the tiny-llm tokenizer."""
    from transformers import AutoTokenizer

    out = {}
    for name, template in (("llama3", LLAMA3), ("chatml", CHATML_DEFAULT_SYSTEM)):
        folder = tmp_path_factory.mktemp(name)
        for f in ("tokenizer.json", "special_tokens_map.json"):
            shutil.copyfile(SAMPLE / f, folder / f)
        cfg = json.loads((SAMPLE / "tokenizer_config.json").read_text(encoding="utf-8"))
        cfg["chat_template"] = template
        (folder / "tokenizer_config.json").write_text(json.dumps(cfg), encoding="utf-8")
        tok = AutoTokenizer.from_pretrained(folder)
        out[name] = [tok.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in conversations()]
    return out


TEMPLATES = {"llama3": LLAMA3, "chatml": CHATML_DEFAULT_SYSTEM}


def _chat_view(name: str, literal: object, case: object, null: str) -> dict[str, object]:
    fmt = reduce_chat_template(TEMPLATES[name], BOS, BOS)
    return {**VIEW, "module": "StepDriver", "chat": view_fields(fmt, BOS, literal, case, null)}  # type: ignore[arg-type]


def _chat_expect(rendered: list[str]) -> list[tuple[str, object]]:
    return [("exact", _enc(r) + " " + _enc(r.removeprefix(BOS))) for r in rendered]


def test_reference_reductions_and_refusals() -> None:
    llama = reduce_chat_template(LLAMA3, BOS, BOS)
    assert llama.trim and llama.begin == BOS and llama.default_system is None
    chatml = reduce_chat_template(CHATML_DEFAULT_SYSTEM, BOS, BOS)
    assert not chatml.trim and chatml.default_system is not None and "Tiny" in chatml.default_system
    for template in (MISTRAL, REVERSED, DATED, PARTLY_TRIMMED):
        with pytest.raises(ChatTemplateRefused):
            reduce_chat_template(template, BOS, BOS)
    fmt, note = chat_format_for(REVERSED, BOS, BOS)
    assert fmt is None and "no chat API" in note
    assert chat_format_for(None, BOS, BOS)[0] is None
    tok = TokenizerSpec("byte-level-bpe", "tokenizer.json", 0, (0,), BOS, BOS, 2048)
    assert chat_check(tok) is None
    refused = chat_check(dataclasses.replace(tok, chat_template=REVERSED))
    assert refused is not None and refused.status == "not_executed" and refused.detail.startswith("not executed")
    reduced = chat_check(dataclasses.replace(tok, chat_template=LLAMA3))
    assert reduced is not None and reduced.status == "passed"


def test_reference_format_equals_hugging_face(hf_chat: dict[str, list[str]]) -> None:
    for name, rendered in hf_chat.items():
        fmt = reduce_chat_template(TEMPLATES[name], BOS, BOS)
        assert [fmt.format(c) for c in conversations()] == rendered, name


# -- runs ----------------------------------------------------------------------------------------------------


def _render_with(template: str, view: dict[str, object]) -> str:
    return environment(TEMPLATES_ROOT).get_template(template).render(**view)


def _run(argv: list[str]) -> list[str]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{argv[0]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout.splitlines()


KOTLIN_CHAT = "android/core/text-generation/src/main/kotlin/{{ package_path }}/ChatFormat.kt.jinja"
SWIFT_CHAT = "ios/core/text-generation/Sources/{{ module }}/ChatFormat.swift.jinja"


@pytest.mark.parametrize("chat", ["llama3", "chatml"])
def test_kotlin_generation_api_core(chat: str, hf_chat: dict[str, list[str]], tmp_path: Path) -> None:
    from sdkgen.sdk.android import naming

    compiler = find_kotlin_compiler()
    if compiler is None or compiler.java is None:
        pytest.skip("no Kotlin compiler found (pip install kotlin-jupyter-kernel, or install kotlinc)")
    view = _chat_view(chat, naming.string_literal, str.upper, "null")
    sources = []
    for i, template in enumerate([*KOTLIN, KOTLIN_CHAT]):
        sources.append(tmp_path / f"T{i}.kt")
        sources[-1].write_text(_render_with(template, view), encoding="utf-8")
    (tmp_path / "Main.kt").write_text(KOTLIN_DRIVER, encoding="utf-8")
    result = compile_kotlin([*sources, tmp_path / "Main.kt"], tmp_path / "out", compiler=compiler)
    assert result.ok, result.diagnostics
    vectors = tmp_path / "vectors.txt"
    expect = build_vectors(vectors, kotlin=True) if chat == "llama3" else []
    with vectors.open("a" if expect else "w", encoding="utf-8") as f:
        f.writelines(_chat_line(c) + "\n" for c in conversations())
    expect += _chat_expect(hf_chat[chat])
    classpath = ":".join(str(p) for p in [tmp_path / "out", *compiler.compile_classpath()])
    got = _run([str(compiler.java), "-cp", classpath, "com.example.steps.MainKt", str(vectors)])
    checked = check_answers(got, expect, "Kotlin")
    assert checked > 1000 or chat != "llama3"


@pytest.mark.parametrize("chat", ["llama3", "chatml"])
def test_swift_generation_api_core(chat: str, hf_chat: dict[str, list[str]], tmp_path: Path) -> None:
    from sdkgen.sdk.ios import naming

    if find_swift() is None:
        pytest.skip("no Swift toolchain found (swift on PATH, $SWIFT_HOME or /opt/swift)")
    view = _chat_view(chat, naming.string_literal, str, "nil")
    target = tmp_path / "pkg" / "Sources" / "StepDriver"
    target.mkdir(parents=True)
    for i, template in enumerate([*SWIFT, SWIFT_CHAT]):
        (target / f"T{i}.swift").write_text(_render_with(template, view), encoding="utf-8")
    (target / "main.swift").write_text(SWIFT_DRIVER, encoding="utf-8")
    (tmp_path / "pkg" / "Package.swift").write_text(SWIFT_MANIFEST, encoding="utf-8")
    result = build_swift_package(tmp_path / "pkg", build_tests=False, scratch_dir=tmp_path / "build")
    assert result.ok, result.output[-5000:]
    vectors = tmp_path / "vectors.txt"
    expect = build_vectors(vectors, kotlin=False) if chat == "llama3" else []
    with vectors.open("a" if expect else "w", encoding="utf-8") as f:
        f.writelines(_chat_line(c) + "\n" for c in conversations())
    expect += _chat_expect(hf_chat[chat])
    got = _run([str(tmp_path / "build" / "debug" / "StepDriver"), str(vectors)])
    checked = check_answers(got, expect, "Swift")
    assert checked > 1000 or chat != "llama3"
