"""Tests of sdkgen.check.kotlin: finding a Kotlin compiler, compiling against tests/stubs/android.

Every compile starts a JVM (about 3-6 s each here), so the compiles happen once per module in fixtures.
The compile tests are skipped only when no compiler is found. `test_compiler_found_in_ci` fails instead
of skipping when the CI environment variable is set.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sdkgen.check import kotlin as kotlin_mod
from sdkgen.check.kotlin import (
    KotlinCompiler,
    KotlinCompileResult,
    compile_kotlin,
    find_kotlin_compiler,
    require_kotlin_compiler,
)
from sdkgen.errors import CheckFailed, ToolchainMissing

STUBS = Path(__file__).resolve().parents[1] / "stubs" / "android"

COMPILER = find_kotlin_compiler()
needs_compiler = pytest.mark.skipif(COMPILER is None, reason="no Kotlin compiler (pip install kotlin-jupyter-kernel)")

# What a generated library typically does: copy assets, wrap LlmModule in a Flow, use Module/Tensor/EValue.
LIBRARY_SOURCE = """\
package com.example.tinyllm

import android.content.Context
import android.util.Log
import androidx.annotation.Keep
import androidx.annotation.WorkerThread
import java.io.Closeable
import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.withContext
import org.pytorch.executorch.DType
import org.pytorch.executorch.EValue
import org.pytorch.executorch.ExecutorchRuntimeException
import org.pytorch.executorch.Module
import org.pytorch.executorch.Tensor
import org.pytorch.executorch.extension.llm.LlmCallback
import org.pytorch.executorch.extension.llm.LlmGenerationConfig
import org.pytorch.executorch.extension.llm.LlmModule
import org.pytorch.executorch.extension.llm.LlmModuleConfig

@Keep
class TinyLlm private constructor(private val module: LlmModule) : Closeable {

    fun generate(prompt: String, maxNewTokens: Int = 64): Flow<String> = callbackFlow {
        val callback = object : LlmCallback {
            override fun onResult(result: String) {
                trySend(result)
            }

            override fun onError(errorCode: Int, message: String) {
                close(ExecutorchRuntimeException(errorCode, message))
            }
        }
        val config = LlmGenerationConfig.create()
            .maxNewTokens(maxNewTokens)
            .echo(false)
            .temperature(0.0f)
            .build()
        try {
            module.generate(prompt, config, callback)
            close()
        } catch (e: RuntimeException) {
            close(e)
        }
        awaitClose { module.stop() }
    }.buffer(64).flowOn(Dispatchers.Default)

    suspend fun warmUp() = withContext(Dispatchers.IO) { module.load() }

    override fun close() = module.close()

    companion object {
        private const val TAG = "TinyLlm"

        @WorkerThread
        @JvmStatic
        fun open(context: Context, modelAsset: String, tokenizerAsset: String): TinyLlm {
            val model = copyAsset(context, modelAsset)
            val tokenizer = copyAsset(context, tokenizerAsset)
            val config = LlmModuleConfig.create()
                .modulePath(model.absolutePath)
                .tokenizerPath(tokenizer.absolutePath)
                .loadMode(LlmModuleConfig.LOAD_MODE_MMAP)
                .build()
            Log.i(TAG, "loaded ${model.name} (${model.length()} bytes)")
            return TinyLlm(LlmModule(config))
        }

        private fun copyAsset(context: Context, name: String): File {
            val target = File(context.applicationContext.filesDir, name)
            if (!target.exists()) {
                context.assets.open(name).use { input ->
                    target.outputStream().use { output -> input.copyTo(output) }
                }
            }
            return target
        }
    }
}

class Classifier(path: String) : Closeable {
    private val module = Module.load(path, Module.LOAD_MODE_MMAP)

    fun logits(pixels: FloatArray, shape: LongArray): FloatArray {
        // Upstream names the scalar parameters `value` (EValue.kt v1.4.1), so named arguments must use it.
        val outputs = module.forward(EValue.from(Tensor.fromBlob(pixels, shape)), EValue.from(value = 1L))
        check(outputs.isNotEmpty() && outputs[0].isTensor) { "forward returned no tensor" }
        val tensor = outputs[0].toTensor()
        check(tensor.dtype() == DType.FLOAT)
        return tensor.dataAsFloatArray
    }

    fun tokens(ids: LongArray): Long = Tensor.fromBlob(ids, longArrayOf(1, ids.size.toLong())).numel() +
        Tensor.fromBlob(IntArray(2), longArrayOf(2)).numel()

    fun legacyReset(module: LlmModule) = module.resetNative()  // deprecated: a warning, not an error

    override fun close() = module.close()
}
"""

# What a generated instrumented test typically does.
INSTRUMENTED_TEST_SOURCE = """\
package com.example.tinyllm

import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith

