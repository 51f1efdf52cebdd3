"""``sdkgen test ios``: the SDK's XCTest golden tests on an iOS simulator or a device.

Steps: find Xcode (:func:`~sdkgen.devices.xcode.find_xcode`); pick a simulator from ``simctl list`` and boot
it unless it is booted (or take ``--device UDID``, a physical device, as is); copy ``<build>/ios`` (the
Swift package) to a temporary folder, so the build output is never touched, and run there
``xcodebuild test -scheme S -destination D -resultBundlePath B`` under ``--test-timeout``; read the result
bundle (:mod:`sdkgen.devices.xcresult`); record the run in the build's report and JUnit XML
(:func:`sdkgen.devices.record`); shut down a simulator it booted.

The package's test targets are ``<Module>Tests`` (the model through every linked backend against the host's
golden outputs; an XCTSkip when no backend's runtime is linked, reported as skipped) and
``<Module>CoreTests`` (tokenizer and pre/post-processing golden vectors). Exit codes: 0 all ran tests
passed, 3 a golden test failed (naming it and its assertion: output, max relative error, tolerance),
4 no Xcode / simulator runtime, 6 the simulator did not boot or xcodebuild timed out or found no such
device, 1 the package did not build, 2 a bad ``--simulator`` or build folder.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen import devices
from sdkgen.devices import xcode as xc
from sdkgen.devices import xcresult
from sdkgen.errors import CheckFailed, ConfigError, DeviceError, SdkgenError
from sdkgen.junit import TestCase, summary

LOG = "xcodebuild.log"
BUNDLE = "Tests.xcresult"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("build", nargs="?", type=Path, default=Path("dist/tiny-llm"), help="a `sdkgen build` output folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--simulator",
        help='the simulator to use, by name or UDID (e.g. "iPhone 16"; default: the first iPhone of the newest '
        "iOS runtime); booted if it is not running",
    )
    where.add_argument("--device", help="a connected device's UDID (`xcrun xctrace list devices`)")
    p.add_argument("--boot-timeout", type=float, default=300.0, help="seconds to wait for boot (default 300)")
    p.add_argument("--test-timeout", type=float, default=1200.0, help="seconds for xcodebuild test (default 1200)")
    p.add_argument(
        "--per-test-timeout",
        type=float,
        default=300.0,
        help="seconds one test may take before XCTest fails it (xcodebuild -default-test-execution-time-allowance, "
        "which XCTest rounds up to whole minutes; default 300)",
    )
    p.add_argument("--boot-retries", type=int, default=1, help="boot retries after a boot timeout (default 1)")
    p.add_argument(
        "--keep-simulator", action="store_true", help="leave a simulator this command booted running afterwards"
    )
    p.add_argument("--scheme", help="the xcodebuild scheme (default: the package's, from `xcodebuild -list`)")
    p.add_argument(
        "--derived-data",
        type=Path,
        help="xcodebuild's -derivedDataPath, to reuse the build between runs (default: a temporary folder)",
    )
    p.add_argument(
        "--xcodebuild-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="an extra xcodebuild argument, repeatable (e.g. --xcodebuild-arg=-allowProvisioningUpdates)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    build: Path = args.build
    report, sdk = devices.load_build(build, "ios")
    manifest = sdk / "Package.swift"
    if not manifest.is_file():
        raise ConfigError(
            f"{str(sdk)!r} has no Package.swift: not a generated Swift package",
            hint="rebuild it with `sdkgen build`",
        )
    package = Package.read(manifest)
    tool = xc.find_xcode()
    timings: dict[str, float] = {}
    notes = [f"{tool.version}"]
    sim: xc.Simulator | None = None
    booted_here = False
    if args.device:
        destination, device = f"id={args.device}", f"device {args.device}"
    else:
        sim = xc.pick_simulator(xc.list_simulators(tool), args.simulator)
        destination, device = f"platform=iOS Simulator,id={sim.udid}", f"{sim.label()}"
        if sim.booted:
            notes.append("simulator was already booted: reused, left running")
            timings["boot"] = 0.0
        else:
            timings["boot"] = xc.boot(tool, sim, args.boot_timeout, args.boot_retries, _say)
            booted_here = True
            notes.append(
                "simulator booted for this run; left running (--keep-simulator)"
                if args.keep_simulator
                else "simulator booted for this run and shut down after it"
            )
    try:
        run_ = _test(args, tool, package, sdk, destination, device, report, timings, notes)
    finally:
        if sim is not None and booted_here and not args.keep_simulator:
            xc.shutdown(tool, sim)
    devices.record(build, run_)
    _print_summary(run_, build)
    devices.raise_for(run_)
    return 0


def _test(
    args: argparse.Namespace,
    tool: xc.Xcode,
    package: Package,
    sdk: Path,
    destination: str,
    device: str,
    report: dict[str, Any],
    timings: dict[str, float],
    notes: list[str],
) -> devices.DeviceRun:
    """Copy the package, run ``xcodebuild test`` and read its result bundle; keeps the log and the bundle
    in the run folder when anything failed."""
    folder = devices.run_folder(args.build, "ios")
    suite = f"{report.get('name', 'sdkgen')}.device.ios"
    with tempfile.TemporaryDirectory(prefix="sdkgen-ios-") as tmp:
        work = Path(tmp) / "package"
        shutil.copytree(sdk, work, symlinks=True)
        scheme = args.scheme or _scheme(tool, work, package)
        notes.append(f"scheme {scheme}, destination {destination}")
        bundle, log = Path(tmp) / BUNDLE, Path(tmp) / LOG
        derived = args.derived_data.resolve() if args.derived_data else Path(tmp) / "DerivedData"
        command = [
            tool.xcodebuild,
            "test",
            "-scheme",
            scheme,
            "-destination",
            destination,
            "-resultBundlePath",
            str(bundle),
            "-derivedDataPath",
            str(derived),
            "-test-timeouts-enabled",
            "YES",
            "-default-test-execution-time-allowance",
            str(max(1, math.ceil(args.per_test_timeout))),
            *args.xcodebuild_arg,
        ]
        _say(f"running the XCTest golden tests on {device} (up to {args.test_timeout:g} s)")
        r = xc.run_tool(command, args.test_timeout, cwd=work, log=log)
        timings["test"] = r.seconds
        run_ = devices.DeviceRun("ios", device, timings=timings, notes=notes)
        error: SdkgenError | None = None
        if r.timed_out:
            error = DeviceError(
                f"xcodebuild test did not finish in {args.test_timeout:g} s on {device}",
                hint="raise --test-timeout (the first run also builds the runtimes' packages); "
                f"the log is {folder / LOG}",
            )
        else:
            try:
                run_.cases, reader = xcresult.read(bundle, _xcresulttool(tool), suite) if bundle.exists() else ([], "")
                if reader == "legacy":
                    notes.append("results read from the legacy result-bundle format (Xcode before 16)")
            except (xcresult.ResultBundleError, ValueError) as e:
                error = CheckFailed(f"could not read the result bundle of xcodebuild test: {e}")
            if error is None:
                error = _outcome_error(r, run_.cases, log, folder / LOG, device)
        failed = error is not None or run_.status == "failed"
        _keep(folder, log if failed else None, bundle if failed else None, run_)
        if run_.cases and all(c.status == "skipped" for c in run_.cases):
            notes.append("no golden test ran: every test was skipped (no backend runtime linked?)")
    if error is not None:
        run_.notes.append(f"error: {error.message}")
        devices.record(args.build, run_)
        raise error
    return run_


def _outcome_error(
    r: xc.ToolResult, cases: Sequence[TestCase], log_file: Path, log: Path, device: str
) -> SdkgenError | None:
    """An error for an xcodebuild exit that the test results do not explain (test failures are judged by
    :func:`sdkgen.devices.raise_for`); ``log`` is where the kept log will be."""
    if r.ok and cases:
        return None
    if any(c.status == "failed" for c in cases):
        return None
    text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    tail = "\n".join(text.strip().splitlines()[-15:])
    if "Unable to find a destination matching" in text:
        return DeviceError(
            f"xcodebuild found no destination {device}:\n{tail}",
            hint="check the UDID with `xcrun xctrace list devices` (a device must be unlocked, paired and in "
            "developer mode)",
        )
    if r.ok:
        return CheckFailed(f"xcodebuild test ran no tests on {device}", hint=f"see {log}")
    what = "though no test failed" if cases else "before any test ran (did the package build?)"
    return CheckFailed(f"xcodebuild test failed (exit {r.returncode}) {what}:\n{tail}", hint=f"see {log}")


def _keep(folder: Path, log: Path | None, bundle: Path | None, run_: devices.DeviceRun) -> None:
    """Copy the log and result bundle of a failed run into the run folder (replacing a previous run's) and
    remove stale ones after a passing run."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, src in ((LOG, log), (BUNDLE, bundle)):
        dst = folder / name
        if dst.is_dir():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        if src is None or not src.exists():
            continue
        if src.is_dir():
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst)
        run_.logs["xcodebuild" if name == LOG else "result-bundle"] = name


