"""The platform-neutral generation loop of the SDK cores (``StepGenerator`` in Kotlin and Swift), run on this
machine. First driven by a scripted step model: its tokens must be those of sdkgen's own host loop
(:func:`sdkgen.models.text_generation.greedy`, which makes the golden vectors), its model calls must follow
the step protocol (the prompt prefilled at the conversation's position, then one token per call), and
``stop``, ``reset``, ``echo``, the continued conversation and a prompt that does not fit must behave as
documented.

The scripted model: ids 0..127 are ASCII characters, 200 is EOS and 201 BOS; after the token at position
``p`` the logits are one-hot (50.0) at ``SCRIPT[p + 1]``, EOS past the script. The codec maps characters to
their codes.

Then with the real tiny-llm: the core's BPE tokenizer must encode each prompt to the ids of Hugging Face's
tokenizer, and the loop plus streaming decoder, fed the fp32 model's logits for those steps (replayed:
LiteRT and Core ML do not run on the JVM or Linux Swift), must produce the host's decoded text.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.models.text_generation import greedy
from sdkgen.sdk.render import TEMPLATES_ROOT, environment

SCRIPT = "abcdefghijklmnopqrstuvwxyz0123"  # position 30 and beyond: EOS
EOS, BOS, VOCAB, MAX_SEQ_LEN = 200, 201, 256, 40
VIEW = {
    "package": "com.example.steps",
    "sdkgen_version": "test",
    "class_name": "Steps",
    "default_max_new_tokens": 8,
    "runtime_label": "test",
    "minimum_ios": "18.0",
    "minimum_macos": "15.0",
    "pixel_buffer_input": False,
}
KOTLIN = [
    "android/core/common/src/main/kotlin/{{ package_path }}/{{ class_name }}Exception.kt.jinja",
    "android/core/text-generation/src/main/kotlin/{{ package_path }}/GenerationSettings.kt.jinja",
    "android/core/text-generation/src/main/kotlin/{{ package_path }}/StepGeneration.kt.jinja",
    "android/core/text-generation/src/main/kotlin/{{ package_path }}/Sampling.kt.jinja",
    "android/core/text-generation/src/main/kotlin/{{ package_path }}/GenerationRun.kt.jinja",
]
SWIFT = [
    "ios/core/common/Sources/{{ module }}/{{ class_name }}Error.swift.jinja",
    "ios/core/text-generation/Sources/{{ module }}/GenerationSettings.swift.jinja",
    "ios/core/text-generation/Sources/{{ module }}/StepGeneration.swift.jinja",
    "ios/core/text-generation/Sources/{{ module }}/Sampling.swift.jinja",
    "ios/core/text-generation/Sources/{{ module }}/GenerationRun.swift.jinja",
]


def _step(ids: list[int], pos: int) -> np.ndarray:
    """The scripted model as a host step function: logits rows for ``ids`` at ``pos``."""
    rows = []
    for p in range(pos, pos + len(ids)):
        row = np.zeros(VOCAB)
        row[ord(SCRIPT[p + 1]) if p + 1 < len(SCRIPT) else EOS] = 50.0
        rows.append(row)
    return np.stack(rows)


def _host(prompt_ids: list[int], max_new: int) -> str:
    return "".join(chr(t) for t in greedy(_step, prompt_ids, max_new, [EOS]).output_ids)


def expected() -> list[str]:
    """What both drivers must print, from sdkgen's host loop and the step protocol."""
    first = [BOS, *map(ord, "hi")]
    gen1 = _host(first, 5)
    # The conversation continues: the last generated token (not yet fed) and the new prompt, at position 7.
    cont = [*first, *map(ord, gen1), ord("x")]
    gen2 = _host(cont, 3)[:3]
    long_prompt = [BOS, *map(ord, "abc")]
    return [
        f"pieces={gen1} calls=0:3,3:1,4:1,5:1,6:1",
        f"pieces={gen2} calls=7:2,9:1,10:1",
        "error=doesNotFit",
        f"pieces={_host(long_prompt, 30)} calls=0:4," + ",".join(f"{p}:1" for p in range(4, 30)),
        f"pieces={_host([BOS, *map(ord, 'ab')], 10)[:2]} stopped",
        f"pieces=ab{_host([BOS, *map(ord, 'ab')], 1)} echo",
        f"pieces={_host([BOS, *map(ord, 'ab')], 4)} sampled",
    ]


