"""The SDK cores' sampler (``Sampling``, ``SplitMix64``, ``GenerationSettings`` in Kotlin and Swift), run on
this machine against sdkgen's reference (:mod:`sdkgen.sdk.sampler`), which writes the golden vectors.

The core templates are rendered and compiled with a driver that reads a vector file and prints one line per
vector line:

- ``exp <bits>``: the portable ``exp`` of a non-positive double, compared by bits;
- ``rng <seed> <n>``: the first ``n`` SplitMix64 outputs;
- ``sample <case>``: ``draws`` tokens sampled in a row from one generator (the state carries over), for
  random logits (Gaussian, coarse with ties and ``-inf``, peaked with a masked block, degenerate rows) x
  temperatures, top-k and top-p x seeds;
- ``generate <case>``: the same through ``StepGenerator`` (a model that always returns the case's logits),
  twice with a reset between: the settings reach the sampler and a seed reproduces the call. A ``-`` seed
  (nondeterministic) must still stay within the top-k;
- ``invalid <maxNewTokens> <temperature> <topK> <topP>``: ``ok`` or the SDK's validation message.

Kotlin and Swift must equal the reference on every line (bitwise for doubles).
"""

from __future__ import annotations

import math
import random
import struct
import subprocess
import time
from pathlib import Path

import pytest

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.sdk import sampler
from sdkgen.sdk.sampler import SplitMix64, exp_nonpositive, f32, f32_bits, run_case, settings_error
from tests.sdk.test_step_generation import KOTLIN, SWIFT, SWIFT_MANIFEST, _render