def _xcresulttool(tool: xc.Xcode) -> xcresult.Runner:
    def call(argv: Sequence[str]) -> tuple[bool, str]:
        r = tool.xcresulttool(argv)
        return r.ok, (r.stdout if r.ok else r.tail(5))

    return call


class Package:
    """What ``xcodebuild`` derives from a generated Package.swift: the package's name, its products and test
    targets (sdkgen writes the manifest, so these literal forms are the ones it contains)."""

    def __init__(self, name: str, products: list[str], test_targets: list[str]) -> None:
        self.name, self.products, self.test_targets = name, products, test_targets

    @classmethod
    def read(cls, manifest: Path) -> Package:
        text = manifest.read_text(encoding="utf-8")
        name = re.search(r'Package\(\s*name:\s*"([^"]+)"', text)
        if name is None:
            raise ConfigError(f"{manifest} declares no package name", hint="rebuild it with `sdkgen build`")
        products = re.findall(r'\.(?:library|executable)\(\s*name:\s*"([^"]+)"', text)
        return cls(name.group(1), products, re.findall(r'\.testTarget\(\s*name:\s*"([^"]+)"', text))

    def schemes(self) -> list[str]:
        """The schemes Xcode makes for the package itself, best first: ``<name>-Package`` (every target and
        test target; listed when the package has no product or several) and the single product's scheme."""
        return [f"{self.name}-Package", *(self.products if len(self.products) == 1 else [])]