KOTLIN_DRIVER = r"""
package com.example.steps

internal class Scripted : StepModel {
    override val maxSeqLen = 40
    val calls = mutableListOf<String>()
    override fun forward(ids: IntArray, start: Int): FloatArray {
        calls.add("" + start + ":" + ids.size)
        val next = start + ids.size
        val logits = FloatArray(256)
        logits[if (next < SCRIPT.length) SCRIPT[next].code else 200] = 50f
        return logits
    }
    override fun resetCache() { calls.clear() }
    override fun close() {}
    companion object { const val SCRIPT = "abcdefghijklmnopqrstuvwxyz0123" }
}

internal object Chars : TokenCodec {
    override fun encode(text: String): IntArray = text.map { it.code }.toIntArray()
    override fun streamDecoder(): (Int) -> String = { id -> if (id < 128) id.toChar().toString() else "" }
}

internal fun run(
    gen: StepGenerator,
    model: Scripted,
    prompt: String,
    settings: GenerationSettings,
    tag: String = "",
    stopAfter: Int = -1,
): String {
    model.calls.clear()
    val out = StringBuilder()
    return try {
        gen.generate(prompt, settings) { piece ->
            out.append(piece)
            if (stopAfter > 0 && out.length >= stopAfter) gen.stop()
        }
        "pieces=" + out + (if (tag.isEmpty()) " calls=" + model.calls.joinToString(",") else " " + tag)
    } catch (e: IllegalArgumentException) {
        "error=doesNotFit"
    }
}

fun main() {
    val model = Scripted()
    val gen = StepGenerator(model, Chars, intArrayOf(201), setOf(200))
    val greedy = { n: Int -> GenerationSettings(maxNewTokens = n, temperature = 0f) }
    println(run(gen, model, "hi", greedy(5)))
    println(run(gen, model, "x", greedy(3)))
    gen.reset(); println(run(gen, model, "", greedy(40)))
    gen.reset(); println(run(gen, model, "abc", greedy(30)))
    gen.reset(); println(run(gen, model, "ab", greedy(10), "stopped", 2))
    val echo = GenerationSettings(maxNewTokens = 1, temperature = 0f, echo = true)
    gen.reset(); println(run(gen, model, "ab", echo, "echo"))
    gen.reset(); println(run(gen, model, "ab", GenerationSettings(maxNewTokens = 4, temperature = 1f), "sampled"))
}
"""

SWIFT_DRIVER = r"""
final class Scripted: StepModel {
    let maxSeqLen = 40
    var calls: [String] = []
    static let script = Array("abcdefghijklmnopqrstuvwxyz0123".unicodeScalars)
    func forward(_ ids: [Int32], start: Int) throws -> [Float] {
        calls.append("\(start):\(ids.count)")
        let next = start + ids.count
        var logits = [Float](repeating: 0, count: 256)
        logits[next < Self.script.count ? Int(Self.script[next].value) : 200] = 50
        return logits
    }
    func resetCache() throws { calls.removeAll() }
}

struct Chars: TokenCodec {
    func encode(_ text: String) -> [Int32] { text.unicodeScalars.map { Int32($0.value) } }
    func streamDecoder() -> (Int32) -> String { { id in id < 128 ? String(UnicodeScalar(UInt8(id))) : "" } }
}

func run(
    _ gen: StepGenerator,
    _ model: Scripted,
    _ prompt: String,
    _ settings: GenerationSettings,
    tag: String = "",
    stopAfter: Int = -1
) -> String {
    model.calls.removeAll()
    var out = ""
    do {
        try gen.generate(prompt, settings: settings) { piece in
            out += piece
            if stopAfter > 0 && out.count >= stopAfter { gen.stop() }
        }
        return "pieces=" + out + (tag.isEmpty ? " calls=" + model.calls.joined(separator: ",") : " " + tag)
    } catch GenerationError.doesNotFit {
        return "error=doesNotFit"
    } catch {
        return "error=\(error)"
    }
}

let model = Scripted()
let gen = StepGenerator(model: model, codec: Chars(), bosIds: [201], eosIds: [200])
func greedy(_ n: Int) -> GenerationSettings { GenerationSettings(maxNewTokens: n, temperature: 0) }
print(run(gen, model, "hi", greedy(5)))
print(run(gen, model, "x", greedy(3)))
try gen.reset(); print(run(gen, model, "", greedy(40)))
try gen.reset(); print(run(gen, model, "abc", greedy(30)))
try gen.reset(); print(run(gen, model, "ab", greedy(10), tag: "stopped", stopAfter: 2))
let echo = GenerationSettings(maxNewTokens: 1, temperature: 0, echo: true)
try gen.reset(); print(run(gen, model, "ab", echo, tag: "echo"))
try gen.reset(); print(run(gen, model, "ab", GenerationSettings(maxNewTokens: 4, temperature: 1), tag: "sampled"))
"""

