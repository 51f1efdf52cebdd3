"""``sdkgen test arm64``: the host's golden vectors through the aarch64 LiteRT wheel under qemu-user.

The build is a real one (samples/tensor-mlp, ExecuTorch XNNPACK and LiteRT CPU, no SDKs): its golden
outputs come from the eager PyTorch model. The real run needs ``qemu-aarch64`` and the sysroot
``sdkgen test arm64 --prepare`` makes (.ci/run prepares it: about 10 s and 160 MB); without them it is
skipped with that reason. The orchestration tests (missing toolchain, a golden mismatch, a crash) run the
same runner script through a fake ``qemu-aarch64`` that starts the host's Python instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sdkgen import junit
from sdkgen.cli import main
from sdkgen.config import load_config
from sdkgen.devices import arm64
from sdkgen.pipeline import build as build_sample

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "tensor-mlp"
NAME = "tabular-scorer"
TARGETS = ["executorch:xnnpack", "litert:cpu"]

FAKE_QEMU = """#!{python}
# A stand-in for qemu-aarch64: logs its command line, then runs the guest program's arguments with the host's
# Python (FAKE_QEMU_CRASH: dies of SIGSEGV, as qemu does when the guest faults).
import json, os, signal, sys
argv = sys.argv[1:]
if argv == ["--version"]:
    print("qemu-aarch64 version 7.2.22 (fake)")
    sys.exit(0)
with open(os.environ["FAKE_QEMU_LOG"], "a") as log:
    log.write(json.dumps(argv) + "\\n")
if os.environ.get("FAKE_QEMU_CRASH"):
    sys.stderr.write("qemu: uncaught target signal 11 (Segmentation fault) - core dumped\\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGSEGV)
while argv[0] in ("-cpu", "-L"):
    argv = argv[2:]
os.execv({python!r}, [{python!r}, *argv[1:]])
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("arm64")
    result = build_sample(
        load_config(SAMPLE), root / "dist", targets=TARGETS, cache_root=root / "cache", log=lambda m: None, sdks=False
    )
    assert result.passed
    return result.output


@pytest.fixture
def build(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / NAME))


def _fake_sysroot(path: Path) -> Path:
    (path / "usr" / "bin").mkdir(parents=True)
    (path / arm64.PYTHON).write_text("")
    manifest = {"python": "3.11.2", "debs": {}, "wheels": arm64.WHEELS, "qemu_cpu": arm64.QEMU_CPU}
    (path / arm64.MANIFEST).write_text(json.dumps(manifest))
    return path


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A fake qemu-aarch64 first on PATH and a fake sysroot (only what :func:`arm64.open_sysroot` reads)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    qemu = bin_ / "qemu-aarch64"
    qemu.write_text(FAKE_QEMU.format(python=sys.executable))
    qemu.chmod(0o755)
    log = tmp_path / "qemu.jsonl"
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QEMU_LOG", str(log))
    return {"sysroot": _fake_sysroot(tmp_path / "sysroot"), "log": log}


def _cases(build: Path) -> dict[str, junit.TestCase]:
    return {c.name: c for c in junit.parse((build / "device-tests" / "arm64" / "junit.xml").read_text())}


def test_litert_pin_is_the_hosts() -> None:
    """The sysroot's LiteRT is the version the host builds with, so each artifact runs on its own runtime."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    pins = dict(r.split("==") for r in extras["litert"] if "==" in r)
    assert arm64.WHEELS["ai-edge-litert"] == pins["ai-edge-litert"]


def test_real_run_under_qemu(build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The LiteRT artifact on the aarch64 wheel (XNNPACK's ARM kernels) matches the host's golden outputs."""
    sysroot = arm64.default_sysroot()
    if shutil.which(arm64.QEMU) is None or not (sysroot / arm64.MANIFEST).is_file():
        pytest.skip(
            f"needs {arm64.QEMU} ({arm64.QEMU_INSTALL}) and the sysroot at {sysroot} "
            f"(`{arm64.prepare_command(sysroot)}`, which .ci/run runs)"
        )
    code = main(["test", "arm64", str(build)])
    out = capsys.readouterr().out
    assert code == 0, out
    cases = _cases(build)
    assert cases["litert:cpu"].status == "passed"
    assert cases["executorch:xnnpack"].status == "skipped" and "torch" in cases["executorch:xnnpack"].message
    run = json.loads((build / "report.json").read_text())["device_tests"]["arm64"]
    detail = next(c["detail"] for c in run["cases"] if c["name"] == "litert:cpu")
    assert "litert 2.3.0 on aarch64" in detail and "over 3 inputs (tolerance 0.0001)" in detail
    assert run["status"] == "passed" and "cortex-a76" in run["device"]
    assert "litert:cpu" in out and "passed" in out


