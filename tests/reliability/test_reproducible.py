"""Reproducibility: two builds of one config, each with its own empty stage cache, write byte-identical SDK
trees, artifacts and model-spec.json; the report records the digests of what went in and what came out.

tensor-mlp exercises every runtime that builds here (ExecuTorch XNNPACK and Core ML delegate, LiteRT, a Core
ML package); tiny-llm (slow) the text-generation lowerings. Only ``report.json`` and ``report.md`` may
differ: they hold stage timings and cache use (see docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from sdkgen.cache import path_digest
from sdkgen.config import load_config
from sdkgen.pipeline import BuildResult, build
from sdkgen.provenance import REPORT_FILES

ROOT = Path(__file__).resolve().parents[2]

#: What a compiler leaves behind; none of it may be in an SDK tree.
COMPILED = (".class", ".jar", ".swiftmodule", ".swiftdoc", ".o", ".build", "build", ".gradle", ".kotlin")


def _tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root``, the report files aside."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in REPORT_FILES
    }


def _build_twice(sample: str, tmp: pytest.TempPathFactory, targets: list[str] | None = None) -> list[BuildResult]:
    config = load_config(ROOT / "samples" / sample)
    return [
        build(config, tmp.mktemp(f"dist{i}"), targets=targets, cache_root=tmp.mktemp(f"cache{i}"), log=lambda m: None)
        for i in (1, 2)
    ]


def _assert_identical(first: BuildResult, second: BuildResult) -> None:
    a, b = _tree(first.output), _tree(second.output)
    assert a.keys() == b.keys()
    differ = sorted(f for f in a if a[f] != b[f])
    assert not differ, f"files that differ between two builds: {differ}"
    # Every stage ran in both builds: nothing was shared through a cache.
    for r in (first, second):
        assert all(s.status == "ran" for s in r.stages), [s.name for s in r.stages if s.status != "ran"]


@pytest.fixture(scope="module")
def tensor_builds(tmp_path_factory: pytest.TempPathFactory) -> list[BuildResult]:
    return _build_twice("tensor-mlp", tmp_path_factory)


def test_two_builds_are_byte_identical(tensor_builds: list[BuildResult]) -> None:
    first, second = tensor_builds
    _assert_identical(first, second)
    out = first.output
    # Every runtime that builds here took part: .pte (XNNPACK and the Core ML delegate), .tflite, .mlpackage.
    kinds = {a["target"] for a in first.report["artifacts"]}
    assert kinds == {"executorch:xnnpack", "executorch:coreml", "litert:cpu", "coreml:ane"}
    for platform in ("android", "ios"):
        assert path_digest(out / platform) == path_digest(second.output / platform)
    assert (out / "model-spec.json").read_bytes() == (second.output / "model-spec.json").read_bytes()
    # The reports differ only where they must: stage timings and the compile times in the checks' details.
    r1, r2 = (json.loads((r.output / "report.json").read_text()) for r in tensor_builds)
    for r in (r1, r2):
        for s in r["stages"]:
            s.pop("seconds")
        for c in (c for cs in r["sdk_checks"].values() for c in cs):
            c["detail"] = re.sub(r" in \d+(\.\d+)?s\b", " in <time>", c["detail"])
    assert r1 == r2


def test_sdk_trees_hold_no_compiled_output(tensor_builds: list[BuildResult]) -> None:
    """The Kotlin and Swift checks compile in the stage cache, never in the SDK tree that ships."""
    checks = {c["name"]: c["status"] for cs in tensor_builds[0].report["sdk_checks"].values() for c in cs}
    assert checks.get("kotlin-core-compile") == "passed" or checks.get("swift-core-build") == "passed", checks
    for platform in ("android", "ios"):
        tree = tensor_builds[0].output / platform
        compiled = [p for p in tree.rglob("*") if p.name in COMPILED or p.suffix in COMPILED]
        assert not compiled, compiled


def test_report_records_input_digests(tensor_builds: list[BuildResult]) -> None:
    r = tensor_builds[0].report
    sample = ROOT / "samples" / "tensor-mlp"
    inputs = r["inputs"]
    assert inputs["config"]["file"] == "sdkgen.toml"
    assert inputs["config"]["sha256"] == hashlib.sha256((sample / "sdkgen.toml").read_bytes()).hexdigest()
    assert len(inputs["config"]["effective_sha256"]) == 64
    assert inputs["model"] == [
        {
            "file": "model.py",
            "sha256": hashlib.sha256((sample / "model.py").read_bytes()).hexdigest(),
            "bytes": (sample / "model.py").stat().st_size,
        }
    ]
    # The exporters and compilers whose versions shape the output, and a digest over all of them.
    for tool in ("torch", "executorch", "coremltools", "ai-edge-litert", "litert-torch", "sdkgen"):
        assert r["versions"].get(tool), tool
    want = hashlib.sha256(json.dumps(r["versions"], sort_keys=True).encode()).hexdigest()
    assert inputs["versions_sha256"] == want
    assert inputs == tensor_builds[1].report["inputs"]


def test_report_records_output_digests(tensor_builds: list[BuildResult]) -> None:
    first = tensor_builds[0]
    outputs = first.report["outputs"]
    manifest = {f["file"]: f["sha256"] for f in outputs["files"]}
    assert manifest == _tree(first.output)
    assert not set(REPORT_FILES) & set(manifest)
    for platform in ("android", "ios"):
        assert outputs["trees"][platform]["sha256"] == path_digest(first.output / platform)[0]
    package = "tabular-scorer-ane.mlpackage"
    assert outputs["trees"][package]["sha256"] == path_digest(first.output / package)[0]
    for a in first.report["artifacts"]:
        if not a["file"].endswith(".mlpackage"):
            assert manifest[a["file"]] == a["sha256"]
    assert outputs == tensor_builds[1].report["outputs"]
    md = (first.output / "report.md").read_text()
    assert f"| output tree | android/ | `{outputs['trees']['android']['sha256']}` |" in md
    assert "## Runtime versions" in md


def test_report_records_data_file_digests(tmp_path: Path) -> None:
    """Labels, calibration and evaluation data are inputs too (the digits sample names all three)."""
    from sdkgen.provenance import inputs

    sample = ROOT / "samples" / "digits-classifier"
    recorded = {d["key"]: d for d in inputs(load_config(sample), {})["data"]}
    config = load_config(sample)
    named = {
        "image.labels": config.image.labels if config.image else None,
        "compress.calibration": config.compress.calibration,
        "verify.eval_data": config.verify.eval_data,
    }
    for key, value in named.items():
        assert value, key
        assert recorded[key]["file"] == value
        assert recorded[key]["sha256"] == hashlib.sha256((sample / value).read_bytes()).hexdigest()


@pytest.mark.slow
def test_text_generation_builds_are_byte_identical(tmp_path_factory: pytest.TempPathFactory) -> None:
    first, second = _build_twice("tiny-llm", tmp_path_factory, targets=["executorch:xnnpack", "coreml:ane"])
    _assert_identical(first, second)
    data = {d["key"] for d in first.report["inputs"]["data"]}
    assert data == {"compress.calibration", "verify.heldout_text"}
    files = {f["file"] for f in first.report["inputs"]["model"]}
    assert {"model/config.json", "model/model.safetensors", "model/tokenizer.json"} <= files
