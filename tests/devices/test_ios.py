"""``sdkgen test ios`` through ``sdkgen.cli.main`` against fake ``xcrun``/``xcodebuild`` (tests/devices/fakes/ios)
that follow Xcode 16's command lines and output formats: simctl's device JSON, xcodebuild's schemes for a
Swift package and its test log, the result bundle read back through ``xcresulttool get test-results`` (and the
legacy object graph of Xcode 15). The build folder holds a real SDK rendered from a golden spec; the fake
xcodebuild runs the XCTestCase methods it finds in that SDK's test targets."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sdkgen import junit
from sdkgen.cli import main
from sdkgen.devices import xcresult
from sdkgen.report import render_markdown
from sdkgen.sdk import ios
from tests.conftest import fake_files, load_spec

FAKES = Path(__file__).resolve().parent / "fakes" / "ios"
SPEC = "digits-classifier"
GOLDEN_TEST = "DigitsClassifierGoldenTests/testExecutorchXnnpackMatchesHostGolden"
RT = "com.apple.CoreSimulator.SimRuntime."


def _device(name: str, udid: str, state: str = "Shutdown", available: bool = True) -> dict[str, Any]:
    """A device entry as `xcrun simctl list devices --json` prints it (Xcode 16)."""
    return {
        "lastBootedAt": "2025-01-01T12:00:00Z",
        "dataPath": f"/Users/ci/Library/Developer/CoreSimulator/Devices/{udid}/data",
        "dataPathSize": 18_446_744_073,
        "logPath": f"/Users/ci/Library/Logs/CoreSimulator/{udid}",
        "udid": udid,
        "isAvailable": available,
        "deviceTypeIdentifier": "com.apple.CoreSimulator.SimDeviceType." + name.replace(" ", "-"),
        "state": state,
        "name": name,
    }


UDIDS = {
    "iPhone 16 Pro": "1A2B3C4D-0000-4000-8000-000000000001",
    "iPhone 16": "1A2B3C4D-0000-4000-8000-000000000002",
    "iPhone 15 (18.2)": "1A2B3C4D-0000-4000-8000-000000000003",
    "iPhone 15 (17.5)": "1A2B3C4D-0000-4000-8000-000000000004",
    "iPad Air": "1A2B3C4D-0000-4000-8000-000000000005",
    "iPhone SE (unavailable)": "1A2B3C4D-0000-4000-8000-000000000006",
    "Apple Watch": "1A2B3C4D-0000-4000-8000-000000000007",
}
PHYSICAL = "00008110-001A2B3C4D5E6F7A"


def _state(booted: str | None = None) -> dict[str, Any]:
    def dev(label: str, **kw: Any) -> dict[str, Any]:
        name = label.split(" (")[0]
        return _device(name, UDIDS[label], state="Booted" if label == booted else "Shutdown", **kw)

    return {
        "devices": {
            f"{RT}iOS-17-5": [dev("iPhone 15 (17.5)")],
            f"{RT}watchOS-11-2": [dev("Apple Watch")],
            f"{RT}iOS-18-2": [
                dev("iPhone 16 Pro"),
                dev("iPhone 16"),
                dev("iPhone 15 (18.2)"),
                dev("iPad Air"),
                dev("iPhone SE (unavailable)", available=False),
            ],
        },
        "physical": [PHYSICAL],
    }


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A build folder: the iOS SDK rendered from a golden spec, its model-spec.json and a minimal report."""
    spec = load_spec(SPEC)
    out = tmp_path / "dist" / spec.name
    ios.generate(spec, fake_files(spec, tmp_path / "files"), out / "ios")
    spec.write(out / "model-spec.json")
    report = {
        "name": spec.name,
        "status": "passed",
        "task": spec.task,
        "compression": {"description": "none"},
        "artifacts": [],
        "verification": {},
        "sdk_checks": {},
        "not_executed": [],
        "compression_effect": {},
        "stages": [],
        "cache": {"reused": 0, "ran": 0},
        "versions": {},
        "host": {"platform": "test", "python": "3"},
    }
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "report.md").write_text(render_markdown(report))
    return out


