"""End to end on the real sample: sdkgen.toml -> verified .pte -> Android library + Swift package -> report.

One build is shared by the module (about a minute on 2 cores); the cache, failure and determinism tests
reuse its stage cache where the stage inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from sdkgen import junit
from sdkgen.cli import main
from sdkgen.config import load_config, parse_config
from sdkgen.errors import VerificationFailed
from sdkgen.pipeline import BuildResult, build
from tests.conftest import host_run, no_missing_system_package

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "tiny-llm"


def _digest(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in skip
    }


@pytest.fixture(scope="module", autouse=True)
def _host_runs() -> Iterator[None]:
    """Every build here runs the host run, so the builds that reuse ``built``'s cache reuse its check stages."""
    with host_run():
        yield


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> BuildResult:
    out = tmp_path_factory.mktemp("dist")
    with host_run():
        return build(load_config(SAMPLE), out, cache_root=cache, log=lambda m: None)


def test_build_is_verified_and_complete(built: BuildResult) -> None:
    r = built.report
    assert built.passed and r["status"] == "passed"
    checks = {c["name"]: c for c in r["verification"]["executorch:xnnpack"]}
    assert set(checks) == {"runner-metadata", "logits", "greedy-tokens", "llm-runner", "perplexity"}
    for name in ("runner-metadata", "logits", "greedy-tokens", "perplexity"):
        assert checks[name]["status"] == "passed", checks[name]
    assert checks["llm-runner"]["status"] in ("passed", "not_executed")
    assert checks["logits"]["data"]["max_relative_error"] <= 0.05
    # Held-out perplexity measured on the .pte (8da4w) against the fp32 eager model, under the 5% gate.
    ppl = checks["perplexity"]["data"]
    assert ppl["tokens"] > 1000 and 0 <= ppl["increase"] <= ppl["max_increase"] == 0.05
    effect = r["compression_effect"]
    assert effect["perplexity_fp32"] == ppl["fp32_perplexity"] and effect["perplexity_compressed"] > 1
    out = built.output
    for f in (
        "tiny-llm-xnnpack.pte",
        "tokenizer.json",
        "model-spec.json",
        "report.json",
        "report.md",
        "android/build.gradle.kts",
        "ios/Package.swift",
    ):
        assert (out / f).is_file(), f
    pte = (out / "tiny-llm-xnnpack.pte").read_bytes()
    assert (out / "android/src/main/assets/tiny-llm/tiny-llm-xnnpack.pte").read_bytes() == pte
    assert (out / "ios/Sources/TinyLlmKit/Resources/tiny-llm-xnnpack.pte").read_bytes() == pte
    art = r["artifacts"][0]
    assert art["sha256"] == hashlib.sha256(pte).hexdigest() and art["delegates"] == ["XnnpackBackend"]
    # Coverage comes from the program's instructions: XNNPACK subgraphs plus portable kernels (the KV cache
    # update and attention, ExecuTorch's LLM kernels, among them), each counted per call.
    assert 0 < art["coverage"]["delegated_call_share"] < 1
    calls = art["coverage"]["portable_calls"]
    assert calls["llama::update_cache"] == 2 * calls["llama::custom_sdpa"] > 0 and "aten::index_put" not in calls
    assert "delegated calls" in (out / "report.md").read_text()
    assert json.loads((out / "report.json").read_text()) == r
    assert not list(out.parent.glob(".*staging*"))