@RunWith(AndroidJUnit4::class)
class TinyLlmGoldenTest {
    private lateinit var llm: TinyLlm

    @Before
    fun setUp() {
        val context = InstrumentationRegistry.getInstrumentation().targetContext
        llm = TinyLlm.open(context, "model.pte", "tokenizer.json")
    }

    @After
    fun tearDown() = llm.close()

    @Test
    fun greedyMatchesGolden() = runBlocking {
        val pieces = llm.generate("Hello", maxNewTokens = 8).toList()
        assertTrue(pieces.isNotEmpty())
        assertEquals("expected text", "Hello world", pieces.joinToString(""))
        assertArrayEquals(floatArrayOf(1f), floatArrayOf(1f), 1e-4f)
    }
}
"""

TYPE_ERROR_SOURCE = """\
package com.example.bad

fun broken(): Int {
    val x: Int = "a"
    return x
}
"""

SAM_LAMBDA_SOURCE = """\
package com.example.bad

import org.pytorch.executorch.extension.llm.LlmCallback
import org.pytorch.executorch.extension.llm.LlmModule

fun samLambda(module: LlmModule) {
    module.generate("hi", LlmCallback { piece -> println(piece) })
}

fun trailingLambda(module: LlmModule) {
    module.generate("hi", 16) { piece: String -> println(piece) }
}
"""


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KotlinCompileResult]:
    """Compile once per module: the stubs alone, then good and bad sources against the stub classes."""
    if COMPILER is None:
        pytest.skip("no Kotlin compiler (pip install kotlin-jupyter-kernel)")
    root = tmp_path_factory.mktemp("kotlin")
    results: dict[str, KotlinCompileResult] = {}
    results["stubs"] = compile_kotlin([STUBS], root / "stubs-classes", compiler=COMPILER)
    stub_classes = [root / "stubs-classes"]
    good = root / "good"
    _write(good / "main", "TinyLlm.kt", LIBRARY_SOURCE)
    _write(good / "androidTest", "TinyLlmGoldenTest.kt", INSTRUMENTED_TEST_SOURCE)
    results["good"] = compile_kotlin([good], root / "good-classes", stub_classes, compiler=COMPILER)
    results["type_error"] = compile_kotlin(
        [_write(root / "type-error", "Broken.kt", TYPE_ERROR_SOURCE)],
        root / "type-error-classes",
        stub_classes,
        compiler=COMPILER,
    )
    results["sam_lambda"] = compile_kotlin(
        [_write(root / "sam-lambda", "Sam.kt", SAM_LAMBDA_SOURCE)],
        root / "sam-lambda-classes",
        stub_classes,
        compiler=COMPILER,
    )
    for name, result in results.items():  # shown with -s / in the report of a failing test
        print(f"compile {name}: ok={result.ok} {result.seconds:.1f} s")
    return results


def test_compiler_found_in_ci() -> None:
    if COMPILER is None:
        message = "no Kotlin compiler found; the CI image must have kotlin-jupyter-kernel (or kotlinc) and a JDK"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert COMPILER.version and COMPILER.version != "unknown"
    assert COMPILER.coroutines is not None and COMPILER.coroutines.is_file()
    assert COMPILER.stdlib and all(p.is_file() for p in COMPILER.stdlib)


@needs_compiler
def test_embedded_coroutines_jar_holds_only_coroutines() -> None:
    import zipfile

    assert COMPILER is not None and COMPILER.coroutines is not None
    with zipfile.ZipFile(COMPILER.coroutines) as jar:
        names = jar.namelist()
    assert "META-INF/kotlinx-coroutines-core.kotlin_module" in names
    assert "kotlinx/coroutines/flow/FlowKt.class" in names
    outside = [n for n in names if not n.startswith(("kotlinx/coroutines/", "_COROUTINE/", "META-INF/"))]
    assert outside in ([], ["DebugProbesKt.bin"])


@needs_compiler
def test_stubs_compile_alone(compiled: dict[str, KotlinCompileResult]) -> None:
    result = compiled["stubs"]
    assert result.ok, result.diagnostics
    assert result.errors == []
    out = result.out_dir
    # Kotlin stubs compiled by kotlinc, Java stubs by javac, into one class tree.
    assert (out / "org/pytorch/executorch/extension/llm/LlmModule.class").is_file()
    if COMPILER is not None and COMPILER.javac is not None:
        assert result.javac_command is not None
        assert (out / "android/content/Context.class").is_file()
        assert (out / "org/junit/Assert.class").is_file()


@needs_compiler
def test_library_and_instrumented_test_compile_against_stubs(compiled: dict[str, KotlinCompileResult]) -> None:
    result = compiled["good"]
    assert result.ok, result.diagnostics
    assert (result.out_dir / "com/example/tinyllm/TinyLlm.class").is_file()
    assert (result.out_dir / "com/example/tinyllm/TinyLlmGoldenTest.class").is_file()
    # A deprecation is reported but does not fail the compile.
    assert any("resetNative" in line for line in result.warnings), result.diagnostics
    assert "-Werror" not in result.command
    assert "-jvm-target" in result.command


@needs_compiler
def test_type_error_fails_with_diagnostic(compiled: dict[str, KotlinCompileResult]) -> None:
    result = compiled["type_error"]
    assert not result.ok
    assert result.returncode not in (0, None)
    assert any("Broken.kt:4" in line for line in result.errors), result.diagnostics
    assert "mismatch" in result.diagnostics.lower()
    with pytest.raises(CheckFailed) as info:
        result.raise_for_failure("TinyLlm.kt")
    assert "Broken.kt" in str(info.value) and "hint:" in str(info.value)


@needs_compiler
def test_sam_lambda_for_llm_callback_fails(compiled: dict[str, KotlinCompileResult]) -> None:
    # LlmCallback is a plain Kotlin interface in ExecuTorch 1.4: no SAM conversion.
    result = compiled["sam_lambda"]
    assert not result.ok
    assert any("Sam.kt:7" in line for line in result.errors), result.diagnostics
    assert any("Sam.kt:11" in line for line in result.errors), result.diagnostics
    assert "LlmCallback" in result.diagnostics


# --------------------------------------------------------------------------------------------------
# discovery, without starting a JVM


def _scrub_env(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("PATH", str(path))
    monkeypatch.delenv("KOTLIN_HOME", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)


def _fake_kotlinc_home(root: Path, build: str, *, coroutines: bool = True) -> Path:
    home = root / f"kotlinc-{build}"
    (home / "bin").mkdir(parents=True)
    (home / "lib").mkdir()
    launcher = home / "bin" / "kotlinc"
    launcher.write_text("#!/bin/sh\necho 'info: kotlinc-jvm 0.0.0'\n")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (home / "build.txt").write_text(build + "\n")
    (home / "lib" / "kotlin-stdlib.jar").write_bytes(b"")
    if coroutines:
        (home / "lib" / "kotlinx-coroutines-core-jvm.jar").write_bytes(b"")
    return home


def test_prefers_kotlinc_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _fake_kotlinc_home(tmp_path, "2.1.0-release-394")
    _scrub_env(monkeypatch, home / "bin")
    compiler = find_kotlin_compiler()
    assert compiler is not None
    assert compiler.kind == "kotlinc"
    assert compiler.version == "2.1.0-release-394"
    assert compiler.coroutines == home / "lib" / "kotlinx-coroutines-core-jvm.jar"
    assert compiler.launcher()[0] == str(home / "bin" / "kotlinc")
    assert "-J-Xmx1g" in compiler.launcher()
    assert compiler.language_version_args("2.1") == ["-language-version", "2.1", "-api-version", "2.1"]
    assert compiler.language_version_args("2.2") == []


def test_kotlin_home_wins_over_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = _fake_kotlinc_home(tmp_path, "2.0.21-release-482")
    explicit = _fake_kotlinc_home(tmp_path, "2.2.0-release-100")
    _scrub_env(monkeypatch, on_path / "bin")
    monkeypatch.setenv("KOTLIN_HOME", str(explicit))
    compiler = find_kotlin_compiler()
    assert compiler is not None and compiler.version == "2.2.0-release-100"


def test_old_kotlinc_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _fake_kotlinc_home(tmp_path, "1.3.31")
    _scrub_env(monkeypatch, home / "bin")
    monkeypatch.setattr(kotlin_mod, "_kernel_distribution", lambda: None)
    assert find_kotlin_compiler() is None
    with pytest.raises(ToolchainMissing) as info:
        require_kotlin_compiler()
    assert "1.3.31" in str(info.value)


def test_nothing_found_raises_toolchain_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _scrub_env(monkeypatch, tmp_path)  # no kotlinc, no java
    assert find_kotlin_compiler() is None
    source = _write(tmp_path, "A.kt", "fun a() = 1\n")
    with pytest.raises(ToolchainMissing) as info:
        compile_kotlin([source], tmp_path / "out")
    error = info.value
    assert error.exit_code == 4
    assert "pip install kotlin-jupyter-kernel" in str(error)
    assert "kotlinc" in (error.hint or "")


def test_missing_source_is_an_argument_error(tmp_path: Path) -> None:
    fake = KotlinCompiler(
        kind="embedded",
        version="2.1.0",
        java=Path("/nonexistent/java"),
        compiler_jar=Path("/nonexistent/all.jar"),
        kotlinc=None,
        stdlib=(),
        coroutines=None,
        javac=None,
    )
    with pytest.raises(FileNotFoundError):
        compile_kotlin([tmp_path / "missing.kt"], tmp_path / "out", compiler=fake)
    with pytest.raises(ValueError):
        compile_kotlin([], tmp_path / "out", compiler=fake)
