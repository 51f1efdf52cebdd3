"""``sdkgen test android`` end to end through the CLI, against fake ``adb``, ``emulator`` and ``gradle``
(tests/devices/fakes) that follow the real tools' command lines and output formats and log every call.

The build folder is a real generated Android library (the text-classifier golden spec rendered with
``sdkgen.sdk.android.generate``) beside a minimal report; its golden tests are what the fake Gradle packs
into the test APK and the fake device runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from sdkgen import junit
from sdkgen.cli import main
from sdkgen.devices import adb as adb_mod
from sdkgen.devices import harness
from sdkgen.sdk import android
from tests.conftest import fake_files, load_spec

FAKES = Path(__file__).resolve().parent / "fakes"
SPEC = "text-classifier"
AVD = "sdkgen-35"
# What sdkgen's generated golden test prints when a backend's output is off (see TextClassifierGoldenTest.kt).
FAILURE = (
    "java.lang.AssertionError: executorch:xnnpack: output: max relative error 0.0123 > 1.0E-4; "
    "first mismatch at [2]: expected 0.9123, got 0.9"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `sdkgen build`-shaped folder: the generated library, model-spec.json and a minimal report."""
    root = tmp_path_factory.mktemp("built")
    spec = load_spec(SPEC)
    out = root / SPEC
    android.generate(spec, fake_files(spec, root / "files"), out / "android")
    spec.write(out / "model-spec.json")
    report = {
        "report_version": 1,
        "name": spec.name,
        "task": spec.task,
        "status": "passed",
        "targets": [],
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
        "files": [],
    }
    (out / "report.json").write_text(json.dumps(report), encoding="utf-8")
    (out / "report.md").write_text("# report\n", encoding="utf-8")
    return out


@pytest.fixture
def build(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / SPEC))