def test_sdks_pin_the_exporting_runtime_and_carry_golden_vectors(built: BuildResult) -> None:
    et = version("executorch")
    out = built.output
    gradle = (out / "android/build.gradle.kts").read_text()
    assert f'api("org.pytorch:executorch-android") {{ version {{ strictly("{et}") }} }}' in gradle
    assert f'branch: "swiftpm-{et}"' in (out / "ios/Package.swift").read_text()
    spec = json.loads((out / "model-spec.json").read_text())
    android_test = next((out / "android/src/androidTest").rglob("*GoldenTest.kt")).read_text()
    swift_test = next((out / "ios/Tests" / f"{spec['ios']['module']}Tests").rglob("*GoldenTests.swift")).read_text()
    for case in spec["golden"]:
        assert case["output_ids"], "the sample model should continue every prompt"
        assert json.dumps(case["output_text"], ensure_ascii=False)[1:-1] in android_test
        assert json.dumps(case["output_text"], ensure_ascii=False)[1:-1] in swift_test


def test_report_says_what_was_not_executed(built: BuildResult) -> None:
    names = {n["check"] for n in built.report["not_executed"]}
    assert {"android: android-binding-build", "ios: ios-binding-build"} <= names
    assert all(n["reason"].startswith("not executed") for n in built.report["not_executed"])
    assert no_missing_system_package(built.report) == []
    sdk = {c["name"]: c["status"] for cs in built.report["sdk_checks"].values() for c in cs}
    assert sdk["kotlin-core-compile"] in ("passed", "not_executed")
    assert sdk["swift-core-build"] in ("passed", "not_executed")
    # The core's unit tests against the golden vectors of the shipped tokenizer.
    assert sdk["kotlin-core-tests"] in ("passed", "not_executed")
    assert sdk["swift-core-tests"] in ("passed", "not_executed")


def test_android_bindings_run_on_the_host(built: BuildResult) -> None:
    """The generated library and its device tests ran on the JVM over the real runtimes, on the artifacts the
    build wrote, for every Android backend this host executes."""
    run = {c["name"]: c for c in built.report["sdk_checks"]["android"]}["android-binding-run"]
    assert run["status"] == "passed", run["detail"]
    assert run["data"]["backends"] == ["EXECUTORCH_XNNPACK", "LITERT_CPU"] and run["data"]["skipped"] == {}
    assert {t.rsplit(".", 1)[1] for t in run["data"]["tests"]} == {"TinyLlmGoldenTest", "SdkgenHostReadmeTest"}


def test_ios_bindings_run_on_the_host(built: BuildResult) -> None:
    """The generated Swift package and its device tests ran with swift test over ExecuTorch's runtime, on the
    artifacts in the package's resources, for EXECUTORCH_XNNPACK; the Core ML backends are named as skipped."""
    run = {c["name"]: c for c in built.report["sdk_checks"]["ios"]}["ios-binding-run"]
    assert run["status"] == "passed", run["detail"]
    assert run["data"]["backends"] == ["EXECUTORCH_XNNPACK"]
    assert set(run["data"]["skipped"]) == {"EXECUTORCH_COREML", "COREML_ANE"}
    assert "Core ML" in run["data"]["skipped"]["EXECUTORCH_COREML"]
    assert run["data"]["tests"] == ["SdkgenHostReadmeTests", "TinyLlmGoldenTests"]
    assert "EXECUTORCH_COREML not executed here" in run["detail"] and "not covered" in run["detail"]


def test_a_misspelt_method_fails_the_ios_host_run(built: BuildResult, tmp_path: Path) -> None:
    from sdkgen.hostrun import ios

    sdk = tmp_path / "ios"
    shutil.copytree(built.output / "ios", sdk)
    source = sdk / "Sources/TinyLlmKit/TinyLlmExecutorchXnnpack.swift"
    text = source.read_text(encoding="utf-8")
    assert 'try module.load("forward")' in text
    source.write_text(text.replace('try module.load("forward")', 'try module.load("forwrad")'), encoding="utf-8")
    backends = ios.host_backends([("EXECUTORCH_XNNPACK", "executorch:xnnpack"), ("COREML_ANE", "coreml:ane")])
    with host_run():
        check = ios.run(sdk, tmp_path / "work", backends)
    assert check.status == "failed", check.detail[-3000:]
    assert "Failed to load method: forwrad" in check.detail and "Invalid argument" in check.detail, check.detail


