"""``sdkgen test android``: the SDK's instrumented golden tests on an emulator or a device.

Steps, each timed (``DeviceRun.timings``) and each under a timeout:

1. **boot**: ``--serial`` uses that device (it must be in state ``device``); ``--avd NAME`` reuses a running
   emulator of that AVD (``adb devices``, then ``adb -s emulator-PORT emu avd name``) or starts one headless
   (``emulator -avd NAME -no-window -no-audio -no-boot-anim -no-snapshot-save -port PORT``) and waits for
   ``adb wait-for-device`` and ``sys.boot_completed`` = 1 within ``--boot-timeout``; a boot that times out
   is killed and retried as a cold boot (``-no-snapshot-load``) up to ``--boot-retries`` times. Neither
   option: the one attached device.
2. **build**: a harness Gradle project (:mod:`sdkgen.devices.harness`, in a temporary folder) includes the
   generated library, and ``gradle -p HARNESS :sdk:assembleDebugAndroidTest`` builds its test APK.
   ``assembleDebugAndroidTest`` rather than ``connectedAndroidTest``: the latter runs on every attached
   device (no choosing one), has one timeout for install and run together, and reports no per-phase times;
   installing and instrumenting ourselves gives each phase its own timeout and time, and the raw status
   lines give each test's time.
3. **install**: ``adb -s SERIAL install -r -t APK`` (``Success``), and the instrumentation
   ``<namespace>.test/<runner>`` must then be listed by ``pm list instrumentation``.
4. **test**: ``adb -s SERIAL shell am instrument -w -r -e timeout_msec MS <namespace>.test/<runner>`` within
   ``--test-timeout`` (``--per-test-timeout`` is the runner's own limit for each test),
   parsed by :mod:`sdkgen.devices.instrumentation`; on any failure ``adb logcat -d`` is saved.

The results go to ``<build>/device-tests/android`` (JUnit XML, logs) and ``report.json``/``report.md``
(:func:`sdkgen.devices.record`). Exit codes: 0 all passed, 3 a golden test failed (naming the test and the
first line of its message, which for sdkgen's tests holds the mismatching values), 4 no Android SDK or
Gradle, 6 the device did not boot or the APK did not install, 1 the harness did not build, 2 bad arguments.
An emulator this command started is stopped at the end unless ``--keep-emulator``.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sdkgen import junit
from sdkgen.devices import DeviceRun, instrumentation, load_build, raise_for, record, run_folder
from sdkgen.devices import harness as harness_mod
from sdkgen.devices.adb import Adb, AndroidSdk, BootTimeout, Emulator, find_sdk, free_port, require_emulator
from sdkgen.errors import CheckFailed, ConfigError, DeviceError, SdkgenError, ToolchainMissing

INSTALL_TIMEOUT = 300.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("build", nargs="?", type=Path, default=Path("dist/tiny-llm"), help="a `sdkgen build` output folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--avd", help="the emulator (AVD) to start headless if it is not running")
    where.add_argument("--serial", help="a running emulator or a device attached to adb (`adb devices`)")
    p.add_argument("--boot-timeout", type=float, default=300.0, help="seconds to wait for boot (default 300)")
    p.add_argument("--test-timeout", type=float, default=600.0, help="seconds per test run (default 600)")
    p.add_argument(
        "--per-test-timeout",
        type=float,
        default=300.0,
        help="seconds one test may take before the runner fails it (AndroidJUnitRunner timeout_msec; default 300)",
    )
    p.add_argument("--boot-retries", type=int, default=1, help="cold-boot retries after a boot timeout (default 1)")
    p.add_argument("--build-timeout", type=float, default=1800.0, help="seconds for the Gradle build (default 1800)")
    p.add_argument("--gradle", type=Path, help="the Gradle to build the test APK with (default: `gradle` on PATH)")
    p.add_argument("--keep-emulator", action="store_true", help="leave an emulator this command started running")
    p.set_defaults(func=run)


@dataclass
class _Target:
    serial: str
    label: str
    started: Emulator | None = None


def run(args: argparse.Namespace) -> int:
    if (
        args.boot_retries < 0
        or min(args.boot_timeout, args.test_timeout, args.build_timeout, args.per_test_timeout) <= 0
    ):
        raise ConfigError("--boot-retries must be >= 0 and the timeouts > 0", hint="e.g. --boot-timeout 600")
    report, sdk_dir = load_build(args.build, "android")
    module = harness_mod.read_module(sdk_dir)
    sdk = find_sdk()
    gradle = find_gradle(args.gradle)
    if args.avd:
        require_emulator(sdk)
    adb = Adb(sdk.adb)
    folder = run_folder(args.build, "android")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("logcat.txt", "instrument.txt", "gradle.log", "emulator.log"):
        (folder / stale).unlink(missing_ok=True)
    suite = f"{report['name']}.device.android"
    timings: dict[str, float] = {}
    logs: dict[str, str] = {}
    target: _Target | None = None
    try:
        t0 = time.monotonic()
        try:
            target = _device(args, adb, sdk, folder, logs)
        except DeviceError as e:
            where = args.avd or args.serial or "the attached device"
            record(args.build, DeviceRun("android", where, timings=timings, logs=logs, notes=[e.message]))
            raise
        timings["boot"] = time.monotonic() - t0
        device_run = DeviceRun("android", target.label, timings=timings, logs=logs)
        try:
            _build_install_test(args, adb, gradle, module, target.serial, folder, suite, device_run)
        except SdkgenError as e:
            device_run.notes.append(e.message)
            _logcat(adb, target.serial, folder, logs)
            record(args.build, device_run)
            raise
        if device_run.status != "passed":
            _logcat(adb, target.serial, folder, logs)  # before the emulator stops
    finally:
        if target is not None and target.started is not None and not args.keep_emulator:
            _log(f"stopping {target.started.avd} ({target.serial})")
            target.started.stop(adb)
    record(args.build, device_run)
    _summary(args.build, device_run)
    raise_for(device_run)
    return 0


def find_gradle(given: Path | None) -> Path:
    """``--gradle`` or ``gradle`` on PATH; :class:`ToolchainMissing` (exit 4) saying how to get it."""
    hint = (
        "install Gradle 8.9 or newer (https://gradle.org/install/, e.g. `sdk install gradle 8.11.1`) and put it "
        "on PATH, or pass --gradle PATH (an app's ./gradlew works too)"
    )
    if given is not None:
        if not (given.is_file() and os.access(given, os.X_OK)):
            raise ToolchainMissing(f"--gradle {str(given)!r} is not an executable file", hint=hint)
        return given
    found = shutil.which("gradle")
    if found is None:
        raise ToolchainMissing("no Gradle: `gradle` is not on PATH (it builds the test APK)", hint=hint)
    return Path(found)


def _device(args: argparse.Namespace, adb: Adb, sdk: AndroidSdk, folder: Path, logs: dict[str, str]) -> _Target:
    devices = adb.devices()
    seen = ", ".join(f"{d.serial} ({d.state})" for d in devices) or "none"
    if args.serial:
        match = [d for d in devices if d.serial == args.serial]
        if not match or match[0].state != "device":
            state = f"in state {match[0].state!r}" if match else "not attached"
            raise DeviceError(
                f"device {args.serial} is {state}; adb lists: {seen}",
                hint="connect and authorize it (`adb devices` must show it as `device`), or use --avd NAME",
            )
        _log(f"waiting for {args.serial} to finish booting")
        adb.wait_for_boot(args.serial, args.boot_timeout)
        return _Target(args.serial, _label(adb, args.serial))
    if args.avd:
        for d in devices:
            if d.state == "device" and adb.avd_name(d.serial) == args.avd:
                _log(f"using the running emulator {args.avd} ({d.serial})")
                adb.wait_for_boot(d.serial, args.boot_timeout)
                return _Target(d.serial, f"{args.avd} ({d.serial})")
        return _boot(args, adb, require_emulator(sdk), {d.serial for d in devices}, folder, logs)
    ready = [d for d in devices if d.state == "device"]
    if len(ready) != 1:
        raise ConfigError(
            f"{'no device is' if not ready else f'{len(ready)} devices are'} attached; adb lists: {seen}",
            hint="pass --serial SERIAL for a device or running emulator, or --avd NAME to start an emulator "
            "(`emulator -list-avds` lists them)",
        )
    adb.wait_for_boot(ready[0].serial, args.boot_timeout)
    return _Target(ready[0].serial, _label(adb, ready[0].serial))


def _boot(
    args: argparse.Namespace, adb: Adb, binary: Path, taken: set[str], folder: Path, logs: dict[str, str]
) -> _Target:
    """Start the AVD and wait for it; a boot that times out is killed and retried cold."""
    log = folder / "emulator.log"
    logs["emulator"] = log.name
    last: BootTimeout | None = None
    for attempt in range(args.boot_retries + 1):
        port = free_port(taken)
        emu = Emulator(binary, args.avd, port, log, cold=attempt > 0)
        _log(f"starting {args.avd} on port {port}{' (cold boot)' if attempt else ''}: {' '.join(emu.args)}")
        try:
            adb.wait_for_boot(emu.serial, args.boot_timeout, alive=emu.exited)
            return _Target(emu.serial, f"{args.avd} ({emu.serial})", emu)
        except BootTimeout as e:
            last = e
            _log(f"{args.avd} did not boot within {e.seconds:.0f} s (attempt {attempt + 1}); killing it")
            emu.stop(adb)
        except BaseException:
            emu.stop(adb)
            raise
    assert last is not None
    raise DeviceError(
        f"emulator {args.avd} ({last.serial}) did not finish booting: {args.boot_retries + 1} attempts of "
        f"{args.boot_timeout:.0f} s, the last waited {last.seconds:.1f} s; last getprop: {last.last}",
        hint=f"see {log}; {last.hint}",
    )


def _label(adb: Adb, serial: str) -> str:
    name = adb.avd_name(serial) or adb.getprop(serial, "ro.product.model")
    return f"{name} ({serial})" if name else serial


def _build_install_test(
    args: argparse.Namespace,
    adb: Adb,
    gradle: Path,
    module: harness_mod.Module,
    serial: str,
    folder: Path,
    suite: str,
    device_run: DeviceRun,
) -> None:
    timings, logs = device_run.timings, device_run.logs
    with tempfile.TemporaryDirectory(prefix="sdkgen-android-harness-") as tmp:
        h = harness_mod.render(module, Path(tmp))
        t0 = time.monotonic()
        _gradle(gradle, h, folder, args.build_timeout, logs)
        timings["build"] = time.monotonic() - t0

        t0 = time.monotonic()
        _install(adb, serial, h)
        timings["install"] = time.monotonic() - t0

    t0 = time.monotonic()
    adb.run(["logcat", "-c"], serial=serial, timeout=30.0)
    component = f"{module.test_package}/{module.runner}"
    _log(f"running {component} on {serial}")
    lines, cut_off = _instrument(
        adb, serial, component, args.test_timeout, args.per_test_timeout, folder / "instrument.txt"
    )
    logs["instrumentation"] = "instrument.txt"
    timings["test"] = time.monotonic() - t0
    if cut_off:
        adb.shell(serial, "am", "force-stop", module.test_package, timeout=30.0)
    result = instrumentation.parse(
        lines,
        suite,
        end_time=time.monotonic(),
        interrupted=f"no result within --test-timeout {args.test_timeout:.0f} s" if cut_off else None,
    )
    if not result.cases:
        raise DeviceError(
            f"no test ran on {device_run.device}: {result.error or 'the instrumentation reported no tests'}",
            hint="see the logcat and instrument.txt beside the JUnit XML",
        )
    device_run.cases = result.cases
    if result.error:
        device_run.notes.append(result.error)
        if not any(c.status == "failed" for c in result.cases):
            device_run.cases.append(
                junit.TestCase(suite, "instrumentation", "run", "failed", result.error, result.error)
            )
    if result.numtests is not None and result.numtests > len(result.cases):
        device_run.notes.append(f"{result.numtests - len(result.cases)} of {result.numtests} tests did not run")


def _gradle(gradle: Path, h: harness_mod.Harness, folder: Path, timeout: float, logs: dict[str, str]) -> None:
    cmd = [str(gradle), "-p", str(h.folder), "--console=plain", harness_mod.TASK]
    _log(f"building the test APK: {' '.join(cmd)}")
    log = folder / "gradle.log"
    logs["gradle"] = log.name
    with open(log, "w", encoding="utf-8") as out:
        try:
            r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise CheckFailed(
                f"the Gradle build of the test APK did not finish within {timeout:.0f} s",
                hint=f"see {log}; raise --build-timeout",
            ) from e
    if r.returncode != 0:
        raise CheckFailed(
            f"the Gradle build of the test APK failed (exit {r.returncode}): "
            + _gradle_errors(log.read_text(encoding="utf-8", errors="replace")),
            hint=f"see {log}; the generated library must build with Gradle 8.9+ and the Android SDK in ANDROID_HOME",
        )
    if not h.apk.is_file():
        raise CheckFailed(f"Gradle ran {harness_mod.TASK} but wrote no test APK at {h.apk}", hint=f"see {log}")


def _gradle_errors(text: str) -> str:
    """The compiler's error lines (``e: file:///...``) and Gradle's "What went wrong" block, else the tail."""
    lines = text.strip().splitlines()
    errors = [ln.strip() for ln in lines if ln.startswith(("e: ", "error: "))][:5]
    if "* What went wrong:" in lines:
        block = lines[lines.index("* What went wrong:") + 1 :]
        errors += [ln.strip() for ln in block[: block.index("") if "" in block else 6]]
    return " | ".join(errors or lines[-8:])


def _install(adb: Adb, serial: str, h: harness_mod.Harness) -> None:
    _log(f"installing {h.apk.name} on {serial}")
    r = adb.run(["install", "-r", "-t", str(h.apk)], serial=serial, timeout=INSTALL_TIMEOUT)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0 or "Success" not in out.splitlines():
        failure = next((ln for ln in out.splitlines() if "Failure" in ln or "error" in ln.lower()), out[-300:])
        raise DeviceError(
            f"installing the test APK on {serial} failed: {failure}",
            hint="INSTALL_FAILED_INSUFFICIENT_STORAGE: wipe the emulator (-wipe-data); "
            "INSTALL_FAILED_NO_MATCHING_ABIS: use an x86_64 image on x86_64 hosts",
        )
    component = f"{h.module.test_package}/{h.module.runner}"
    listed = adb.shell(serial, "pm", "list", "instrumentation", timeout=60.0).stdout
    names = [
        ln.removeprefix("instrumentation:").split(" ")[0]
        for ln in listed.splitlines()
        if ln.startswith("instrumentation:")
    ]
    if component not in names:
        raise DeviceError(
            f"the installed test APK does not provide {component}; the device lists: {', '.join(names) or 'none'}",
            hint="the library's testInstrumentationRunner and namespace decide the component; rebuild the SDK",
        )


def _instrument(
    adb: Adb, serial: str, component: str, timeout: float, per_test: float, raw: Path
) -> tuple[list[tuple[float, str]], bool]:
    """The run's output lines with the time each arrived, and whether it was cut off at ``timeout``; the
    runner itself fails a test that runs longer than ``per_test`` seconds (``-e timeout_msec``)."""
    per_test_ms = str(max(1, round(per_test * 1000)))
    cmd = [str(adb.path), "-s", serial, "shell", "am", "instrument", "-w", "-r", "-e", "timeout_msec", per_test_ms]
    cmd.append(component)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    assert proc.stdout is not None
    stream = proc.stdout
    lines: queue.Queue[tuple[float, str] | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put((time.monotonic(), line))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    got: list[tuple[float, str]] = []
    cut_off = False
    with open(raw, "w", encoding="utf-8") as out:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                cut_off = True
                proc.kill()
                break
            try:
                item = lines.get(timeout=left)
            except queue.Empty:
                continue
            if item is None:
                break
            got.append(item)
            out.write(item[1])
    proc.wait()
    reader.join(timeout=5.0)
    return got, cut_off


def _logcat(adb: Adb, serial: str, folder: Path, logs: dict[str, str]) -> None:
    try:
        r = adb.run(["logcat", "-d"], serial=serial, timeout=60.0)
    except DeviceError:
        return
    (folder / "logcat.txt").write_text(r.stdout, encoding="utf-8")
    logs["logcat"] = "logcat.txt"


def _summary(build: Path, r: DeviceRun) -> None:
    n = junit.summary(r.cases)
    passed = n["tests"] - n["failures"] - n["skipped"]
    times = ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items())
    print(
        f"android: {r.status} · {passed} passed, {n['failures']} failed, {n['skipped']} skipped on {r.device} · {times}"
    )
    for c in r.cases:
        mark = {"passed": "ok", "failed": "FAILED", "skipped": "skipped"}[c.status]
        print(f"  {mark:7} {c.classname}.{c.name} ({c.seconds:.2f} s){': ' + c.message if c.message else ''}")
    folder = run_folder(build, "android")
    print(f"  JUnit XML: {folder / 'junit.xml'}" + "".join(f"; {k}: {folder / v}" for k, v in sorted(r.logs.items())))


def _log(msg: str) -> None:
    print(f"sdkgen test android: {msg}", file=sys.stderr, flush=True)
