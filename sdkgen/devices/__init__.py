"""On-device tests: run a built SDK's golden tests on an emulator, simulator or device (``sdkgen test``).

Each platform module (:mod:`sdkgen.devices.android`, :mod:`sdkgen.devices.ios`) drives the platform's own
tools (``adb``/``emulator``/Gradle, ``xcrun``/``xcodebuild``) and returns a :class:`DeviceRun`;
:func:`record` writes it next to the build: ``<build>/device-tests/<platform>/junit.xml`` plus logs, and a
``device_tests`` section in ``report.json``/``report.md``. The tests are the ones the SDK ships (its
``androidTest`` sources, its XCTest target), which compare the model's outputs with the golden vectors the
host verification used.

Outcomes map to the CLI's exit codes: all passed -> 0, a golden test failed -> 3
(:class:`~sdkgen.errors.VerificationFailed` naming the test and its first mismatching values), no Android
SDK / Xcode -> 4 (:class:`~sdkgen.errors.ToolchainMissing`), a device that did not boot or install -> 6
(:class:`~sdkgen.errors.DeviceError`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sdkgen import junit
from sdkgen.cache import write_text_atomic
from sdkgen.errors import ConfigError, VerificationFailed
from sdkgen.junit import TestCase

Platform = Literal["android", "ios", "arm64"]


@dataclass
class DeviceRun:
    """One platform's device test run.

    ``device`` names what ran the tests (an AVD and its serial, a simulator's name and UDID);
    ``timings`` holds seconds per phase (``boot``, ``build``, ``install``, ``test``; each test's own time
    is its case's ``seconds``); ``logs`` maps a log's name to its file, relative to the run's folder
    (logcat is kept on failure)."""

    platform: Platform
    device: str
    cases: list[TestCase] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if any(c.status == "failed" for c in self.cases):
            return "failed"
        if any(c.status == "passed" for c in self.cases):
            return "passed"
        return "not_executed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "device": self.device,
            "status": self.status,
            "counts": junit.summary(self.cases),
            "cases": [asdict(c) for c in self.cases],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "logs": dict(sorted(self.logs.items())),
            "notes": list(self.notes),
        }


def load_build(build_dir: Path, platform: Platform) -> tuple[dict[str, Any], Path]:
    """The build report and the platform's SDK folder of a ``sdkgen build`` output; a clear error when the
    folder is not one, or the build made no SDK for ``platform``."""
    from sdkgen.report import read_build_output

    report, _ = read_build_output(build_dir)
    sdk = build_dir / platform
    if not sdk.is_dir():
        raise ConfigError(
            f"the build in {str(build_dir)!r} has no {platform} SDK",
            hint=f"add a target that serves {platform} to `targets` and rebuild (`sdkgen doctor` lists them)",
        )
    return report, sdk


def run_folder(build_dir: Path, platform: Platform) -> Path:
    """Where a run's JUnit XML and logs go: ``<build>/device-tests/<platform>``."""
    return build_dir / "device-tests" / platform


def record(build_dir: Path, run: DeviceRun) -> dict[str, Any]:
    """Write the run's JUnit XML and merge it into the build's report (``device_tests.<platform>``);
    both files are replaced atomically. Returns the updated report."""
    from sdkgen.report import render_markdown

    folder = run_folder(build_dir, run.platform)
    junit.write(folder / "junit.xml", run.cases, name=f"device.{run.platform}")
    report_file = build_dir / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    report.setdefault("device_tests", {})[run.platform] = run.as_dict()
    write_text_atomic(report_file, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(build_dir / "report.md", render_markdown(report))
    return report


def raise_for(run: DeviceRun) -> None:
    """:class:`VerificationFailed` (exit 3) naming each failed test and the start of its message."""
    failed = [c for c in run.cases if c.status == "failed"]
    if not failed:
        return
    lines = "\n  ".join(f"{c.classname}.{c.name}: {(c.message or c.detail).strip()[:500]}" for c in failed)
    raise VerificationFailed(
        f"{len(failed)} of {len(run.cases)} golden tests failed on {run.device}:\n  {lines}",
        hint=f"see {run_folder(Path(), run.platform)}/junit.xml and the logs beside it in the build folder",
    )