class Fakes:
    """The scenario (environment) and what the fakes recorded."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.mp = root, monkeypatch
        self.log = root / "invocations.jsonl"
        self.state_file = root / "simulators.json"
        python_dir = root / "python-bin"  # the fakes' `#!/usr/bin/env python3`, and nothing else on PATH
        python_dir.mkdir()
        (python_dir / "python3").symlink_to(sys.executable)
        monkeypatch.setenv("PATH", f"{FAKES}{os.pathsep}{python_dir}")
        monkeypatch.setenv("SDKGEN_FAKE_IOS_LOG", str(self.log))
        monkeypatch.setenv("SDKGEN_FAKE_IOS_STATE", str(self.state_file))
        self.set_state(_state())

    def set_state(self, state: dict[str, Any]) -> None:
        self.state_file.write_text(json.dumps(state))

    def env(self, **kw: str) -> None:
        for k, v in kw.items():
            self.mp.setenv(f"SDKGEN_FAKE_IOS_{k}", v)

    def calls(self, tool: str | None = None) -> list[list[str]]:
        if not self.log.exists():
            return []
        lines = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [c["argv"] for c in lines if tool is None or c["tool"] == tool]

    def cwd_of_test(self) -> str:
        lines = [json.loads(line) for line in self.log.read_text().splitlines()]
        return next(c["cwd"] for c in lines if c["tool"] == "xcodebuild" and c["argv"][:1] == ["test"])

    def simctl(self, sub: str) -> list[list[str]]:
        return [c[2:] for c in self.calls("xcrun") if c[:2] == ["simctl", sub]]

    def sim_state(self, label: str) -> str:
        state = json.loads(self.state_file.read_text())
        return next(d["state"] for ds in state["devices"].values() for d in ds if d["udid"] == UDIDS[label])

    def test_argv(self) -> list[str]:
        return next(c for c in self.calls("xcodebuild") if c[:1] == ["test"])


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fakes:
    root = tmp_path / "fakes"
    root.mkdir()
    return Fakes(root, monkeypatch)


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(p.relative_to(root).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _sdk_tests(sdk: Path) -> set[str]:
    """``Target.Class.test()`` of every XCTest method in the generated package (what xcodebuild runs)."""
    found = set()
    for src in (sdk / "Tests").rglob("*.swift"):
        text = src.read_text()
        for cls, body in re.findall(r"class (\w+): XCTestCase \{(.*?)\n\}", text, re.S):
            found |= {f"{src.parent.name}.{cls}.{m}()" for m in re.findall(r"func (test\w+)\(\)", body)}
    return found


def _report(build: Path) -> dict[str, Any]:
    return json.loads((build / "report.json").read_text())


def test_success_records_junit_report_and_timings(
    build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree_digest(build / "ios")
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16", "--boot-timeout", "30"]) == 0
    out = capsys.readouterr().out

    cases = junit.parse((build / "device-tests" / "ios" / "junit.xml").read_text())
    assert {f"{c.classname}.{c.name}" for c in cases} == _sdk_tests(build / "ios")
    assert {c.status for c in cases} == {"passed"} and all(c.seconds > 0 for c in cases)
    run = _report(build)["device_tests"]["ios"]
    assert run["status"] == "passed" and run["counts"] == {"tests": len(cases), "failures": 0, "skipped": 0}
    assert set(run["timings"]) == {"boot", "test"} and run["logs"] == {}
    assert UDIDS["iPhone 16"] in run["device"]
    assert "## Device tests: ios on iPhone 16" in (build / "report.md").read_text()
    assert f"ios: passed · {len(cases)} passed, 0 failed, 0 skipped" in out

    # booted, waited for, tested on that simulator with the package's scheme, then shut down again
    assert fakes.simctl("boot") == [[UDIDS["iPhone 16"]]]
    assert fakes.simctl("bootstatus") == [[UDIDS["iPhone 16"], "-b"]]
    argv = fakes.test_argv()
    assert argv[argv.index("-scheme") + 1] == "Digits"
    assert argv[argv.index("-destination") + 1] == f"platform=iOS Simulator,id={UDIDS['iPhone 16']}"
    assert argv[argv.index("-test-timeouts-enabled") + 1] == "YES"
    assert argv[argv.index("-default-test-execution-time-allowance") + 1] == "300"
    assert fakes.simctl("shutdown") == [[UDIDS["iPhone 16"]]] and fakes.sim_state("iPhone 16") == "Shutdown"
    # run on a copy: the build output is untouched and holds no bundle or log of a passing run
    assert not fakes.cwd_of_test().startswith(str(build))
    assert _tree_digest(build / "ios") == before
    assert sorted(p.name for p in (build / "device-tests" / "ios").iterdir()) == ["junit.xml"]


def test_failing_golden_test_exits_3_naming_test_and_values(
    build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.env(FAIL=GOLDEN_TEST, WORST="0.0375")
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16"]) == 3
    err = capsys.readouterr().err

    # the target, golden values and tolerance the generated test compares against, from the SDK's own sources
    source = next((build / "ios" / "Tests").rglob("DigitsClassifierGoldenTests.swift")).read_text()
    body = source.split("func testExecutorchXnnpackMatchesHostGolden()", 1)[1]
    values, tolerance = re.search(r'"output", \[([^,\]]+)[^\]]*\], output\.output, ([0-9.e-]+)\)', body).groups()  # type: ignore[union-attr]
    methods = source.count("MatchesHostGolden()")
    assert f"1 of {methods + 2} golden tests failed" in err
    assert "DigitsTests.DigitsClassifierGoldenTests.testExecutorchXnnpackMatchesHostGolden()" in err
    assert f"executorch:xnnpack: output: max relative error 0.0375 > {tolerance}; first mismatch at [0]: " in err
    assert f"expected {values.strip()}, got " in err

    folder = build / "device-tests" / "ios"
    run = _report(build)["device_tests"]["ios"]
    assert run["status"] == "failed"
    assert run["logs"] == {"xcodebuild": "xcodebuild.log", "result-bundle": "Tests.xcresult"}
    log = (folder / "xcodebuild.log").read_text()
    assert "** TEST FAILED **" in log and "max relative error" in log
    failed = [c for c in junit.parse((folder / "junit.xml").read_text()) if c.status == "failed"]
    assert [c.name for c in failed] == ["testExecutorchXnnpackMatchesHostGolden()"]
    assert failed[0].message.startswith("DigitsClassifierGoldenTests.swift:")
    assert fakes.sim_state("iPhone 16") == "Shutdown"


def test_failing_core_test_names_the_vector_file(build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    fakes.env(FAIL="ClassificationGoldenTests/testTopKMatchesPython")
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16"]) == 3
    records = len((build / "ios" / "Tests" / "DigitsCoreTests" / "Golden" / "top-k.jsonl").read_text().splitlines())
    err = capsys.readouterr().err
    assert "DigitsCoreTests.ClassificationGoldenTests.testTopKMatchesPython()" in err
    assert f"golden mismatch in top-k.jsonl: 1 of {records} differ" in err


def test_skipped_golden_test_stays_skipped(build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    fakes.env(SKIP=GOLDEN_TEST)
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16"]) == 0
    reason = re.search(
        r'XCTSkip\("([^"]*)"\)', next((build / "ios" / "Tests").rglob("DigitsClassifierGoldenTests.swift")).read_text()
    ).group(1)  # type: ignore[union-attr]
    cases = {c.name: c for c in junit.parse((build / "device-tests" / "ios" / "junit.xml").read_text())}
    skipped = cases["testExecutorchXnnpackMatchesHostGolden()"]
    assert skipped.status == "skipped" and skipped.message == f"Test skipped - {reason}"
    assert {c.status for n, c in cases.items() if n != skipped.name} == {"passed"} and len(cases) > 2
    run = _report(build)["device_tests"]["ios"]
    assert run["counts"]["skipped"] == 1 and run["cases"][0]["status"] != "passed"
    assert (
        "SKIPPED DigitsTests.DigitsClassifierGoldenTests.testExecutorchXnnpackMatchesHostGolden()"
        in capsys.readouterr().out
    )


def test_every_test_skipped_is_not_executed_never_passed(build: Path, fakes: Fakes) -> None:
    source = next((build / "ios" / "Tests").rglob("DigitsClassifierGoldenTests.swift")).read_text()
    golden = [f"DigitsClassifierGoldenTests/{m}" for m in re.findall(r"func (test\w+MatchesHostGolden)\(", source)]
    fakes.env(
        SKIP=",".join(golden) + ",ClassificationGoldenTests/testTopKMatchesPython,"
        "ImagePreprocessorGoldenTests/testFromRGBAMatchesPython"
    )
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16"]) == 0
    run = _report(build)["device_tests"]["ios"]
    assert run["status"] == "not_executed" and run["counts"]["skipped"] == len(golden) + 2 >= 4
    assert any("every test was skipped" in n for n in run["notes"])


def test_boot_timeout_retries_then_exits_6_and_shuts_down(
    build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.env(BOOT="hang")
    code = main(["test", "ios", str(build), "--simulator", "iPhone 16", "--boot-timeout", "0.5", "--boot-retries", "1"])
    err = capsys.readouterr().err
    assert code == 6
    assert UDIDS["iPhone 16"] in err and "2 attempts" in err and "s waited" in err
    assert len(fakes.simctl("boot")) == 2 and len(fakes.simctl("bootstatus")) == 2
    assert fakes.simctl("shutdown") == [[UDIDS["iPhone 16"]]] * 2
    assert fakes.sim_state("iPhone 16") == "Shutdown"
    assert not [c for c in fakes.calls("xcodebuild") if c[:1] == ["test"]]


def test_missing_xcode_exits_4_with_install_hint(
    build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert main(["test", "ios", str(build)]) == 4
    err = capsys.readouterr().err
    assert "no `xcrun` on PATH" in err
    assert "xcode-select --install" in err and "xcodebuild -downloadPlatform iOS" in err


def test_command_line_tools_only_exits_4(build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    fakes.env(CLT="1")
    assert main(["test", "ios", str(build)]) == 4
    err = capsys.readouterr().err
    assert "`xcrun --find xcodebuild` failed" in err and "Command Line Tools" in err
    assert "unable to find utility" in err


def test_unknown_simulator_exits_2_listing_available(
    build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", "ios", str(build), "--simulator", "iPhone 99"]) == 2
    err = capsys.readouterr().err
    assert "'iPhone 99'" in err
    assert "valid choices: iPad Air, iPhone 15, iPhone 16, iPhone 16 Pro" in err  # not unavailable, not watchOS
    assert not fakes.simctl("boot")


def test_booted_simulator_is_reused_and_left_running(build: Path, fakes: Fakes) -> None:
    fakes.set_state(_state(booted="iPhone 16"))
    assert main(["test", "ios", str(build), "--simulator", UDIDS["iPhone 16"]]) == 0
    assert not fakes.simctl("boot") and not fakes.simctl("bootstatus") and not fakes.simctl("shutdown")
    assert fakes.sim_state("iPhone 16") == "Booted"
    run = _report(build)["device_tests"]["ios"]
    assert run["timings"]["boot"] == 0.0 and any("reused" in n for n in run["notes"])


def test_default_and_shared_names_pick_the_newest_runtime(build: Path, fakes: Fakes) -> None:
    assert main(["test", "ios", str(build), "--simulator", "iPhone 15", "--keep-simulator"]) == 0
    assert fakes.simctl("boot") == [[UDIDS["iPhone 15 (18.2)"]]] and not fakes.simctl("shutdown")
    assert fakes.sim_state("iPhone 15 (18.2)") == "Booted"
    fakes.set_state(_state())
    assert main(["test", "ios", str(build)]) == 0
    assert fakes.simctl("boot")[-1] == [UDIDS["iPhone 16 Pro"]]  # first iPhone of iOS 18.2


def test_physical_device_is_not_booted(build: Path, fakes: Fakes) -> None:
    assert main(["test", "ios", str(build), "--device", PHYSICAL]) == 0
    argv = fakes.test_argv()
    assert argv[argv.index("-destination") + 1] == f"id={PHYSICAL}"
    assert not [c for c in fakes.calls("xcrun") if c[:1] == ["simctl"]]


def test_unknown_device_exits_6(build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "ios", str(build), "--device", "00008110-0000000000000000"]) == 6
    assert "Unable to find a destination matching" in capsys.readouterr().err
    assert (build / "device-tests" / "ios" / "xcodebuild.log").is_file()


def test_hung_xcodebuild_exits_6_keeping_its_log(build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    fakes.env(TEST="hang")
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16", "--test-timeout", "1"]) == 6
    assert "did not finish in 1 s" in capsys.readouterr().err
    assert "Testing started" in (build / "device-tests" / "ios" / "xcodebuild.log").read_text()
    assert fakes.sim_state("iPhone 16") == "Shutdown"


def test_package_that_does_not_build_exits_1_with_the_compiler_error(
    build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.env(TEST="build-error")
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16"]) == 1
    err = capsys.readouterr().err
    assert "before any test ran" in err and "cannot find type 'Tensor' in scope" in err
    run = _report(build)["device_tests"]["ios"]
    assert run["status"] == "not_executed" and run["logs"]["xcodebuild"] == "xcodebuild.log"


def test_xcode15_result_bundle_is_read_through_the_legacy_format(
    build: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes.env(XCODE="15.4", FAIL=GOLDEN_TEST, SKIP="ClassificationGoldenTests/testTopKMatchesPython")
    assert main(["test", "ios", str(build), "--simulator", "iPhone 16"]) == 3
    assert "max relative error" in capsys.readouterr().err
    tool_calls = [c for c in fakes.calls("xcrun") if c[:1] == ["xcresulttool"]]
    assert [c[1:3] for c in tool_calls[:3]] == [["get", "test-results"], ["get", "--legacy"], ["get", "--format"]]
    run = _report(build)["device_tests"]["ios"]
    statuses = {c["name"]: c["status"] for c in run["cases"]}
    assert statuses.pop("testExecutorchXnnpackMatchesHostGolden()") == "failed"
    assert statuses.pop("testTopKMatchesPython()") == "skipped"
    assert set(statuses.values()) == {"passed"}
    assert run["cases"][0]["message"].startswith("DigitsClassifierGoldenTests.swift:")
    assert any("legacy" in n for n in run["notes"])


def test_fakes_refuse_what_the_real_tools_refuse(build: Path, fakes: Fakes) -> None:
    def fake(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(FAKES / tool), *args], cwd=build / "ios", capture_output=True, text=True)

    schemes = json.loads(fake("xcodebuild", "-list", "-json").stdout.split("\n\n")[-1])["workspace"]["schemes"]
    assert "Digits" in schemes and "executorch" in schemes
    r = fake("xcodebuild", "test", "-scheme", "Nope", "-destination", "id=x", "-resultBundlePath", "/tmp/x")
    assert r.returncode == 65 and 'does not contain a scheme named "Nope"' in r.stderr
    r = fake("xcodebuild", "test", "-scheme", "executorch", "-destination", "id=x")
    assert r.returncode == 66 and "not currently configured for the test action" in r.stderr
    r = fake("xcodebuild", "test", "-scheme", "Digits", "-frobnicate")
    assert r.returncode == 64 and "invalid option '-frobnicate'" in r.stderr
    r = fake("xcrun", "simctl", "boot", "not-a-udid")
    assert r.returncode == 148 and "Invalid device: not-a-udid" in r.stderr
    r = fake("xcrun", "simctl", "shutdown", UDIDS["iPhone 16"])
    assert r.returncode == 149 and "current state: Shutdown" in r.stderr
    r = fake("xcrun", "notatool")
    assert r.returncode == 72 and 'unable to find utility "notatool"' in r.stderr


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"duration": "0.12s"}, 0.12),
        ({"duration": "0,0052s"}, 0.0052),
        ({"duration": "1m 3s"}, 63.0),
        ({"duration": "12ms"}, 0.012),
        ({"duration": "0.5s", "durationInSeconds": 0.4983}, 0.4983),
        ({}, 0.0),
    ],
)
def test_durations(node: dict[str, Any], expected: float) -> None:
    assert xcresult.seconds(node) == pytest.approx(expected)


def test_expected_failure_passes_and_unknown_result_fails() -> None:
    doc = {
        "testNodes": [
            {
                "nodeType": "Test Plan",
                "name": "P",
                "children": [
                    {
                        "nodeType": "Unit test bundle",
                        "name": "T",
                        "children": [
                            {
                                "nodeType": "Test Suite",
                                "name": "C",
                                "children": [
                                    {"nodeType": "Test Case", "name": "a()", "result": "Expected Failure"},
                                    {"nodeType": "Test Case", "name": "b()"},
                                ],
                            }
                        ],
                    }
                ],
            }
        ]
    }
    a, b = xcresult.from_test_results(doc, "s")
    assert (a.classname, a.status, b.status) == ("T.C", "passed", "failed")
