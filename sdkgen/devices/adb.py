"""The Android SDK's command-line tools as ``sdkgen test android`` drives them: ``adb`` and ``emulator``.

:func:`find_sdk` locates the SDK (``ANDROID_HOME``, else ``ANDROID_SDK_ROOT``) and its tools at their
standard places (``platform-tools/adb``, ``emulator/emulator``), or raises
:class:`~sdkgen.errors.ToolchainMissing` naming what is missing and the ``sdkmanager`` package that provides
it. :class:`Adb` runs one ``adb`` command at a time, each under a timeout; :class:`Emulator` is one
``emulator -avd NAME -no-window ...`` process this run started, and stops it again.

Output formats relied on (adb 35/36, emulator 35): ``adb devices`` prints ``List of devices attached`` then
``SERIAL<TAB>STATE`` lines (``device``, ``offline``, ``unauthorized``, ``no permissions ...``), and lines
starting with ``*`` while it starts its server; ``adb -s emulator-PORT emu avd name`` prints the AVD's
name, then the console's ``OK``; ``adb shell getprop NAME`` prints the value (empty when unset).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sdkgen.errors import DeviceError, ToolchainMissing

#: The sdkmanager packages ``sdkgen test android`` needs, and the image its docs suggest for an AVD.
SDK_PACKAGES = ("platform-tools", "emulator")
SYSTEM_IMAGE = "system-images;android-35;google_apis;x86_64"
_INSTALL = (
    "install the Android command-line tools (https://developer.android.com/studio#command-line-tools-only), "
    'then `sdkmanager "platform-tools" "emulator" "' + SYSTEM_IMAGE + '"` and '
    '`avdmanager create avd -n sdkgen-35 -k "' + SYSTEM_IMAGE + '"`'
)

#: Seconds between two ``getprop sys.boot_completed`` polls.
POLL_SECONDS = 2.0
#: The console ports ``emulator -port`` accepts (even numbers; adb serial ``emulator-PORT``).
EMULATOR_PORTS = range(5554, 5586, 2)


@dataclass(frozen=True)
class AndroidSdk:
    """An Android SDK folder and the tools in it; ``emulator`` is ``None`` when that package is not
    installed (real devices and running emulators need only adb)."""

    root: Path
    adb: Path
    emulator: Path | None


def find_sdk(env: dict[str, str] | None = None) -> AndroidSdk:
    """The SDK that ``ANDROID_HOME`` (or the older ``ANDROID_SDK_ROOT``) names; :class:`ToolchainMissing`
    (exit 4) when the variable is unset, names no folder, or the folder has no ``platform-tools/adb``."""
    env = dict(os.environ) if env is None else env
    var = "ANDROID_HOME" if env.get("ANDROID_HOME") else "ANDROID_SDK_ROOT" if env.get("ANDROID_SDK_ROOT") else None
    if var is None:
        raise ToolchainMissing(
            "no Android SDK: neither ANDROID_HOME nor ANDROID_SDK_ROOT is set",
            hint=f"{_INSTALL}; then export ANDROID_HOME=<the SDK folder>",
        )
    root = Path(env[var]).expanduser()
    if not root.is_dir():
        raise ToolchainMissing(f"{var}={str(root)!r} is not a folder", hint=f"point {var} at the SDK; {_INSTALL}")
    adb = root / "platform-tools" / "adb"
    if not _executable(adb):
        raise ToolchainMissing(
            f"the Android SDK in {var}={str(root)!r} has no adb (platform-tools/adb)",
            hint=f'`{root}/cmdline-tools/latest/bin/sdkmanager "platform-tools"`',
        )
    emulator = root / "emulator" / "emulator"
    return AndroidSdk(root, adb, emulator if _executable(emulator) else None)


def require_emulator(sdk: AndroidSdk) -> Path:
    """The emulator binary, or :class:`ToolchainMissing` saying how to install it (needed for ``--avd``)."""
    if sdk.emulator is None:
        raise ToolchainMissing(
            f"the Android SDK in {str(sdk.root)!r} has no emulator (emulator/emulator)",
            hint=f'`sdkmanager "emulator" "{SYSTEM_IMAGE}"`, then '
            f'`avdmanager create avd -n sdkgen-35 -k "{SYSTEM_IMAGE}"`; or pass --serial for a running device',
        )
    return sdk.emulator


def _executable(p: Path) -> bool:
    return p.is_file() and os.access(p, os.X_OK)


@dataclass(frozen=True)
class Device:
    serial: str
    state: str


class Adb:
    """``adb`` commands, each under a timeout; a command that times out raises :class:`DeviceError` (6)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(
        self, args: Sequence[str], *, timeout: float, serial: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.path), *(["-s", serial] if serial else []), *args]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=max(timeout, 0.1), check=False)
        except subprocess.TimeoutExpired as e:
            raise DeviceError(
                f"`adb {' '.join(cmd[1:])}` did not finish within {timeout:.0f} s",
                hint="check `adb devices`; `adb kill-server` restarts a stuck adb server",
            ) from e

    def devices(self, timeout: float = 30.0) -> list[Device]:
        """Every device adb knows, in its order, with its state."""
        r = self.run(["devices"], timeout=timeout)
        if r.returncode != 0:
            raise DeviceError(f"`adb devices` failed (exit {r.returncode}): {r.stderr.strip()}")
        return parse_devices(r.stdout)

    def shell(self, serial: str, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        return self.run(["shell", *args], serial=serial, timeout=timeout)

    def getprop(self, serial: str, name: str, timeout: float = 30.0) -> str:
        """The property's value ('' when unset or the device is not answering yet)."""
        r = self.shell(serial, "getprop", name, timeout=timeout)
        return r.stdout.strip() if r.returncode == 0 else ""

    def avd_name(self, serial: str, timeout: float = 10.0) -> str | None:
        """The AVD an emulator runs (its console's first line), ``None`` for a device or a silent console."""
        if not serial.startswith("emulator-"):
            return None
        r = self.run(["emu", "avd", "name"], serial=serial, timeout=timeout)
        lines = [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]
        return lines[0] if r.returncode == 0 and lines and lines[0] != "OK" else None

    def wait_for_boot(self, serial: str, timeout: float, alive: Callable[[], str | None] = lambda: None) -> float:
        """Wait until ``serial`` is attached (``wait-for-device``) and has booted (``sys.boot_completed`` 1,
        ``init.svc.bootanim`` stopped); returns the seconds waited. :class:`BootTimeout` after ``timeout``
        s; ``alive`` returns why the device cannot boot any more (its emulator exited), checked each poll."""
        start = time.monotonic()
        remaining = lambda: timeout - (time.monotonic() - start)  # noqa: E731
        last = "(no answer: the device was not attached)"
        try:
            self.run(["wait-for-device"], serial=serial, timeout=remaining())
        except DeviceError:
            raise BootTimeout(serial, time.monotonic() - start, last) from None
        while True:
            died = alive()
            if died:
                raise DeviceError(f"{serial} stopped while booting: {died}", hint=_BOOT_HINT)
            try:
                booted = self.getprop(serial, "sys.boot_completed", timeout=max(min(remaining(), 30.0), 0.1))
                anim = self.getprop(serial, "init.svc.bootanim", timeout=max(min(remaining(), 30.0), 0.1))
            except DeviceError:  # a device still starting its adbd can hang a shell command
                # Keep the last real answer: a poll cut short by the deadline says less than it.
                if not last.startswith("sys.boot_completed"):
                    last = "(no answer from `adb shell getprop`)"
            else:
                last = f"sys.boot_completed={booted!r}, init.svc.bootanim={anim!r}"
                if booted == "1" and anim in ("stopped", ""):
                    return time.monotonic() - start
            if remaining() <= 0:
                raise BootTimeout(serial, time.monotonic() - start, last)
            time.sleep(min(POLL_SECONDS, max(remaining(), 0.0)))


_BOOT_HINT = (
    "raise --boot-timeout (a first cold boot without KVM takes minutes), check that KVM is usable "
    "(`emulator -accel-check`), or try --boot-retries for a flaky boot"
)


class BootTimeout(DeviceError):
    """A device that did not finish booting in time; ``last`` is the last boot-property answer."""

    def __init__(self, serial: str, seconds: float, last: str) -> None:
        self.serial, self.seconds, self.last = serial, seconds, last
        super().__init__(
            f"{serial} did not finish booting within {seconds:.1f} s (last getprop: {last})", hint=_BOOT_HINT
        )


def parse_devices(text: str) -> list[Device]:
    """The ``SERIAL<TAB>STATE`` lines of ``adb devices`` (server start-up and header lines skipped)."""
    devices = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("*") or line.startswith("List of devices"):
            continue
        serial, _, state = line.replace("\t", " ", 1).partition(" ")
        devices.append(Device(serial, state.strip() or "unknown"))
    return devices


def free_port(taken: set[str]) -> int:
    """An emulator console port adb does not list (``emulator-PORT``) and no process listens on."""
    for port in EMULATOR_PORTS:
        if f"emulator-{port}" in taken:
            continue
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise DeviceError(
        f"no free emulator port in {EMULATOR_PORTS.start}-{EMULATOR_PORTS.stop - 2}",
        hint="stop emulators you do not need (`adb -s emulator-PORT emu kill`)",
    )


class Emulator:
    """An ``emulator`` process started by this run, headless; its output goes to ``log``."""

    def __init__(self, binary: Path, avd: str, port: int, log: Path, *, cold: bool) -> None:
        self.avd, self.port, self.log, self.cold = avd, port, log, cold
        self.serial = f"emulator-{port}"
        self.args = [str(binary), "-avd", avd, "-no-window", "-no-audio", "-no-boot-anim", "-no-snapshot-save"]
        if cold:
            self.args.append("-no-snapshot-load")
        self.args += ["-port", str(port)]
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            # Its own session: the emulator outlives no one by accident, and stop() can end its children.
            self.process = subprocess.Popen(
                self.args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )

    def exited(self) -> str | None:
        """Why the emulator is gone (its exit code and last output lines), ``None`` while it runs."""
        code = self.process.poll()
        if code is None:
            return None
        tail = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        return f"emulator exited with code {code}: " + " | ".join(tail)

    def stop(self, adb: Adb) -> None:
        """``adb emu kill`` (a clean shutdown), then SIGTERM/SIGKILL if the process is still there."""
        if self.process.poll() is None:
            with contextlib.suppress(DeviceError):
                adb.run(["emu", "kill"], serial=self.serial, timeout=15.0)
            try:
                self.process.wait(timeout=15.0)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10.0)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