#: A binding broken on purpose: (file, the text replaced, its replacement, what the failure must say).
BROKEN = {
    "max-new-tokens-dropped": (
        "TinyLlmExecutorchXnnpack.kt",
        "generator.generate(prompt, settings, sink)",
        "generator.generate(prompt, settings.copy(maxNewTokens = settings.maxNewTokens + 4), sink)",
        "EXECUTORCH_XNNPACK: continuation of",
    ),
    "runtime-method-misspelt": (
        "TinyLlmExecutorchXnnpack.kt",
        'module.loadMethod("forward")',
        'module.loadMethod("forwrad")',
        "Failed to load method: forwrad",
    ),
    "litert-signature-misspelt": (
        "TinyLlmLitertCpu.kt",
        'private const val DECODE = "decode"',
        'private const val DECODE = "decoder"',
        "signature 'decoder' not found",
    ),
}


def _broken_copy(built: BuildResult, tmp_path: Path, file: str, old: str, new: str) -> Path:
    sdk = tmp_path / "android"
    shutil.copytree(built.output / "android", sdk)
    source = next(sdk.rglob(file))
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{file} no longer contains {old!r}"
    source.write_text(text.replace(old, new), encoding="utf-8")
    return sdk


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_binding_fails_the_host_run(built: BuildResult, tmp_path: Path, name: str) -> None:
    from sdkgen.hostrun import android

    file, old, new, says = BROKEN[name]
    sdk = _broken_copy(built, tmp_path, file, old, new)
    backends = android.host_backends([("EXECUTORCH_XNNPACK", "executorch:xnnpack"), ("LITERT_CPU", "litert:cpu")])
    with host_run():
        check = android.run(sdk, "com.example.tinyllm", tmp_path / "work", backends)
    assert check.status == "failed" and says in check.detail, check.detail[-3000:]


def test_a_stream_decoder_that_splits_characters_fails_the_core_tests(built: BuildResult, tmp_path: Path) -> None:
    """Decoding each streamed token on its own loses the characters whose bytes span several tokens: the core's
    golden tests (run by the check stage) catch it on the ids of the tokenizer corpus."""
    from sdkgen.sdk.check import _kotlin_core

    old = "return { id -> decoder.push(id) }"
    new = "return { id -> tokenizer.decode(intArrayOf(id), skipSpecial = true) }"
    sdk = _broken_copy(built, tmp_path, "BpeCodec.kt", old, new)
    platform = ("import android.", "import androidx.", "import org.pytorch.", "import com.google.", "import kotlinx.")
    core = [
        p.relative_to(sdk)
        for p in [*(sdk / "src/main/kotlin").rglob("*.kt"), *(sdk / "src/test").rglob("*")]
        if p.is_file() and not any(i in p.read_text(encoding="utf-8", errors="replace") for i in platform)
    ]
    checks = {c.name: c for c in _kotlin_core(sdk, core, tmp_path / "work")}
    assert checks["kotlin-core-tests"].status == "failed", checks["kotlin-core-tests"].detail
    assert "streamed" in checks["kotlin-core-tests"].detail


