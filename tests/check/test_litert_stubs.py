"""The LiteRT compile stubs (tests/stubs/android/com/google/ai/edge/litert) are as strict as the real API.

They follow LiteRT v2.2.0's Kotlin sources (see each stub's header). A stub looser than the real API lets a
template compile here and fail in an app, so this checks both directions from a separate module, as an app
sees the AAR: real public usages compile, and uses the real API forbids (private, internal, nested, wrong
parameter names or order, a non-exhaustive ``when`` over ``Status``) fail, each on its own line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sdkgen.check.kotlin import KotlinCompileResult, compile_kotlin, find_kotlin_compiler

STUBS = Path(__file__).resolve().parents[1] / "stubs" / "android"
COMPILER = find_kotlin_compiler()

# Public API of LiteRT 2.2.0 as an app uses it: every line must compile.
GOOD_SOURCE = """\
package com.example.litert

import android.content.Context
import android.content.res.AssetManager
import com.google.ai.edge.litert.Accelerator
import com.google.ai.edge.litert.BuiltinNpuAcceleratorProvider
import com.google.ai.edge.litert.CompiledModel
import com.google.ai.edge.litert.Environment
import com.google.ai.edge.litert.LiteRtException
import com.google.ai.edge.litert.NpuAcceleratorProvider
import com.google.ai.edge.litert.NpuCompatibilityChecker
import com.google.ai.edge.litert.Status
import com.google.ai.edge.litert.TensorBuffer
import com.google.ai.edge.litert.TensorBufferType
import com.google.ai.edge.litert.TensorType

class DownloadedNpu(private val dir: String) : NpuAcceleratorProvider {
    override fun isDeviceSupported() = NpuCompatibilityChecker.Default.isDeviceSupported()
    override fun isLibraryReady() = true
    override suspend fun downloadLibrary() {}
    override fun getLibraryDir() = dir
}

fun options(): CompiledModel.Options =
    CompiledModel.Options(Accelerator.GPU, Accelerator.CPU).apply {
        cpuOptions = CompiledModel.CpuOptions(numThreads = 2, xnnPackWeightCachePath = null)
        gpuOptions = CompiledModel.GpuOptions(
            constantTensorSharing = true,
            precision = CompiledModel.GpuOptions.Precision.FP16,
            bufferStorageType = CompiledModel.GpuOptions.BufferStorageType.BUFFER,
            backend = CompiledModel.GpuOptions.Backend.OPENCL,
            priority = CompiledModel.GpuOptions.Priority.HIGH,
            numStepsOfCommandBufferPreparations = 4,
        )
        qualcommOptions = CompiledModel.QualcommOptions(
            htpPerformanceMode = CompiledModel.QualcommOptions.HtpPerformanceMode.BURST,
        )
    }

fun describe(e: LiteRtException): String = e.message ?: Status.fromCode(Status.ErrorNotFound.code).name

fun describe(type: TensorType): String {
    val layout = type.layout ?: TensorType.Layout(intArrayOf(1, 4))
    return "${type.elementType} ${layout.dimensions} ${layout.rank} ${layout.hasStrides}"
}

fun runAll(context: Context, assets: AssetManager, path: String): List<Float> {
    val env = Environment.create(context, mapOf(Environment.Option.DispatchLibraryDir to "/x"), false)
    Environment.create(context, BuiltinNpuAcceleratorProvider(context)).close()
    Environment.create(DownloadedNpu("/npu")).close()
    val accelerators: Set<Accelerator> = env.getAvailableAccelerators()
    val model =
        if (Accelerator.NPU in accelerators) CompiledModel.create(assets, "m.tflite", options(), env)
        else CompiledModel.create(path)
    return model.use { m ->
        val requirements = m.getInputBufferRequirements("x", "decode")
        check(TensorBufferType.HostMemory in requirements.supportedTypes && requirements.bufferSize > 0)
        val inputs: List<TensorBuffer> = m.createInputBuffers("decode")
        val outputs = m.createOutputBuffers(0)
        inputs[0].writeFloat(floatArrayOf(1f))
        m.run(inputs, outputs, "decode")
        m.run(mapOf("x" to m.createInputBuffer("x")), mapOf("y" to m.createOutputBuffer("y", "decode")))
        describe(m.getOutputTensorType("y", "decode"))
        outputs[0].readFloat().toList()
    }
}

fun fromFile(path: String): CompiledModel = CompiledModel.create(path, CompiledModel.Options.CPU, Environment.create())