SWIFT_MANIFEST = """// swift-tools-version:5.9
import PackageDescription

let package = Package(name: "StepCheck", targets: [.executableTarget(name: "StepDriver")])
"""


def _render(template: str) -> str:
    return environment(TEMPLATES_ROOT).get_template(template).render(**VIEW)


def _run(argv: list[str]) -> list[str]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{argv[0]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout.splitlines()


def test_kotlin_step_generator_follows_the_host_loop(tmp_path: Path) -> None:
    compiler = find_kotlin_compiler()
    if compiler is None or compiler.java is None:
        pytest.skip("no Kotlin compiler found (pip install kotlin-jupyter-kernel, or install kotlinc)")
    sources = []
    for i, template in enumerate(KOTLIN):
        sources.append(tmp_path / f"T{i}.kt")
        sources[-1].write_text(_render(template), encoding="utf-8")
    (tmp_path / "Main.kt").write_text(KOTLIN_DRIVER, encoding="utf-8")
    result = compile_kotlin([*sources, tmp_path / "Main.kt"], tmp_path / "out", compiler=compiler)
    assert result.ok, result.diagnostics
    classpath = ":".join(str(p) for p in [tmp_path / "out", *compiler.compile_classpath()])
    assert _run([str(compiler.java), "-cp", classpath, "com.example.steps.MainKt"]) == expected()


def test_swift_step_generator_follows_the_host_loop(tmp_path: Path) -> None:
    if find_swift() is None:
        pytest.skip("no Swift toolchain found (swift on PATH, $SWIFT_HOME or /opt/swift)")
    target = tmp_path / "pkg" / "Sources" / "StepDriver"
    target.mkdir(parents=True)
    for i, template in enumerate(SWIFT):
        (target / f"T{i}.swift").write_text(_render(template), encoding="utf-8")
    (target / "main.swift").write_text(SWIFT_DRIVER, encoding="utf-8")
    (tmp_path / "pkg" / "Package.swift").write_text(SWIFT_MANIFEST, encoding="utf-8")
    result = build_swift_package(tmp_path / "pkg", build_tests=False, scratch_dir=tmp_path / "build")
    assert result.ok, result.output[-5000:]
    assert _run([str(tmp_path / "build" / "debug" / "StepDriver")]) == expected()


# -- the real tiny-llm: the SDK core (BPE tokenizer, loop, streaming decode) replaying the model's logits --

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny-llm" / "model"
PROMPTS = ["The list", "A function is", "If the value", "In Python,", "Ünïcödé ✓ and  spaces"]
REPLAY_KOTLIN = [
    *KOTLIN,
    "android/core/text-generation/src/main/kotlin/{{ package_path }}/BpeTokenizer.kt.jinja",
    "android/core/text-generation/src/main/kotlin/{{ package_path }}/BpeCodec.kt.jinja",
]
REPLAY_SWIFT = [
    *SWIFT,
    "ios/core/text-generation/Sources/{{ module }}/BpeTokenizer.swift.jinja",
    "ios/core/text-generation/Sources/{{ module }}/BpeCodec.swift.jinja",
]


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """For each prompt, the fp32 model's greedy steps: the prompt's ids, then the logits rows the loop will
    ask for, in order (``greedy``'s ``step_logits``); and the text the host decodes from the ids."""
    import json

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(SAMPLE).eval()
    tokenizer = AutoTokenizer.from_pretrained(SAMPLE)
    eos = int(model.config.eos_token_id)

    def step(ids: list[int], pos: int) -> np.ndarray:  # full recompute: simple and exact for a tiny model
        history.extend(ids)
        with torch.no_grad():
            return model(input_ids=torch.tensor([history])).logits[0, -len(ids) :].numpy()

    lines, expected_texts = [f"E {eos}"], []
    for prompt in PROMPTS:
        history: list[int] = []
        ids = tokenizer.encode(prompt, add_special_tokens=False)
        decoded = greedy(step, ids, 12, [eos])
        lines.append("P " + json.dumps(prompt, ensure_ascii=True) + " " + ",".join(map(str, ids)))
        lines.append(f"N {len(decoded.output_ids) if decoded.stopped_at_eos else 12}")
        lines += ["R " + ",".join(f"{x:.6e}" for x in row) for row in decoded.step_logits]
        expected_texts.append(tokenizer.decode(decoded.output_ids))
    data = tmp_path_factory.mktemp("replay") / "replay.txt"
    data.write_text("\n".join(lines) + "\n", encoding="ascii")
    return data, expected_texts


REPLAY_KOTLIN_DRIVER = r"""
package com.example.steps

import java.io.File

internal class Replay(private val rows: List<FloatArray>, private val promptIds: IntArray) : StepModel {
    override val maxSeqLen = 128
    var calls = 0
    var promptMatched = false
    override fun forward(ids: IntArray, start: Int): FloatArray {
        if (calls == 0) promptMatched = ids.contentEquals(promptIds) && start == 0
        return rows[calls++]
    }
    override fun resetCache() {}
    override fun close() {}
}

fun jsonString(s: String): String {
    val out = StringBuilder()
    var i = 1
    while (i < s.length - 1) {
        val c = s[i]
        if (c != '\\') { out.append(c); i++; continue }
        when (val e = s[i + 1]) {
            'u' -> { out.append(s.substring(i + 2, i + 6).toInt(16).toChar()); i += 6 }
            'n' -> { out.append('\n'); i += 2 }
            't' -> { out.append('\t'); i += 2 }
            else -> { out.append(e); i += 2 }
        }
    }
    return out.toString()
}

fun main(args: Array<String>) {
    val tokenizer = BpeTokenizer.fromJson(File(args[0]).readText())
    val lines = File(args[1]).readLines()
    val eos = lines[0].removePrefix("E ").toInt()
    var i = 1
    while (i < lines.size) {
        val p = lines[i].removePrefix("P ")
        val cut = p.lastIndexOf(' ')
        val prompt = jsonString(p.substring(0, cut))
        val ids = p.substring(cut + 1).split(',').map { it.toInt() }.toIntArray()
        val n = lines[i + 1].removePrefix("N ").toInt()
        i += 2
        val rows = mutableListOf<FloatArray>()
        while (i < lines.size && lines[i].startsWith("R ")) {
            rows.add(lines[i].removePrefix("R ").split(',').map { it.toFloat() }.toFloatArray())
            i++
        }
        val model = Replay(rows, ids)
        val generator = StepGenerator(model, BpeCodec(tokenizer), IntArray(0), setOf(eos))
        val text = StringBuilder()
        generator.generate(prompt, GenerationSettings(maxNewTokens = maxOf(n, 1), temperature = 0f)) { text.append(it) }
        println("" + model.promptMatched + " " + text.toString().map { it.code }.joinToString(","))
    }
}
"""

REPLAY_SWIFT_DRIVER = r"""
import Foundation

final class Replay: StepModel {
    let maxSeqLen = 128
    let rows: [[Float]]
    let promptIds: [Int32]
    var calls = 0
    var promptMatched = false
    init(rows: [[Float]], promptIds: [Int32]) {
        self.rows = rows
        self.promptIds = promptIds
    }
    func forward(_ ids: [Int32], start: Int) throws -> [Float] {
        if calls == 0 { promptMatched = ids == promptIds && start == 0 }
        calls += 1
        return rows[calls - 1]
    }
    func resetCache() throws {}
}

let args = CommandLine.arguments
let tokenizer = try BpeTokenizer(json: String(contentsOfFile: args[1], encoding: .utf8))
let lines = try String(contentsOfFile: args[2], encoding: .utf8).split(separator: "\n").map(String.init)
let eos = Int32(lines[0].dropFirst(2))!
var i = 1
while i < lines.count {
    let p = lines[i].dropFirst(2)
    let cut = p.lastIndex(of: " ")!
    let prompt = try JSONDecoder().decode(String.self, from: Data(p[..<cut].utf8))
    let ids = p[p.index(after: cut)...].split(separator: ",").map { Int32($0)! }
    let n = Int(lines[i + 1].dropFirst(2))!
    i += 2
    var rows: [[Float]] = []
    while i < lines.count && lines[i].hasPrefix("R ") {
        rows.append(lines[i].dropFirst(2).split(separator: ",").map { Float($0)! })
        i += 1
    }
    let model = Replay(rows: rows, promptIds: ids)
    let generator = StepGenerator(model: model, codec: BpeCodec(tokenizer), bosIds: [], eosIds: [eos])
    var text = ""
    try generator.generate(prompt, settings: GenerationSettings(maxNewTokens: max(n, 1), temperature: 0)) { text += $0 }
    print("\(model.promptMatched) " + text.unicodeScalars.map { String($0.value) }.joined(separator: ","))
}
"""


def _expected_replay(texts: list[str]) -> list[str]:
    return ["true " + ",".join(str(ord(c)) for c in t) for t in texts]


def test_kotlin_core_generates_the_hosts_text_from_the_models_logits(
    replay: tuple[Path, list[str]], tmp_path: Path
) -> None:
    compiler = find_kotlin_compiler()
    if compiler is None or compiler.java is None:
        pytest.skip("no Kotlin compiler found (pip install kotlin-jupyter-kernel, or install kotlinc)")
    sources = []
    for i, template in enumerate(REPLAY_KOTLIN):
        sources.append(tmp_path / f"T{i}.kt")
        sources[-1].write_text(_render(template), encoding="utf-8")
    (tmp_path / "Main.kt").write_text(REPLAY_KOTLIN_DRIVER, encoding="utf-8")
    result = compile_kotlin([*sources, tmp_path / "Main.kt"], tmp_path / "out", compiler=compiler)
    assert result.ok, result.diagnostics
    classpath = ":".join(str(p) for p in [tmp_path / "out", *compiler.compile_classpath()])
    data, texts = replay
    argv = [str(compiler.java), "-cp", classpath, "com.example.steps.MainKt", str(SAMPLE / "tokenizer.json"), str(data)]
    assert _run(argv) == _expected_replay(texts)


def test_swift_core_generates_the_hosts_text_from_the_models_logits(
    replay: tuple[Path, list[str]], tmp_path: Path
) -> None:
    if find_swift() is None:
        pytest.skip("no Swift toolchain found (swift on PATH, $SWIFT_HOME or /opt/swift)")
    target = tmp_path / "pkg" / "Sources" / "StepDriver"
    target.mkdir(parents=True)
    for i, template in enumerate(REPLAY_SWIFT):
        (target / f"T{i}.swift").write_text(_render(template), encoding="utf-8")
    (target / "main.swift").write_text(REPLAY_SWIFT_DRIVER, encoding="utf-8")
    (tmp_path / "pkg" / "Package.swift").write_text(SWIFT_MANIFEST, encoding="utf-8")
    result = build_swift_package(tmp_path / "pkg", build_tests=False, scratch_dir=tmp_path / "build")
    assert result.ok, result.output[-5000:]
    data, texts = replay
    argv = [str(tmp_path / "build" / "debug" / "StepDriver"), str(SAMPLE / "tokenizer.json"), str(data)]
    assert _run(argv) == _expected_replay(texts)
