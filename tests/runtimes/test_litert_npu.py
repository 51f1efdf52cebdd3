"""LiteRT NPU targets: skipped with the vendor package to install when its SDK is absent; with a vendor
package present, the real ahead-of-time compiler runs and its failure is reported with the plugin's text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sdkgen.config import load_config, parse_config
from sdkgen.errors import StageError
from sdkgen.pipeline import build
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.sdk.common import engine_suffix
from sdkgen.toolchain import target_unavailable

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tensor-mlp"


def _raw(targets: list[str], **litert: str) -> tuple[dict[str, object], Path]:
    cfg = load_config(SAMPLE)
    raw = cfg.model_dump(mode="python", exclude={"root"})
    raw["targets"], raw["litert"] = targets, litert
    return raw, cfg.root


def test_npu_targets_are_skipped_with_the_vendor_package_to_install(tmp_path: Path) -> None:
    load_runtimes()
    info = TARGETS.get("litert:npu-qualcomm")
    assert engine_suffix(info) == "LitertNpuQualcomm" and info.binding.accelerator == "NPU"
    missing = target_unavailable(info)
    assert missing is not None and "pip install ai-edge-litert-sdk-qualcomm==2.3.0" in (missing.hint or "")
    raw, root = _raw(["litert:cpu", "litert:npu-qualcomm", "litert:npu-mediatek"])
    result = build(parse_config(raw, root=root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert result.passed
    assert [a["target"] for a in result.report["artifacts"]] == ["litert:cpu"]
    for t in ("litert:npu-qualcomm", "litert:npu-mediatek"):
        check = result.report["verification"][t][0]
        assert check["status"] == "not_executed" and "ai-edge-litert-sdk-" in check["detail"]


def test_the_real_npu_compiler_runs_and_its_failure_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in for the vendor package (it only locates the SDK's libraries): the compiler plugin from
    the ai-edge-litert wheel runs for real and fails for want of the Qualcomm libraries."""
    libs = tmp_path / "qairt-libs"
    libs.mkdir()
    pkg = tmp_path / "site" / "ai_edge_litert_sdk_qualcomm"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(f"def path_to_sdk_libs():\n    return {str(libs)!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "ai_edge_litert_sdk_qualcomm", raising=False)
    assert target_unavailable(TARGETS.get("litert:npu-qualcomm")) is None
    raw, root = _raw(["litert:npu-qualcomm"], soc="SM8750")
    with pytest.raises(StageError, match="the qualcomm NPU compiler failed for SM8750") as e:
        build(parse_config(raw, root=root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert "ai-edge-litert-sdk" in (e.value.hint or "")
    assert not (tmp_path / "dist" / "tabular-scorer").exists()
    raw, root = _raw(["litert:npu-qualcomm"], soc="SM9999")
    with pytest.raises(StageError, match="'SM9999' is not a qualcomm SoC") as e:
        build(parse_config(raw, root=root), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None)
    assert "SM8650" in (e.value.choices or [])