KOTLIN_DRIVER = r"""
package com.example.steps

import java.io.File

internal class Fixed(private val logits: FloatArray) : StepModel {
    override val maxSeqLen = 1000
    override fun forward(ids: IntArray, start: Int): FloatArray = logits.copyOf()
    override fun resetCache() {}
    override fun close() {}
}

internal object Ids : TokenCodec {
    override fun encode(text: String): IntArray = intArrayOf(0)
    override fun streamDecoder(): (Int) -> String = { id -> "$id " }
}

fun floatOf(hex: String): Float = Float.fromBits(Integer.parseUnsignedInt(hex, 16))

fun main(args: Array<String>) {
    val out = StringBuilder()
    for (line in File(args[0]).readLines()) {
        val f = line.split(" ")
        val answer = when (f[0]) {
            "exp" -> java.lang.Long.toUnsignedString(
                Sampling.expNonPositive(Double.fromBits(java.lang.Long.parseUnsignedLong(f[1], 16))).toRawBits(), 16,
            )
            "rng" -> {
                val random = SplitMix64(java.lang.Long.parseUnsignedLong(f[1]))
                (0 until f[2].toInt()).joinToString(" ") { java.lang.Long.toUnsignedString(random.nextLong()) }
            }
            "sample", "generate" -> {
                val vocab = f[1].toInt()
                val temperature = floatOf(f[2])
                val topK = f[3].toInt()
                val topP = floatOf(f[4])
                val seed = if (f[5] == "-") null else java.lang.Long.parseUnsignedLong(f[5])
                val draws = f[6].toInt()
                val logits = FloatArray(vocab) { floatOf(f[7 + it]) }
                if (f[0] == "sample") {
                    val random = SplitMix64(seed!!)
                    (0 until draws).joinToString(" ") {
                        Sampling.sample(logits, temperature, topK, topP, random).toString()
                    }
                } else {
                    val gen = StepGenerator(Fixed(logits), Ids, IntArray(0), setOf(-1))
                    val settings = GenerationSettings(
                        maxNewTokens = draws, temperature = temperature, topK = topK, topP = topP, seed = seed,
                    )
                    val first = StringBuilder()
                    gen.generate("p", settings) { first.append(it) }
                    gen.reset()
                    val second = StringBuilder()
                    gen.generate("p", settings) { second.append(it) }
                    first.toString().trim() + ";" + second.toString().trim()
                }
            }
            "invalid" -> try {
                GenerationSettings(
                    maxNewTokens = f[1].toInt(), temperature = floatOf(f[2]), topK = f[3].toInt(), topP = floatOf(f[4]),
                )
                "ok"
            } catch (e: IllegalArgumentException) {
                "error " + e.message
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

final class Fixed: StepModel {
    let maxSeqLen = 1000
    let logits: [Float]
    init(_ logits: [Float]) { self.logits = logits }
    func forward(_ ids: [Int32], start: Int) throws -> [Float] { logits }
    func resetCache() throws {}
}

struct Ids: TokenCodec {
    func encode(_ text: String) -> [Int32] { [0] }
    func streamDecoder() -> (Int32) -> String { { id in "\(id) " } }
}

func floatOf(_ hex: Substring) -> Float { Float(bitPattern: UInt32(hex, radix: 16)!) }

func answer(_ f: [Substring]) throws -> String {
    switch f[0] {
    case "exp":
        return String(Sampling.expNonPositive(Double(bitPattern: UInt64(f[1], radix: 16)!)).bitPattern, radix: 16)
    case "rng":
        var random = SplitMix64(seed: UInt64(f[1])!)
        return (0..<Int(f[2])!).map { _ in String(random.next()) }.joined(separator: " ")
    case "sample", "generate":
        let vocab = Int(f[1])!
        let temperature = floatOf(f[2])
        let topK = Int(f[3])!
        let topP = floatOf(f[4])
        let seed: UInt64? = f[5] == "-" ? nil : UInt64(f[5])!
        let draws = Int(f[6])!
        let logits = (0..<vocab).map { floatOf(f[7 + $0]) }
        if f[0] == "sample" {
            var random = SplitMix64(seed: seed!)
            return (0..<draws).map { _ in
                String(Sampling.sample(logits, temperature: temperature, topK: topK, topP: topP, using: &random))
            }.joined(separator: " ")
        }
        let gen = StepGenerator(model: Fixed(logits), codec: Ids(), bosIds: [], eosIds: [-1])
        let settings = try GenerationSettings(
            maxNewTokens: draws, temperature: Double(temperature), topK: topK, topP: Double(topP), seed: seed
        ).validated(maxSequenceLength: 1000)
        var first = ""
        try gen.generate("p", settings: settings) { first += $0 }
        try gen.reset()
        var second = ""
        try gen.generate("p", settings: settings) { second += $0 }
        let trim = CharacterSet.whitespaces
        return first.trimmingCharacters(in: trim) + ";" + second.trimmingCharacters(in: trim)
    case "invalid":
        do {
            _ = try GenerationSettings(
                maxNewTokens: Int(f[1])!, temperature: Double(floatOf(f[2])),
                topK: Int(f[3])!, topP: Double(floatOf(f[4]))
            ).validated(maxSequenceLength: 1000)
            return "ok"
        } catch let error as StepsError {
            return "error " + (error.errorDescription ?? "")
        }
    default:
        fatalError("unknown line \(f[0])")
    }
}

let text = try String(contentsOfFile: CommandLine.arguments[1], encoding: .utf8)
var out = ""
for line in text.split(separator: "\n") {
    out += try answer(line.split(separator: " ")) + "\n"
}
print(out, terminator: "")
"""

GENERATE_SETTINGS = [(1.0, 0, 1.0), (0.8, 5, 1.0), (1.0, 0, 0.9), (0.7, 10, 0.8), (0.0, 0, 1.0)]
INVALID = [
    (1, 0.8, 0, 1.0),
    (0, 0.8, 0, 1.0),
    (-3, 0.8, 0, 1.0),
    (4, -0.5, 0, 1.0),
    (4, math.inf, 0, 1.0),
    (4, math.nan, 0, 1.0),
    (4, 0.0, 0, 1.0),
    (4, 0.8, -1, 1.0),
    (4, 0.8, 50, 1.0),
    (4, 0.8, 0, 0.0),
    (4, 0.8, 0, -0.1),
    (4, 0.8, 0, 1.5),
    (4, 0.8, 0, math.nan),
    (4, 0.8, 0, 1e-7),
    (4, 0.8, 3, 0.5),
]