def test_second_build_reuses_every_stage(built: BuildResult, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _digest(built.output, skip=("report.json", "report.md"))
    code = main(["build", str(SAMPLE), "--out", str(built.output.parent), "--cache-dir", str(cache), "--json"])
    assert code == 0
    captured = capsys.readouterr()
    assert "running" not in captured.err
    # load, reference, compress, golden, export; lower and verify per target; sdk and check per platform
    assert captured.err.count("reused from cache") == 5 + 2 * len(built.report["artifacts"]) + 4
    report = json.loads(captured.out)  # --json: the report on stdout, progress on stderr
    assert report == json.loads((built.output / "report.json").read_text())
    assert all(s["status"] == "cached" for s in report["stages"] if s["name"] != "report")
    assert _digest(built.output, skip=("report.json", "report.md")) == before


def test_inspect_reads_the_artifact(built: BuildResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(built.output / "tiny-llm-xnnpack.pte"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    methods = {m["name"]: m for m in info["methods"]}
    fwd = methods["forward"]
    assert [t["dtype"] for t in fwd["inputs"]] == ["int64", "int64"]
    assert fwd["outputs"][0]["dtype"] == "float32"
    vocab = json.loads((built.output / "model-spec.json").read_text())["tokenizer"]["vocab_size"]
    assert fwd["outputs"][0]["shape"][-1] == vocab
    assert fwd["delegates"]["XnnpackBackend"] > 0
    assert methods["get_max_seq_len"]["value"] == 128
    assert info["bytes"] == built.report["artifacts"][0]["bytes"]


def test_failed_verification_leaves_previous_output(built: BuildResult, cache: Path) -> None:
    before = _digest(built.output)
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["verify"]["logits_tolerance"] = 1e-9
    strict = parse_config(raw, root=cfg.root)
    with pytest.raises(VerificationFailed, match="logits") as e:
        build(strict, built.output.parent, cache_root=cache, log=lambda m: None)
    assert e.value.exit_code == 3
    assert _digest(built.output) == before
    rejected = json.loads((built.output.parent / "tiny-llm.rejected" / "report.json").read_text())
    assert rejected["status"] == "failed"


def test_check_is_a_ci_gate(built: BuildResult, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = built.output.parent
    code = main(["build", str(SAMPLE), "--out", str(out), "--cache-dir", str(cache), "--check"])
    printed = capsys.readouterr().out
    assert code == 0
    cases = junit.parse((out / "tiny-llm.junit.xml").read_text())
    every = [c for cs in (*built.report["verification"].values(), *built.report["sdk_checks"].values()) for c in cs]
    assert len(cases) == len(every) > 10
    by_name = {(c.suite.split(".", 2)[2], c.name.split(" [")[0]): c for c in cases}
    for where, checks in (*built.report["verification"].items(), *built.report["sdk_checks"].items()):
        for c in checks:
            want = {"passed": "passed", "failed": "failed"}.get(c["status"], "skipped")
            assert by_name[(where, c["name"])].status == want
    n = junit.summary(cases)
    assert f"check: passed · {n['tests'] - n['skipped']} passed, 0 failed, {n['skipped']} not executed here" in printed


def test_check_fails_with_the_gates_exit_code_and_names_it(
    built: BuildResult, cache: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = project / "sdkgen.toml"
    toml.write_text(toml.read_text().replace("max_perplexity_increase = 0.05", "max_perplexity_increase = 1e-9"))
    dist = project.parent / "dist"
    before = _digest(dist / "tiny-llm")
    code = main(["build", str(project), "--out", str(dist), "--cache-dir", str(cache), "--check"])
    captured = capsys.readouterr()
    assert code == 5, captured.err
    assert "quality gate failed (verify.max_perplexity_increase)" in captured.err
    assert "FAILED tiny-llm.verify.executorch:xnnpack: perplexity [verify.max_perplexity_increase]" in captured.out
    assert _digest(dist / "tiny-llm") == before  # the earlier output is untouched; tiny-llm.rejected has the new one
    failed = [c for c in junit.parse((dist / "tiny-llm.junit.xml").read_text()) if c.status == "failed"]
    assert failed and all(c.name == "perplexity [verify.max_perplexity_increase]" for c in failed)
    assert "+0.0" not in failed[0].message and "held-out perplexity" in failed[0].message
    # A verification failure beside the gate is the stronger verdict: exit 3.
    toml.write_text(toml.read_text().replace("logits_tolerance = 0.05", "logits_tolerance = 1e-9"))
    assert main(["build", str(project), "--out", str(dist), "--cache-dir", str(cache), "--check"]) == 3
    assert "verification failed" in capsys.readouterr().err


def test_check_writes_junit_for_a_build_that_stops_early(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = project / "sdkgen.toml"
    toml.write_text(toml.read_text().replace('recipe = "8da4w"', 'recipe = "int3"'))
    junit_file = project.parent / "results" / "junit.xml"
    code = main(["build", str(project), "--out", str(project.parent / "dist"), "--check", "--junit", str(junit_file)])
    assert code == 2 and "hint:" in capsys.readouterr().err
    [case] = junit.parse(junit_file.read_text())
    assert case.status == "failed" and case.name == "ConfigError" and "int3" in case.detail


@pytest.mark.slow
def test_fresh_cache_gives_identical_output(built: BuildResult, tmp_path: Path) -> None:
    again = build(load_config(SAMPLE), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    skip = ("report.json", "report.md")
    assert _digest(again.output, skip) == _digest(built.output, skip)


# -- bad input: clear error, exit 2, earlier output untouched ------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sample config and model, with an earlier output in dist/."""
    proj = tmp_path / "proj"
    shutil.copytree(SAMPLE, proj, ignore=shutil.ignore_patterns("*.py", "README.md"))
    earlier = tmp_path / "dist" / "tiny-llm"
    earlier.mkdir(parents=True)
    (earlier / "report.json").write_text('{"earlier": true}')
    return proj


def _run_bad(project: Path, capsys: pytest.CaptureFixture[str], *extra: str, exit_code: int = 2) -> str:
    """Build ``project``: refused with ``exit_code`` (2 config/arguments, 7 model files), a hint, nothing written."""
    dist = project.parent / "dist"
    before = _digest(dist)
    code = main(["build", str(project), "--out", str(dist), "--cache-dir", str(project.parent / "cache"), *extra])
    err = capsys.readouterr().err
    assert code == exit_code, err
    assert "hint:" in err
    assert _digest(dist) == before
    assert not (project.parent / "cache").exists()
    return err


def test_missing_checkpoint(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(project / "model")
    assert "does not exist" in _run_bad(project, capsys, exit_code=7)


def test_folder_without_config_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "model" / "config.json").unlink()
    assert "no config.json" in _run_bad(project, capsys, exit_code=7)


def test_corrupt_checkpoint(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = project / "model" / "model.safetensors"
    w.write_bytes(w.read_bytes()[:1000])
    assert "corrupt or truncated" in _run_bad(project, capsys, exit_code=7)


def test_unsupported_architecture(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = json.loads((project / "model" / "config.json").read_text())
    cfg["architectures"] = ["GPT2LMHeadModel"]
    (project / "model" / "config.json").write_text(json.dumps(cfg))
    err = _run_bad(project, capsys, exit_code=7)
    assert "GPT2LMHeadModel" in err and "LlamaForCausalLM" in err


def test_invalid_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = project / "sdkgen.toml"
    toml.write_text(toml.read_text().replace('recipe = "8da4w"', 'recipe = "int3"'))
    err = _run_bad(project, capsys)
    assert "compress.recipe" in err and "8da4w" in err


def test_unknown_target_on_command_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run_bad(project, capsys, "--targets", "executorch:vulkn")
    assert "executorch:vulkn" in err and "executorch:xnnpack" in err


def test_output_folder_is_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dist = project.parent / "dist"
    shutil.rmtree(dist)
    dist.write_text("not a folder")
    code = main(["build", str(project), "--out", str(dist)])
    err = capsys.readouterr().err
    assert code == 2 and "is a file" in err and "hint:" in err
    assert dist.read_text() == "not a folder"


def test_doctor_lists_tools(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    pkgs = {t["name"]: t for t in info["python packages"]}
    assert pkgs["executorch"]["available"] and pkgs["executorch"]["version"] == version("executorch")
    missing = [t for g in info.values() if isinstance(g, list) for t in g if not t["available"]]
    assert all(t["install"] for t in missing)