def _scheme(tool: xc.Xcode, work: Path, package: Package) -> str:
    """The package's own scheme among ``xcodebuild -list -json``'s (which also lists the dependencies')."""
    r = xc.run_tool([tool.xcodebuild, "-list", "-json"], 600.0, cwd=work)
    listed: list[str] = []
    if r.ok and "{" in r.stdout:
        # xcodebuild may print package-resolution lines before the JSON.
        doc = json.loads(r.stdout[r.stdout.index("{") :])
        listed = list((doc.get("workspace") or doc.get("project") or {}).get("schemes", []))
    for scheme in package.schemes():
        if scheme in listed:
            return scheme
    raise ConfigError(
        f"xcodebuild lists no scheme of package {package.name!r} (looked for {', '.join(package.schemes())})"
        + ("" if r.ok else f":\n{r.tail(5)}"),
        choices=listed,
        hint="pass one with --scheme",
    )


def _say(message: str) -> None:
    print(f"ios: {message}", file=sys.stderr, flush=True)


def _print_summary(run_: devices.DeviceRun, build: Path) -> None:
    n = summary(run_.cases)
    passed = n["tests"] - n["failures"] - n["skipped"]
    times = ", ".join(f"{k} {v:.1f} s" for k, v in run_.timings.items())
    print(
        f"ios: {run_.status} · {passed} passed, {n['failures']} failed, {n['skipped']} skipped on {run_.device}"
        f" · {times}"
    )
    for c in run_.cases:
        if c.status != "passed":
            print(f"  {c.status.upper()} {c.classname}.{c.name} ({c.seconds:.2f} s): {c.message}")
    print(f"  JUnit XML: {devices.run_folder(build, 'ios') / 'junit.xml'}")
    if run_.logs:
        print("  kept: " + ", ".join(str(devices.run_folder(build, "ios") / f) for f in run_.logs.values()))
