"""The device golden tests compare each backend with what the host verified its artifact against.

A target that quantizes its own artifact (LiteRT, Core ML) was verified against the float32 model's outputs
within verify.quantization_error_tolerance; an ExecuTorch artifact against the build's compressed model
within its own tolerance. The generated tests must carry the same pairs (spec: a real build of the
text-classifier sample with 8da8w for ExecuTorch and int8 for LiteRT and Core ML).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from sdkgen.runtimes import TARGETS
from sdkgen.sdk import android, ios
from sdkgen.sdk.common import engine_suffix
from sdkgen.spec import ModelSpec
from tests.conftest import fake_files, load_spec

SPEC = "text-classifier-quantized"


def _render(spec: ModelSpec, platform: str, out: Path) -> Path:
    gen = {"android": android.generate, "ios": ios.generate}[platform]
    gen(spec, fake_files(spec, out.parent / "files"), out)
    return out


def _kotlin_floats(values: tuple[float, ...]) -> str:
    return "floatArrayOf(" + ", ".join(f"{v!r}f" for v in values) + ")"


def test_the_spec_mixes_both_kinds_of_golden() -> None:
    spec = load_spec(SPEC)
    kinds = {a.target: (a.golden_reference, a.golden_tolerance) for a in spec.artifacts}
    assert kinds == {"executorch:xnnpack": (False, 0.05), "litert:cpu": (True, 0.3), "coreml:ane": (True, 0.3)}
    assert spec.reference_tensor_golden and spec.reference_tensor_golden != spec.tensor_golden
    for ref, golden in zip(spec.reference_tensor_golden, spec.tensor_golden, strict=True):
        assert ref.inputs == golden.inputs


def test_android_tests_use_each_artifacts_golden_and_tolerance(tmp_path: Path) -> None:
    spec = load_spec(SPEC)
    sdk = _render(spec, "android", tmp_path / "out")
    test = next((sdk / "src/androidTest").rglob("*GoldenTest.kt")).read_text()
    for a in spec.artifacts:
        if "android" not in TARGETS.get(a.target).platforms:
            continue
        suffix = engine_suffix(TARGETS.get(a.target))
        method = test.split(f"fun {suffix[0].lower() + suffix[1:]}MatchesHostGolden()", 1)[1].split("@Test", 1)[0]
        case = spec.tensor_golden_for(a)[0]
        assert _kotlin_floats(case.outputs[0].values) in method
        assert f", {a.golden_tolerance}f)" in method
    # The float32 and the compressed outputs differ, so each method holds its own.
    assert _kotlin_floats(spec.reference_tensor_golden[0].outputs[0].values) != _kotlin_floats(
        spec.tensor_golden[0].outputs[0].values
    )
    e2e = next(sdk.rglob("*ClassificationTest.kt")).read_text()
    assert "Backend.EXECUTORCH_XNNPACK).use" in e2e  # the backend checked against the compressed model
    assert f"MIN_AGREED: Int = {len(spec.texts)}" in e2e and "MAX_SCORE_DIFF: Float = 0.01f" in e2e


def test_only_fp32_checked_artifacts_get_the_quality_floor(tmp_path: Path) -> None:
    spec = load_spec(SPEC)
    spec = dataclasses.replace(spec, artifacts=tuple(a for a in spec.artifacts if a.golden_reference))
    need = math.ceil(spec.min_label_agreement * len(spec.texts) - 1e-9)
    kotlin = next(_render(spec, "android", tmp_path / "a").rglob("*ClassificationTest.kt")).read_text()
    assert "Backend.LITERT_CPU).use" in kotlin
    assert f"MIN_AGREED: Int = {need}" in kotlin and "MAX_SCORE_DIFF: Float = 1.0f" in kotlin
    swift = next(_render(spec, "ios", tmp_path / "i").rglob("*ClassificationTests.swift")).read_text()
    assert "load(backend: .coremlAne)" in swift
    assert f"agreed, {need}," in swift and "accuracy: 1.0," in swift


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_one_test_method_per_backend(platform: str, tmp_path: Path) -> None:
    spec = load_spec(SPEC)
    sdk = _render(spec, platform, tmp_path / "out")
    folder, pattern = (
        ("src/androidTest", "*GoldenTest.kt") if platform == "android" else ("Tests/TopicsTests", "*GoldenTests.swift")
    )
    test = next((sdk / folder).rglob(pattern)).read_text()
    served = [a for a in spec.artifacts if platform in TARGETS.get(a.target).platforms]
    assert test.count("MatchesHostGolden()") == len(served) >= 2