val fromCode: LiteRtException = LiteRtException(3, "runtime")
val acceleratorCode: Int = Accelerator.GPU.value + Environment.Option.CompilerPluginLibraryDir.value
"""

# Each must fail to compile against the stubs, as against the real AAR, with an error on its own line that contains
# the fragment; a stub that accepts one is too loose.
BAD_LINES: dict[str, tuple[str, str]] = {
    "status is private": ("fun a(e: LiteRtException) = e.status", "private"),
    "Layout is nested in TensorType": (
        "fun b() = com.google.ai.edge.litert.Layout(listOf(1))",
        "unresolved reference 'Layout'",
    ),
    "Options.accelerators is internal": ("fun c() = CompiledModel.Options(Accelerator.CPU).accelerators", "internal"),
    "GpuOptions starts with constantTensorSharing": (
        "fun d() = CompiledModel.GpuOptions(CompiledModel.GpuOptions.Precision.FP16)",
        "'Boolean?' was expected",
    ),
    "no GpuOptions parameter numThreads": ("fun e() = CompiledModel.GpuOptions(numThreads = 2)", "'numThreads'"),
    "JniHandle's constructor is internal": (
        "fun f() = object : JniHandle(1L) { override fun destroy() {} }",
        "internal",
    ),
    "JniHandle.handle is internal": ("fun g(m: CompiledModel) = m.handle", "internal"),
    "Accelerator.of is internal": ("fun h() = Accelerator.of(1)", "internal"),
    "TensorBuffer's constructor is internal": ("fun i() = TensorBuffer(1L)", "internal"),
    "Options is final": ("class Mine : CompiledModel.Options(Accelerator.CPU)", "final"),
    "Status has 31 values": (
        "fun j(s: Status): Int = when (s) { Status.Ok -> 0; Status.ErrorInvalidArgument -> 1; "
        "Status.ErrorMemoryAllocationFailure -> 2; Status.ErrorRuntimeFailure -> 3; Status.ErrorUnsupported -> 5 }",
        "exhaustive",
    ),
    "getInputTensorType takes the name first": (
        'fun k(m: CompiledModel) = m.getInputTensorType(signature = "s")',
        "'inputName'",
    ),
}

BAD_HEADER = """\
package com.example.bad

import com.google.ai.edge.litert.Accelerator
import com.google.ai.edge.litert.CompiledModel
import com.google.ai.edge.litert.JniHandle
import com.google.ai.edge.litert.LiteRtException
import com.google.ai.edge.litert.Status
import com.google.ai.edge.litert.TensorBuffer

"""


def _bad_source() -> tuple[str, dict[str, int]]:
    """The bad file, and the line of each case."""
    first = BAD_HEADER.count("\n") + 1
    lines = {name: first + i for i, name in enumerate(BAD_LINES)}
    return BAD_HEADER + "".join(code + "\n" for code, _ in BAD_LINES.values()), lines


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KotlinCompileResult]:
    if COMPILER is None:
        pytest.skip("no Kotlin compiler (pip install kotlin-jupyter-kernel)")
    root = tmp_path_factory.mktemp("litert")
    stubs = compile_kotlin([STUBS], root / "stubs", compiler=COMPILER)
    assert stubs.ok, stubs.diagnostics
    # Separate compiles, with the stubs as a classpath entry: `internal` then means what it means to an app.
    results = {}
    for name, text in (("good", GOOD_SOURCE), ("bad", _bad_source()[0])):
        src = root / f"{name}-src" / f"{name.capitalize()}.kt"
        src.parent.mkdir()
        src.write_text(text, encoding="utf-8")
        results[name] = compile_kotlin([src], root / f"{name}-classes", [root / "stubs"], compiler=COMPILER)
    return results


def test_real_public_api_compiles(compiled: dict[str, KotlinCompileResult]) -> None:
    result = compiled["good"]
    assert result.ok, result.diagnostics


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_what_the_real_api_forbids_does_not_compile(compiled: dict[str, KotlinCompileResult], case: str) -> None:
    result = compiled["bad"]
    line = _bad_source()[1][case]
    fragment = BAD_LINES[case][1]
    assert not result.ok
    here = [error for error in result.errors if f"Bad.kt:{line}:" in error]
    assert any(fragment in error for error in here), f"{case}: no error with {fragment!r} on line {line}\n" + (
        result.diagnostics
    )