def _u64_bits(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def _exp_inputs() -> list[float]:
    rnd = random.Random(11)
    xs = [0.0, -0.0, -(2.0**-29), -(2.0**-28), -1e-9, -0.5, -math.log(2) / 2, -1.0, -math.log(2) * 1.5]
    xs += [-20.0, -87.3, -103.9, -708.0, -708.4, -709.0, -720.0, -744.0, -745.0, -745.1332, -745.2, -1000.0]
    xs += [-math.inf, sampler.UNDERFLOW, math.nextafter(sampler.UNDERFLOW, 0.0)]
    xs += [-rnd.expovariate(rate) for rate in (0.01, 0.1, 1.0, 10.0) for _ in range(500)]
    return xs


def build_vectors(path: Path) -> tuple[list[str], list[str], int]:
    """Writes the driver input to ``path``; returns its lines, the expected output lines, and the number of
    sampled tokens those lines check."""
    lines: list[str] = []
    expected: list[str] = []
    tokens = 0
    for x in _exp_inputs():
        lines.append(f"exp {_u64_bits(x):x}")
        expected.append(f"{_u64_bits(exp_nonpositive(x)):x}")
    for seed in (0, 1, 1234567, 0xDEADBEEF, (1 << 63) + 5, sampler.MASK64):
        rng = SplitMix64(seed)
        lines.append(f"rng {seed} 10")
        expected.append(" ".join(str(rng.next_u64()) for _ in range(10)))
    for case in sampler.golden_vectors():
        lines.append("sample " + case.line())
        expected.append(" ".join(map(str, case.ids)))
        tokens += len(case.ids)
    rnd = random.Random(23)
    for n in (3, 50, 300):
        logits = [rnd.gauss(0.0, 2.0) for _ in range(n)]
        for t, k, p in GENERATE_SETTINGS:
            for seed in (7, 2**64 - 7):
                case = run_case(logits, t, k, p, seed, 12)
                lines.append("generate " + case.line())
                ids = " ".join(map(str, case.ids))
                expected.append(ids + ";" + ids)
                tokens += 2 * len(case.ids)
    for max_new, t, k, p in INVALID:
        lines.append(f"invalid {max_new} {f32_bits(t):08x} {k} {f32_bits(p):08x}")
        field = settings_error(max_new, f32(t), k, f32(p))
        expected.append("ok" if field is None else f"error {field}")
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return lines, expected, tokens


UNSEEDED = run_case([float(i % 17) - 8.0 for i in range(64)], 1.5, 4, 1.0, 0, 12)


def _with_unseeded(path: Path) -> None:
    line = UNSEEDED.line().split(" ")
    line[4] = "-"
    with path.open("a", encoding="utf-8") as f:
        f.write("generate " + " ".join(line) + "\n")


def _compare(got: list[str], lines: list[str], expected: list[str], language: str) -> None:
    assert len(got) == len(lines) + 1, f"{language}: {len(got)} answers for {len(lines) + 1} lines"
    mismatches = []
    for line, want, have in zip(lines, expected, got, strict=False):
        # A refusal must name the settings ("|"-separated); the rest of the message is the SDK's wording.
        refused = want.startswith("error ")
        named = refused and have.startswith("error ") and all(s in have for s in want[len("error ") :].split("|"))
        if (refused and not named) or (not refused and have != want):
            mismatches.append(f"{line[:120]}\n  want {want[:200]}\n  have {have[:200]}")
    assert not mismatches, f"{language}: {len(mismatches)} of {len(lines)} differ:\n" + "\n".join(mismatches[:10])
    # Unseeded: two calls (fresh system seeds) that only need to stay within the top 4 ranked tokens.
    allowed = sorted(range(64), key=lambda i: (-(float(i % 17) - 8.0), i))[:4]
    for part in got[-1].split(";"):
        ids = [int(v) for v in part.split()]
        assert len(ids) == 12 and set(ids) <= set(allowed), f"{language}: unseeded draws {ids} outside {allowed}"


def _run(argv: list[str]) -> tuple[list[str], float]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"{argv[0]} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout.splitlines(), time.perf_counter() - start


def test_reference_exp_is_within_one_ulp_of_libm() -> None:
    for x in _exp_inputs():
        want = math.exp(x)
        assert abs(exp_nonpositive(x) - want) <= math.ulp(want), x


def test_reference_splitmix64_matches_the_published_sequence() -> None:
    # Vigna's splitmix64.c seeded with 1234567: the first outputs of its reference implementation.
    rng = SplitMix64(1234567)
    assert [rng.next_u64() for _ in range(3)] == [6457827717110365317, 3203168211198807973, 9817491932198370423]


def test_reference_top_k_and_top_p_keep_what_they_promise() -> None:
    rnd = random.Random(3)
    logits = [f32(rnd.gauss(0, 2)) for _ in range(40)]
    order = sorted(range(40), key=lambda i: (-logits[i], i))
    rng = SplitMix64(9)
    assert {sampler.sample(logits, 1.0, 3, 1.0, rng) for _ in range(300)} == set(order[:3])
    # top_p below the top token's probability keeps that token alone.
    top = max(logits)
    prob = 1.0 / sum(math.exp(v - top) for v in logits)
    assert {sampler.sample(logits, 1.0, 0, f32(prob * 0.9), rng) for _ in range(50)} == {order[0]}
    assert sampler.sample(logits, 0.0, 0, 1.0, rng) == order[0]


def test_kotlin_sampler_matches_the_reference(tmp_path: Path) -> None:
    compiler = find_kotlin_compiler()
    if compiler is None or compiler.java is None:
        pytest.skip("no Kotlin compiler found (pip install kotlin-jupyter-kernel, or install kotlinc)")
    vectors = tmp_path / "vectors.txt"
    lines, expected, _ = build_vectors(vectors)
    _with_unseeded(vectors)
    sources = []
    for i, template in enumerate(KOTLIN):
        sources.append(tmp_path / f"T{i}.kt")
        sources[-1].write_text(_render(template), encoding="utf-8")
    (tmp_path / "Main.kt").write_text(KOTLIN_DRIVER, encoding="utf-8")
    result = compile_kotlin([*sources, tmp_path / "Main.kt"], tmp_path / "out", compiler=compiler)
    assert result.ok, result.diagnostics
    classpath = ":".join(str(p) for p in [tmp_path / "out", *compiler.compile_classpath()])
    got, _ = _run([str(compiler.java), "-cp", classpath, "com.example.steps.MainKt", str(vectors)])
    _compare(got, lines, expected, "Kotlin")


def test_swift_sampler_matches_the_reference(tmp_path: Path) -> None:
    if find_swift() is None:
        pytest.skip("no Swift toolchain found (swift on PATH, $SWIFT_HOME or /opt/swift)")
    vectors = tmp_path / "vectors.txt"
    lines, expected, _ = build_vectors(vectors)
    _with_unseeded(vectors)
    target = tmp_path / "pkg" / "Sources" / "StepDriver"
    target.mkdir(parents=True)
    for i, template in enumerate(SWIFT):
        (target / f"T{i}.swift").write_text(_render(template), encoding="utf-8")
    (target / "main.swift").write_text(SWIFT_DRIVER, encoding="utf-8")
    (tmp_path / "pkg" / "Package.swift").write_text(SWIFT_MANIFEST, encoding="utf-8")
    result = build_swift_package(tmp_path / "pkg", build_tests=False, scratch_dir=tmp_path / "build")
    assert result.ok, result.output[-5000:]
    got, _ = _run([str(tmp_path / "build" / "debug" / "StepDriver"), str(vectors)])
    _compare(got, lines, expected, "Swift")