class Env:
    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sdk = tmp / "android-sdk"
        for rel, fake in (("platform-tools/adb", "adb"), ("emulator/emulator", "emulator")):
            (self.sdk / rel).parent.mkdir(parents=True)
            (self.sdk / rel).symlink_to(FAKES / fake)
        self.bin = tmp / "bin"
        self.bin.mkdir()
        (self.bin / "gradle").symlink_to(FAKES / "gradle")
        self.log = tmp / "calls.jsonl"
        self.state = tmp / "state"
        self.monkeypatch = monkeypatch
        monkeypatch.setenv("PATH", f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin")
        monkeypatch.setenv("ANDROID_HOME", str(self.sdk))
        monkeypatch.delenv("ANDROID_SDK_ROOT", raising=False)
        monkeypatch.setenv("FAKE_ANDROID_LOG", str(self.log))
        monkeypatch.setenv("FAKE_ANDROID_STATE", str(self.state))
        monkeypatch.setenv("FAKE_AVDS", AVD)
        monkeypatch.setattr(adb_mod, "POLL_SECONDS", 0.01)

    def calls(self, tool: str) -> list[list[str]]:
        if not self.log.exists():
            return []
        rows = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [r["argv"] for r in rows if r["tool"] == tool]

    def attach(self, serial: str, avd: str | None = None, state: str = "device") -> None:
        """A device (or an emulator someone else started) that adb already lists, booted."""
        (self.state / "devices").mkdir(parents=True, exist_ok=True)
        data = {"state": state, "avd": avd, "model": "Pixel 8", "boot_after": 0, "polls": 0, "pid": None}
        (self.state / "devices" / f"{serial}.json").write_text(json.dumps(data), encoding="utf-8")

    def attached(self) -> list[str]:
        return sorted(p.stem for p in (self.state / "devices").glob("*.json"))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    return Env(tmp_path, monkeypatch)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _source_tests(build: Path) -> list[tuple[str, str]]:
    """The generated library's instrumented tests, read from its sources: (class, method)."""
    found = []
    for kt in harness.read_module(build / "android").tests:
        src = kt.read_text(encoding="utf-8")
        pkg = re.search(r"^package ([\w.]+)", src, re.M)
        cls = re.search(r"^class (\w+)", src, re.M)
        assert pkg and cls
        found += [(f"{pkg.group(1)}.{cls.group(1)}", m) for m in re.findall(r"@Test\s+fun (\w+)", src)]
    return found


def _report(build: Path) -> dict[str, Any]:
    return json.loads((build / "report.json").read_text(encoding="utf-8"))


def test_starts_the_avd_builds_installs_and_runs_the_golden_tests(
    env: Env, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree_digest(build / "android")
    code = main(["test", "android", str(build), "--avd", AVD, "--boot-timeout", "20"])
    out = capsys.readouterr()
    assert code == 0, out.err

    # The emulator: started once, headless, on the first free port; stopped at the end.
    assert env.calls("emulator") == [
        ["-avd", AVD, "-no-window", "-no-audio", "-no-boot-anim", "-no-snapshot-save", "-port", "5554"]
    ]
    adb_calls = env.calls("adb")
    assert ["-s", "emulator-5554", "wait-for-device"] in adb_calls
    assert ["-s", "emulator-5554", "emu", "kill"] in adb_calls
    assert env.attached() == []

    # Gradle built the harness's test APK; the build folder's library was only read.
    (gradle_call,) = env.calls("gradle")
    assert gradle_call[0] == "-p" and gradle_call[-1] == ":sdk:assembleDebugAndroidTest"
    assert _tree_digest(build / "android") == before
    installs = [c for c in adb_calls if "install" in c]
    assert len(installs) == 1 and installs[0][:5] == ["-s", "emulator-5554", "install", "-r", "-t"]
    assert installs[0][5].endswith("build/sdk/outputs/apk/androidTest/debug/sdk-debug-androidTest.apk")
    namespace = harness.read_module(build / "android").namespace
    assert [
        "-s", "emulator-5554", "shell", "am", "instrument", "-w", "-r", "-e", "timeout_msec", "300000",
        f"{namespace}.test/androidx.test.runner.AndroidJUnitRunner",
    ] in adb_calls  # fmt: skip

    # Results: every golden test of the sources passed, each timed from its status lines.
    cases = junit.parse((build / "device-tests" / "android" / "junit.xml").read_text(encoding="utf-8"))
    expected = _source_tests(build)
    assert len(expected) >= 2
    assert sorted((c.classname, c.name) for c in cases) == sorted(expected)
    assert all(c.status == "passed" and c.seconds >= 0.04 for c in cases)
    run = _report(build)["device_tests"]["android"]
    assert run["status"] == "passed" and run["device"] == f"{AVD} (emulator-5554)"
    assert set(run["timings"]) == {"boot", "build", "install", "test"}
    assert run["counts"] == {"tests": len(expected), "failures": 0, "skipped": 0}
    assert "logcat" not in run["logs"]
    md = (build / "report.md").read_text(encoding="utf-8")
    assert f"## Device tests: android on {AVD} (emulator-5554)" in md
    assert "android: passed" in out.out and f"{len(expected)} passed, 0 failed" in out.out


def test_a_failing_golden_test_fails_with_its_name_and_values_and_keeps_logcat(
    env: Env, build: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.attach("R5CT1234")
    monkeypatch.setenv("FAKE_ADB_FAIL", "TextClassifierGoldenTest#executorchXnnpackMatchesHostGolden")
    monkeypatch.setenv("FAKE_ADB_FAILURE", FAILURE)
    code = main(["test", "android", str(build), "--serial", "R5CT1234"])
    err = capsys.readouterr().err
    assert code == 3
    assert "TextClassifierGoldenTest.executorchXnnpackMatchesHostGolden: " + FAILURE in err
    assert "on Pixel 8 (R5CT1234)" in err
    folder = build / "device-tests" / "android"
    assert FAILURE in (folder / "logcat.txt").read_text(encoding="utf-8")
    run = _report(build)["device_tests"]["android"]
    assert run["status"] == "failed" and run["logs"]["logcat"] == "logcat.txt"
    failed = [c for c in run["cases"] if c["status"] == "failed"]
    assert [(c["name"], c["message"]) for c in failed] == [("executorchXnnpackMatchesHostGolden", FAILURE)]
    assert "at org.junit.Assert.fail" in failed[0]["detail"]
    xml = (folder / "junit.xml").read_text(encoding="utf-8")
    assert [c.message for c in junit.parse(xml) if c.status == "failed"] == [FAILURE]
    assert env.calls("emulator") == []


def test_a_crash_during_a_test_fails_that_test(
    env: Env, build: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_ADB_CRASH", "TextClassifierGoldenTest#executorchXnnpackMatchesHostGolden")
    assert main(["test", "android", str(build), "--avd", AVD, "--boot-timeout", "20"]) == 3
    err = capsys.readouterr().err
    assert "TextClassifierGoldenTest.executorchXnnpackMatchesHostGolden: did not finish: Process crashed." in err
    run = _report(build)["device_tests"]["android"]
    assert "Process crashed." in run["notes"]
    # logcat is read from the emulator this run started before it is stopped.
    adb_calls = env.calls("adb")
    assert adb_calls.index(["-s", "emulator-5554", "logcat", "-d"]) < adb_calls.index(
        ["-s", "emulator-5554", "emu", "kill"]
    )
    logcat = (build / "device-tests" / "android" / "logcat.txt").read_text(encoding="utf-8")
    assert "FATAL EXCEPTION" in logcat
    assert env.attached() == []


def test_a_test_run_over_the_test_timeout_is_cut_off(
    env: Env, build: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.attach("R5CT1234")
    monkeypatch.setenv("FAKE_ADB_TEST_SECONDS", "30")
    assert main(["test", "android", str(build), "--test-timeout", "1"]) == 3
    err = capsys.readouterr().err
    assert "did not finish: no result within --test-timeout 1 s" in err
    run = _report(build)["device_tests"]["android"]
    assert 1.0 <= run["timings"]["test"] < 10.0
    (case,) = run["cases"]
    assert case["status"] == "failed" and 0.9 <= case["seconds"] < 10.0
    n = len(_source_tests(build))
    assert f"{n - 1} of {n} tests did not run" in run["notes"]
    namespace = harness.read_module(build / "android").namespace
    assert ["-s", "R5CT1234", "shell", "am", "force-stop", f"{namespace}.test"] in env.calls("adb")


def test_boot_timeout_retries_cold_then_fails_with_exit_6(
    env: Env, build: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_BOOT_POLLS", "never")
    code = main(["test", "android", str(build), "--avd", AVD, "--boot-timeout", "2", "--boot-retries", "2"])
    err = capsys.readouterr().err
    assert code == 6
    starts = env.calls("emulator")
    assert len(starts) == 3
    assert ["-no-snapshot-load" in s for s in starts] == [False, True, True]
    kills = [c for c in env.calls("adb") if c[-2:] == ["emu", "kill"]]
    assert len(kills) == 3 and env.attached() == []
    assert "emulator-5554" in err and "3 attempts of 2 s" in err
    assert "last getprop: sys.boot_completed='', init.svc.bootanim='running'" in err
    assert env.calls("gradle") == []
    run = _report(build)["device_tests"]["android"]
    assert run["status"] == "not_executed" and "did not finish booting" in run["notes"][0]
    assert run["logs"] == {"emulator": "emulator.log"}


def test_without_android_home_exit_4_says_what_to_install(
    env: Env, build: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ANDROID_HOME")
    assert main(["test", "android", str(build), "--avd", AVD]) == 4
    err = capsys.readouterr().err
    assert "neither ANDROID_HOME nor ANDROID_SDK_ROOT is set" in err
    assert 'sdkmanager "platform-tools" "emulator" "system-images;android-35;google_apis;x86_64"' in err
    assert "avdmanager create avd" in err
    assert env.calls("adb") == []


def test_android_home_without_adb_exit_4(env: Env, build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env.sdk / "platform-tools" / "adb").unlink()
    assert main(["test", "android", str(build), "--avd", AVD]) == 4
    err = capsys.readouterr().err
    assert "has no adb (platform-tools/adb)" in err and 'sdkmanager "platform-tools"' in err


def test_without_gradle_exit_4(env: Env, build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env.bin / "gradle").unlink()
    assert main(["test", "android", str(build), "--avd", AVD]) == 4
    err = capsys.readouterr().err
    assert "`gradle` is not on PATH" in err and "--gradle PATH" in err


def test_serial_not_attached_exit_6_lists_the_devices(
    env: Env, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.attach("emulator-5556", avd="other")
    env.attach("R5CT9999", state="unauthorized")
    assert main(["test", "android", str(build), "--serial", "R5CT1234"]) == 6
    err = capsys.readouterr().err
    assert "device R5CT1234 is not attached; adb lists: R5CT9999 (unauthorized), emulator-5556 (device)" in err
    assert env.calls("gradle") == []


def test_a_running_emulator_of_the_avd_is_reused_and_left_running(
    env: Env, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.attach("emulator-5554", avd="other-avd")
    env.attach("emulator-5556", avd=AVD)
    assert main(["test", "android", str(build), "--avd", AVD]) == 0, capsys.readouterr().err
    assert env.calls("emulator") == []
    adb_calls = env.calls("adb")
    assert ["-s", "emulator-5556", "emu", "avd", "name"] in adb_calls
    assert not [c for c in adb_calls if c[-2:] == ["emu", "kill"]]
    assert env.attached() == ["emulator-5554", "emulator-5556"]
    assert _report(build)["device_tests"]["android"]["device"] == f"{AVD} (emulator-5556)"


def test_without_avd_or_serial_needs_exactly_one_device(
    env: Env, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", "android", str(build)]) == 2
    assert "no device is attached; adb lists: none" in capsys.readouterr().err
    env.attach("R5CT1", state="device")
    env.attach("R5CT2", state="device")
    assert main(["test", "android", str(build)]) == 2
    assert "2 devices are attached; adb lists: R5CT1 (device), R5CT2 (device)" in capsys.readouterr().err


def test_gradle_failure_exit_1_and_the_log_is_kept(
    env: Env, build: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.attach("R5CT1234")
    monkeypatch.setenv("FAKE_GRADLE_FAIL", "1")
    assert main(["test", "android", str(build)]) == 1
    assert "Unresolved reference" in capsys.readouterr().err
    run = _report(build)["device_tests"]["android"]
    assert run["status"] == "not_executed" and run["logs"]["gradle"] == "gradle.log"
    assert "Compilation error" in (build / "device-tests" / "android" / "gradle.log").read_text(encoding="utf-8")
    assert not [c for c in env.calls("adb") if "install" in c]