def test_fake_qemu_run_records_the_device_run(build: Path, fake: dict[str, Path]) -> None:
    code = main(["test", "arm64", str(build), "--sysroot", str(fake["sysroot"])])
    assert code == 0
    calls = [json.loads(line) for line in fake["log"].read_text().splitlines()]
    assert len(calls) == 1  # one emulated process per artifact that runs: the .tflite
    sysroot = str(fake["sysroot"])
    assert calls[0][:6] == ["-cpu", "cortex-a76", "-L", sysroot, f"{sysroot}/usr/bin/python3.11", "-I"]
    assert calls[0][6] == str(arm64.RUNNER)
    cases = _cases(build)
    assert [cases[t].status for t in TARGETS] == ["skipped", "passed"]
    report = json.loads((build / "report.json").read_text())
    assert report["device_tests"]["arm64"]["platform"] == "arm64"
    assert "## Device tests: arm64" in (build / "report.md").read_text()


def _scale_golden(build: Path, factor: float) -> None:
    spec_file = build / "model-spec.json"
    spec: dict[str, Any] = json.loads(spec_file.read_text())
    out = spec["tensor_golden"][1]["outputs"][0]
    out["values"] = [v * factor for v in out["values"]]
    spec_file.write_text(json.dumps(spec))


def test_golden_mismatch_exits_3_naming_the_artifact_and_value(
    build: Path, fake: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _scale_golden(build, 1.5)
    code = main(["test", "arm64", str(build), "--sysroot", str(fake["sysroot"])])
    err = capsys.readouterr().err
    assert code == 3
    assert "1 of 2 golden tests failed" in err and f"{NAME}.arm64.litert:cpu" in err
    assert "tflite on aarch64" in err and "worst: case 1, output[" in err
    assert _cases(build)["litert:cpu"].status == "failed"


def test_runtime_crash_is_a_failed_test(
    build: Path, fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_QEMU_CRASH", "1")
    code = main(["test", "arm64", str(build), "--sysroot", str(fake["sysroot"])])
    err = capsys.readouterr().err
    assert code == 3
    assert "exited with -11 (signal 11)" in err
    assert "uncaught target signal 11" in _cases(build)["litert:cpu"].detail


def test_missing_qemu_exits_4_with_the_install_command(
    build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code = main(["test", "arm64", str(build), "--sysroot", str(_fake_sysroot(tmp_path / "sysroot"))])
    err = capsys.readouterr().err
    assert code == 4
    assert "qemu-aarch64 (QEMU user-mode emulation) is not on PATH" in err
    assert "hint: sudo apt-get install -y qemu-user" in err
    assert not (build / "device-tests").exists()


def test_missing_or_stale_sysroot_exits_4_with_the_prepare_command(
    build: Path, fake: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    assert main(["test", "arm64", str(build), "--sysroot", str(missing)]) == 4
    assert f"hint: prepare it (about 200 MB, under a minute): `sdkgen test arm64 --prepare --sysroot {missing}`" in (
        capsys.readouterr().err
    )
    manifest = fake["sysroot"] / arm64.MANIFEST
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "wheels": {"ai-edge-litert": "2.2.0"}}))
    assert main(["test", "arm64", str(build), "--sysroot", str(fake["sysroot"])]) == 4
    assert "prepared with other pins" in capsys.readouterr().err


def test_plan_follows_what_the_host_verified() -> None:
    """Golden cases, tolerance and skips per artifact, from the spec and the report the host wrote."""

    def case(x: float) -> dict[str, Any]:
        value = {"name": "x", "dtype": "float32", "shape": [1], "values": [x]}
        return {"inputs": [value], "outputs": [{**value, "name": "y"}]}

    art = {"runtime_version": "2.3.0", "file": "m.tflite", "runtime": "litert"}
    spec = {
        "task": "tensor",
        "output_tolerance": 1e-4,
        "tensor_golden": [case(1.0)],
        "reference_tensor_golden": [case(2.0)],
        "artifacts": [
            {**art, "target": "litert:cpu", "golden_reference": True, "golden_tolerance": 0.05},
            {**art, "target": "litert:gpu"},
            {**art, "target": "litert:npu", "runtime_version": "2.2.0"},
            {**art, "target": "executorch:xnnpack", "runtime": "executorch", "runtime_version": "1.5.1"},
        ],
    }
    outputs = {"name": "outputs", "status": "passed", "detail": "", "data": {"tolerance": 0.05}}
    report = {
        "verification": {
            "litert:cpu": [{**outputs, "data": {"tolerance": 0.05, "max_relative_error": 0.01}}],
            "litert:gpu": [{"name": "outputs", "status": "not_executed", "detail": "no GPU here", "data": {}}],
            "litert:npu": [outputs],
        }
    }
    cpu, gpu, npu, et = arm64.plan(spec, report, {"litert": "2.3.0"})
    assert (cpu.skip, cpu.tolerance, cpu.host_error) == ("", 0.05, 0.01)
    assert cpu.cases[0].outputs[0].values == (2.0,)  # the float32 model's outputs, as on the host
    assert "did not run it (no GPU here)" in gpu.skip
    assert "written by litert 2.2.0, the sysroot has 2.3.0" in npu.skip
    assert et.skip == arm64.UNAVAILABLE["executorch"]
