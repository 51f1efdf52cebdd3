"""The tensor task end to end on samples/tensor-mlp, and the factory's bad-input errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sdkgen.config import load_config, parse_config
from sdkgen.errors import ConfigError, ModelLoadError
from sdkgen.models.factory import load_factory
from sdkgen.pipeline import build
from tests.conftest import host_run

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "tensor-mlp"


def test_tensor_sample_builds_and_verifies(tmp_path: Path) -> None:
    with host_run():
        result = build(load_config(SAMPLE), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    run = {c["name"]: c for c in result.report["sdk_checks"]["android"]}["android-binding-run"]
    assert run["status"] == "passed" and run["data"]["backends"] == ["EXECUTORCH_XNNPACK", "LITERT_CPU"], run
    r = result.report
    assert result.passed
    assert [a["target"] for a in r["artifacts"]] == [
        "executorch:xnnpack",
        "litert:cpu",
        "executorch:coreml",
        "coreml:ane",
    ]
    executed = {
        t for t, cs in r["verification"].items() if any(c["status"] == "passed" and c["name"] == "outputs" for c in cs)
    }
    assert executed == {"executorch:xnnpack", "litert:cpu"}  # the Core ML ones are checked structurally here
    checks = {c["name"]: c for c in r["verification"]["executorch:xnnpack"]}
    assert checks["io-signature"]["status"] == "passed"
    assert checks["outputs"]["status"] == "passed" and checks["outputs"]["data"]["max_relative_error"] <= 1e-4
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert [t["name"] for t in spec["methods"][0]["inputs"]] == ["features", "category"]
    assert [t["name"] for t in spec["methods"][0]["outputs"]] == ["output", "output1"]
    assert len(spec["tensor_golden"]) == 3
    kt = (result.output / "android/src/main/kotlin/com/example/tabular/TabularScorerIo.kt").read_text()
    assert "val features: FloatArray" in kt and "val category: LongArray" in kt
    swift = (result.output / "ios/Sources/TabularKit/TabularScorerIO.swift").read_text()
    assert "public var category: [Int64]" in swift
    assert '.product(name: "executorch", package: "executorch")' in (result.output / "ios/Package.swift").read_text()


def _project(tmp_path: Path, source: str) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "p")
    toml = tmp_path / "p" / "sdkgen.toml"
    toml.write_text(toml.read_text().replace('source = "model:make"', f'source = "{source}"'))
    return tmp_path / "p"


def test_tensor_task_needs_a_factory() -> None:
    raw = {"model": {"source": "model", "task": "tensor"}, "android": {"package": "a.b"}, "ios": {"module": "M"}}
    with pytest.raises(ConfigError, match="not a Python factory") as e:
        parse_config(raw, root=Path())
    assert "module:function" in (e.value.hint or "")


def test_missing_module_and_function(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot import 'nope'") as e:
        load_factory("nope:make", SAMPLE)
    assert e.value.hint
    with pytest.raises(ModelLoadError, match="no function 'maek'") as e2:
        load_factory("model:maek", SAMPLE)
    assert e2.value.choices == ["make"]


def test_factory_must_return_module_and_inputs(tmp_path: Path) -> None:
    (tmp_path / "bad_factory.py").write_text("def make():\n    return 42\n")
    with pytest.raises(ModelLoadError, match="returned int"):
        load_factory("bad_factory:make", tmp_path)


def test_litert_target_serves_android_and_executorch_ios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both runtimes verified on the host; each platform's SDK carries every target that serves it, one
    backend each, the first being the default."""
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["targets"] = ["litert:cpu", "executorch:xnnpack"]
    result = build(parse_config(raw, root=cfg.root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert result.passed
    checks = {c["name"]: c for c in result.report["verification"]["litert:cpu"]}
    assert checks["outputs"]["status"] == "passed" and checks["outputs"]["data"]["max_relative_error"] <= 1e-4
    assert "narrowed ['int64']" in checks["io-signature"]["detail"]
    out = result.output
    assets = sorted(p.name for p in (out / "android/src/main/assets/tabular-scorer").iterdir())
    assert assets == ["tabular-scorer-cpu.tflite", "tabular-scorer-xnnpack.pte"]
    assert [p.name for p in (out / "ios/Sources/TabularKit/Resources").iterdir()] == ["tabular-scorer-xnnpack.pte"]
    gradle = (out / "android/build.gradle.kts").read_text()
    assert 'implementation("com.google.ai.edge.litert:litert:2.3.0")' in gradle
    assert 'api("org.pytorch:executorch-android") { version { strictly("1.5.1") } }' in gradle
    backend = (out / "android/src/main/kotlin/com/example/tabular/TabularScorerBackend.kt").read_text()
    assert "val DEFAULT: TabularScorerBackend = LITERT_CPU" in backend and "EXECUTORCH_XNNPACK ->" in backend

    from sdkgen.cli import main

    assert main(["inspect", str(out / "tabular-scorer-cpu.tflite"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    method = info["methods"][0]
    assert info["runtime"] == "litert 2.3.0" and method["name"] == "serving_default"
    assert [(t["dtype"], t["shape"]) for t in method["inputs"]] == [("float32", [1, 16]), ("int32", [1])]
    assert [t["shape"] for t in method["outputs"]] == [[1, 4], [1, 4]]
    assert "FULLY_CONNECTED" in method["portable_operators"]


def test_target_that_serves_no_requested_platform_skips_that_sdk(tmp_path: Path) -> None:
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["targets"] = ["litert:cpu"]
    result = build(parse_config(raw, root=cfg.root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert not (result.output / "ios").exists()
    skipped = {n["check"]: n["reason"] for n in result.report["not_executed"]}
    assert "no target in `targets` serves ios" in skipped["ios: ios-sdk"]


def test_executorch_coreml_is_checked_structurally_and_not_run_here(tmp_path: Path) -> None:
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["targets"] = ["executorch:coreml", "executorch:xnnpack"]
    result = build(parse_config(raw, root=cfg.root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert result.passed  # nothing failed; the Core ML outputs are reported as not executed
    art = {a["target"]: a for a in result.report["artifacts"]}
    assert art["executorch:coreml"]["delegates"] == ["CoreMLBackend"]
    checks = {c["name"]: c for c in result.report["verification"]["executorch:coreml"]}
    assert checks["io-signature"]["status"] == "passed"
    assert checks["outputs"]["status"] == "not_executed" and "CoreMLBackend" in checks["outputs"]["detail"]
    assert "executorch:coreml: outputs" in {n["check"] for n in result.report["not_executed"]}
    package = (result.output / "ios/Package.swift").read_text()
    assert '.product(name: "backend_coreml", package: "executorch")' in package

    raw["coreml"] = {"compute_units": "cpu_and_ne"}
    ne = build(parse_config(raw, root=cfg.root), tmp_path / "ne", cache_root=tmp_path / "c", log=lambda m: None)
    ne_art = {a["target"]: a for a in ne.report["artifacts"]}
    assert ne_art["executorch:coreml"]["sha256"] != art["executorch:coreml"]["sha256"]
    assert ne_art["executorch:xnnpack"]["sha256"] == art["executorch:xnnpack"]["sha256"]  # not re-lowered
    raw["coreml"] = {"compute_units": "npu"}
    with pytest.raises(ConfigError, match=r"coreml\.compute_units") as e:
        parse_config(raw, root=cfg.root)
    assert e.value.choices == ["all", "cpu_and_gpu", "cpu_and_ne", "cpu_only"]


def test_coreml_target_does_not_serve_android() -> None:
    raw = {
        "targets": ["executorch:coreml"],
        "model": {"source": "model:make", "task": "tensor"},
        "compress": {"recipe": "none"},
        "android": {"package": "a.b"},
        "ios": {"module": "M"},
    }
    cfg = parse_config(raw, root=SAMPLE)
    assert cfg.targets == ["executorch:coreml"]
    raw["targets"] = ["executorch:vulkan"]
    raw["model"]["task"] = "text-generation"
    raw["model"]["source"] = "model"
    with pytest.raises(ConfigError, match="cannot build task 'text-generation'") as e:
        parse_config(raw, root=SAMPLE)
    assert "it builds: tensor, text-embedding, text-classification, image-classification" in e.value.message


def test_targets_whose_sdk_is_missing_are_skipped_and_the_others_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QNN_SDK_ROOT", raising=False)
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["targets"] = ["executorch:xnnpack", "executorch:qnn", "executorch:vulkan"]
    logs: list[str] = []
    with host_run():
        result = build(parse_config(raw, root=cfg.root), tmp_path / "dist", cache_root=tmp_path / "c", log=logs.append)
    assert result.passed
    # The host run executes the XNNPACK program and names the Vulkan one it cannot run (skipped, not passed).
    run = {c["name"]: c for c in result.report["sdk_checks"]["android"]}["android-binding-run"]
    assert run["status"] == "passed" and run["data"]["backends"] == ["EXECUTORCH_XNNPACK"], run
    assert list(run["data"]["skipped"]) == ["EXECUTORCH_VULKAN"] and "EXECUTORCH_VULKAN not executed" in run["detail"]
    assert any("QNN_SDK_ROOT" in line for line in logs)
    qnn = result.report["verification"]["executorch:qnn"][0]
    assert qnn["status"] == "not_executed" and "QNN_SDK_ROOT" in qnn["detail"]
    vulkan = {c["name"]: c for c in result.report["verification"]["executorch:vulkan"]}
    assert vulkan["io-signature"]["status"] == "passed" and vulkan["outputs"]["status"] == "not_executed"
    assert {a["target"] for a in result.report["artifacts"]} == {"executorch:xnnpack", "executorch:vulkan"}


def test_no_buildable_target_is_a_missing_toolchain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sdkgen.cli import main

    monkeypatch.delenv("QNN_SDK_ROOT", raising=False)
    toml = _project(tmp_path, "model:make") / "sdkgen.toml"
    text = toml.read_text()
    start = text.index("targets = [")
    toml.write_text(text[:start] + 'targets = ["executorch:qnn"]' + text[text.index("\n", start) :])
    assert main(["build", str(toml), "--out", str(tmp_path / "dist"), "--cache-dir", str(tmp_path / "c")]) == 4
    assert not (tmp_path / "dist").exists()


def test_coreml_ane_package_is_checked_structurally(tmp_path: Path) -> None:
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["targets"] = ["coreml:ane", "executorch:xnnpack"]
    result = build(parse_config(raw, root=cfg.root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert result.passed
    checks = {c["name"]: c for c in result.report["verification"]["coreml:ane"]}
    assert checks["structure"]["status"] == "passed"
    assert "('category', 'int32', [1])" in checks["structure"]["detail"]  # Core ML has no int64
    assert checks["outputs"]["status"] == "not_executed" and "macOS" in checks["outputs"]["detail"]
    package = result.output / "ios/Sources/TabularKit/Resources/tabular-scorer-ane.mlpackage"
    assert (package / "Manifest.json").is_file()
    art = {a["target"]: a for a in result.report["artifacts"]}["coreml:ane"]
    assert art["bytes"] == sum(f.stat().st_size for f in package.rglob("*") if f.is_file())
    swift = (result.output / "ios/Sources/TabularKit/TabularScorerCoremlAne.swift").read_text()
    assert "configuration.computeUnits = .cpuAndNeuralEngine" in swift
    manifest = (result.output / "ios/Package.swift").read_text()
    # Both engines ship: Core ML (the default, compiled by Xcode) and ExecuTorch (pinned Swift package).
    assert '.process("Resources/tabular-scorer-ane.mlpackage")' in manifest
    assert '.copy("Resources/tabular-scorer-xnnpack.pte")' in manifest and 'branch: "swiftpm-1.5.1"' in manifest
    backend = (result.output / "ios/Sources/TabularKit/TabularScorerBackend.swift").read_text()
    assert "public static let `default`: TabularScorerBackend = .coremlAne" in backend
