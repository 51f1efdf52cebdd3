"""Xcode on the host: finding it, running its tools under a deadline, and iOS simulators (``xcrun simctl``).

Everything goes through ``xcrun`` so the selected Xcode (``xcode-select -p`` / ``DEVELOPER_DIR``) is the one
used. :func:`find_xcode` raises :class:`~sdkgen.errors.ToolchainMissing` (exit 4) saying what is missing:
no ``xcrun`` at all (not macOS), only the Command Line Tools (no ``xcodebuild``, no simulators), or no iOS
simulator runtime. :func:`boot` waits for ``simctl bootstatus`` under a timeout, shuts a hung simulator
down and retries, then raises :class:`~sdkgen.errors.DeviceError` (exit 6).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sdkgen.errors import ConfigError, DeviceError, ToolchainMissing

#: How to get a working Xcode; the Command Line Tools alone have neither ``xcodebuild test`` nor simulators.
INSTALL_HINT = (
    "sdkgen test ios needs a Mac with the full Xcode 16 or newer (Mac App Store or "
    "https://developer.apple.com/download/; `xcode-select --install` only installs the Command Line Tools, "
    "which have no xcodebuild test and no simulators), selected with "
    "`sudo xcode-select -s /Applications/Xcode.app/Contents/Developer`, and an iOS simulator runtime: "
    "`xcodebuild -downloadPlatform iOS`"
)

_RUNTIME = re.compile(r"\.SimRuntime\.iOS-(\d+)-(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class ToolResult:
    """One finished (or killed) tool run. ``returncode`` is None when the deadline killed it."""

    command: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 20) -> str:
        text = (self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr).strip()
        return "\n".join(text.splitlines()[-lines:])


def run_tool(command: Sequence[str], timeout: float, cwd: Path | None = None, log: Path | None = None) -> ToolResult:
    """Run ``command`` in its own process group; after ``timeout`` seconds kill the whole group (a hung
    ``simctl bootstatus`` or ``xcodebuild`` leaves children behind otherwise). With ``log``, stdout and
    stderr go to that file (xcodebuild's output is long) and the result carries neither."""
    start = time.monotonic()
    out_target = log.open("wb") if log is not None else subprocess.PIPE
    try:
        proc = subprocess.Popen(
            list(command),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out_target,
            stderr=subprocess.STDOUT if log is not None else subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=max(timeout, 0.0))
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            code = None
        except BaseException:
            _kill_group(proc)
            proc.wait()
            raise
    finally:
        if log is not None:
            out_target.close()  # type: ignore[union-attr]
    return ToolResult(
        tuple(command),
        code,
        (out or b"").decode("utf-8", errors="replace"),
        (err or b"").decode("utf-8", errors="replace"),
        time.monotonic() - start,
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


@dataclass(frozen=True)
class Xcode:
    """The selected Xcode: ``xcrun`` and the ``xcodebuild`` it resolves, and ``xcodebuild -version``'s
    first line (``Xcode 16.2``)."""

    xcrun: str
    xcodebuild: str
    version: str

    def simctl(self, args: Sequence[str], timeout: float) -> ToolResult:
        return run_tool([self.xcrun, "simctl", *args], timeout)

    def xcresulttool(self, args: Sequence[str], timeout: float = 300.0) -> ToolResult:
        return run_tool([self.xcrun, "xcresulttool", *args], timeout)


def find_xcode(timeout: float = 60.0) -> Xcode:
    """The selected Xcode, or :class:`ToolchainMissing` naming what is missing and how to install it."""
    xcrun = shutil.which("xcrun")
    if xcrun is None:
        where = "" if sys.platform == "darwin" else f" (this host is {sys.platform}; iOS simulators need macOS)"
        raise ToolchainMissing(f"Xcode is not installed: no `xcrun` on PATH{where}", hint=INSTALL_HINT)
    found = run_tool([xcrun, "--find", "xcodebuild"], timeout)
    xcodebuild = found.stdout.strip().splitlines()[-1] if found.ok and found.stdout.strip() else ""
    if not xcodebuild:
        developer_dir = _developer_dir(timeout)
        raise ToolchainMissing(
            f"`xcrun --find xcodebuild` failed (developer directory: {developer_dir}): only the Command Line "
            f"Tools are installed or selected, not Xcode\n{found.tail(3)}",
            hint=INSTALL_HINT,
        )
    version = run_tool([xcodebuild, "-version"], timeout)
    first = version.stdout.strip().splitlines()[0] if version.ok and version.stdout.strip() else ""
    if not first.startswith("Xcode"):
        raise ToolchainMissing(
            f"`{xcodebuild} -version` did not report an Xcode version (exit {version.returncode}):\n{version.tail(3)}",
            hint=INSTALL_HINT,
        )
    return Xcode(xcrun, xcodebuild, first)


def _developer_dir(timeout: float) -> str:
    select = shutil.which("xcode-select")
    if select is None:
        return "unknown: no xcode-select on PATH"
    r = run_tool([select, "-p"], timeout)
    return r.stdout.strip() if r.ok and r.stdout.strip() else f"unknown: {r.tail(1)}"


# --------------------------------------------------------------------------------------------------
# simulators


@dataclass(frozen=True)
class Simulator:
    """An available iOS simulator from ``simctl list``; ``os`` is the runtime's version (``(18, 2)``)."""

    name: str
    udid: str
    state: str
    runtime: str
    os: tuple[int, ...]

    @property
    def booted(self) -> bool:
        return self.state == "Booted"

    def label(self) -> str:
        return f"{self.name} (iOS {'.'.join(map(str, self.os))}, {self.udid})"


def list_simulators(xcode: Xcode, timeout: float = 120.0) -> list[Simulator]:
    """The available iOS simulators, newest runtime first (``simctl list``'s order within a runtime)."""
    r = xcode.simctl(["list", "devices", "available", "--json"], timeout)
    if not r.ok:
        raise ToolchainMissing(
            f"`xcrun simctl list devices available --json` failed (exit {r.returncode}):\n{r.tail(5)}",
            hint=INSTALL_HINT,
        )
    try:
        devices = json.loads(r.stdout)["devices"]
    except (ValueError, KeyError, TypeError) as e:
        raise ToolchainMissing(
            f"`xcrun simctl list devices available --json` printed no device list ({e})", hint=INSTALL_HINT
        ) from e
    sims = []
    for runtime, entries in devices.items():
        m = _RUNTIME.search(runtime)
        if m is None:  # watchOS, tvOS, visionOS
            continue
        version = tuple(int(g) for g in m.groups() if g is not None)
        sims += [
            Simulator(str(d["name"]), str(d["udid"]), str(d.get("state", "Shutdown")), runtime, version)
            for d in entries
            if d.get("isAvailable", True)
        ]
    sims.sort(key=lambda s: s.os, reverse=True)  # stable: keeps simctl's order within a runtime
    if not sims:
        raise ToolchainMissing(
            f"Xcode ({xcode.version}) has no available iOS simulator: no iOS simulator runtime is installed",
            hint="install one with `xcodebuild -downloadPlatform iOS` (or Xcode > Settings > Components); "
            "then `xcrun simctl list devices available` lists its simulators",
        )
    return sims


def pick_simulator(sims: Sequence[Simulator], wanted: str | None) -> Simulator:
    """``wanted`` by UDID or by name (the newest runtime when several share the name); without it the first
    iPhone of the newest runtime. A :class:`ConfigError` listing the available names when nothing matches."""
    if wanted is None:
        newest = sims[0].os
        iphones = [s for s in sims if s.os == newest and s.name.startswith("iPhone")]
        return (iphones or [s for s in sims if s.os == newest])[0]
    for s in sims:
        if s.udid.lower() == wanted.lower():
            return s
    named = [s for s in sims if s.name == wanted]
    if named:
        return named[0]
    raise ConfigError(
        f"no available iOS simulator is named {wanted!r} or has that UDID",
        choices={s.name for s in sims},
        hint='pass one of these names to --simulator (e.g. --simulator "iPhone 16"), or create one: '
        "`xcrun simctl create NAME com.apple.CoreSimulator.SimDeviceType.iPhone-16`",
    )


def boot(
    xcode: Xcode, sim: Simulator, timeout: float, retries: int, say: Callable[[str], None] = lambda _: None
) -> float:
    """Boot ``sim`` and wait until ``simctl bootstatus`` reports it ready, each attempt under ``timeout``
    seconds; a hung or failed attempt shuts the simulator down before the next. Returns the seconds the
    successful attempt took; :class:`DeviceError` after ``retries + 1`` attempts."""
    attempts = retries + 1
    waited = 0.0
    reasons = []
    for attempt in range(1, attempts + 1):
        start = time.monotonic()
        deadline = start + timeout
        say(f"booting {sim.label()} (attempt {attempt} of {attempts}, up to {timeout:g} s)")
        r = xcode.simctl(["boot", sim.udid], deadline - time.monotonic())
        # A simulator that booted between `list` and `boot` makes `boot` fail with "current state: Booted".
        if r.ok or "current state: Booted" in r.stderr:
            r = xcode.simctl(["bootstatus", sim.udid, "-b"], deadline - time.monotonic())
        elapsed = time.monotonic() - start
        waited += elapsed
        if r.ok:
            return elapsed
        what = "timed out" if r.timed_out else f"exit {r.returncode}: {r.tail(2)}"
        reasons.append(f"attempt {attempt}: `simctl {r.command[2]}` {what} after {elapsed:.1f} s")
        shutdown(xcode, sim)
    raise DeviceError(
        f"simulator {sim.label()} did not boot: {attempts} attempts, {waited:.1f} s waited "
        f"(--boot-timeout {timeout:g} s each)\n  " + "\n  ".join(reasons),
        hint=f"raise --boot-timeout or --boot-retries (a first boot after an Xcode update takes minutes), "
        f"or reset the simulator: `xcrun simctl erase {sim.udid}`",
    )


def shutdown(xcode: Xcode, sim: Simulator, timeout: float = 120.0) -> None:
    """Best effort: a simulator already shut down makes ``simctl shutdown`` fail, which is fine here."""
    xcode.simctl(["shutdown", sim.udid], timeout)
