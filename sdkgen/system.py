"""The system (Debian) packages sdkgen and its test suite need: the one list, and how to install it.

This module imports only the standard library, so the Makefile runs it with the machine's Python before any
virtual environment exists (``python3 -m sdkgen.system ensure [--for tests]``). ``sdkgen doctor``, the
install hints in error messages and ``.ci/run`` (through the Makefile) all read :data:`SYSTEM_PACKAGES`.

``ensure`` installs what is missing when it can (as root, or through ``sudo -n``, with ``apt-get``);
otherwise it stops at once with exit code 4 and the exact command to run, before any long work starts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Exit code of a missing toolchain (``sdkgen.errors.EXIT_CODES``; not imported: this module stays stdlib-only).
EXIT_TOOLCHAIN = 4


@dataclass(frozen=True)
class SystemPackage:
    """A Debian package, how to tell it is there, and who needs it.

    ``probe`` is ``"command:<name>"`` (a program on ``PATH``), ``"library:<soname>"`` (a shared library the
    dynamic loader finds) or ``"file:<path>"`` (a file the package installs). ``scope`` is ``"sdkgen"`` for
    what ``sdkgen build`` itself uses (``make demo`` installs it) or ``"tests"`` for what only the test suite
    uses (``make test`` installs both).
    """

    name: str
    probes: tuple[str, ...]
    needed_by: str
    scope: str = "sdkgen"

    def present(self) -> bool:
        return all(_probe(p) for p in self.probes)


SYSTEM_PACKAGES: tuple[SystemPackage, ...] = (
    SystemPackage("openjdk-17-jdk-headless", ("command:java",), "the Kotlin compiler and the generated JUnit tests"),
    SystemPackage(
        "junit4",
        ("file:/usr/share/java/junit4.jar", "file:/usr/share/java/hamcrest-core.jar"),
        "the generated Android libraries' core unit tests (check stage: kotlin-core-tests)",
    ),
    SystemPackage(
        "libusb-1.0-0", ("library:libusb-1.0.so.0",), "tflite-support's metadata writers (LiteRT classifiers)"
    ),
    SystemPackage("qemu-user", ("command:qemu-aarch64",), "`sdkgen test arm64` (the aarch64 LiteRT wheel)"),
    SystemPackage("git", ("command:git",), "local SwiftPM mirrors in the Swift checks"),
    SystemPackage("shellcheck", ("command:shellcheck",), "lints the generated Xcode build-phase script", scope="tests"),
)

SCOPES = ("sdkgen", "tests")


def package(name: str) -> SystemPackage:
    """The listed package ``name``; ``KeyError`` when it is not in :data:`SYSTEM_PACKAGES`."""
    for p in SYSTEM_PACKAGES:
        if p.name == name:
            return p
    raise KeyError(name)


def install_command(*names: str) -> str:
    """The command a user runs to install ``names`` (each must be listed), e.g. for a ``hint:`` line."""
    for n in names:
        package(n)
    return "sudo apt-get install -y " + " ".join(names)


def wanted(scope: str) -> list[SystemPackage]:
    """The packages ``scope`` needs: ``"sdkgen"`` its own, ``"tests"`` those and the test suite's."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r} (valid: {', '.join(SCOPES)})")
    return [p for p in SYSTEM_PACKAGES if scope == "tests" or p.scope == "sdkgen"]


def missing(scope: str = "tests") -> list[SystemPackage]:
    """The packages of ``scope`` this machine lacks, in list order."""
    return [p for p in wanted(scope) if not p.present()]


def _probe(probe: str) -> bool:
    kind, _, value = probe.partition(":")
    if kind == "command":
        return shutil.which(value) is not None
    if kind == "file":
        return Path(value).is_file()
    if kind == "library":
        return _library_found(value)
    raise ValueError(f"unknown probe {probe!r}")


def _library_found(soname: str) -> bool:
    ldconfig = shutil.which("ldconfig") or ("/sbin/ldconfig" if Path("/sbin/ldconfig").exists() else None)
    if ldconfig is not None:
        r = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=False)
        if r.returncode == 0:
            return any(line.strip().startswith(soname + " ") for line in r.stdout.splitlines())
    import ctypes

    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def _privilege() -> list[str] | None:
    """The prefix that runs apt-get as root here: ``[]`` as root, ``["sudo", "-n"]`` with password-less sudo,
    ``None`` when neither works."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return [sudo, "-n"]
    return None


def ensure(scope: str, *, log: Callable[[str], None] = print) -> int:
    """Install the missing packages of ``scope``; 0 when all are present afterwards, else
    :data:`EXIT_TOOLCHAIN` after printing the command the user must run."""
    lacking = missing(scope)
    if not lacking:
        log(f"system packages: all {len(wanted(scope))} present ({', '.join(p.name for p in wanted(scope))})")
        return 0
    names = [p.name for p in lacking]
    for p in lacking:
        log(f"system packages: {p.name} is missing (needed by {p.needed_by})")
    prefix = _privilege()
    apt = shutil.which("apt-get")
    if prefix is None or apt is None:
        why = "apt-get is not on PATH" if apt is None else "not root, and sudo needs a password (or is missing)"
        print(
            f"error: {len(names)} system package(s) missing: {', '.join(names)}; cannot install them here ({why})\n"
            f"  run: {install_command(*names)}\n"
            "hint: run that command (or your distribution's equivalent), then the make target again",
            file=sys.stderr,
        )
        return EXIT_TOOLCHAIN
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (["update", "-q"], ["install", "-y", "-q", "--no-install-recommends", *names]):
        log("system packages: " + " ".join([*prefix, "apt-get", *args]))
        r = subprocess.run([*prefix, apt, *args], env=env, check=False)
        if r.returncode != 0:
            print(
                f"error: apt-get {args[0]} failed with exit code {r.returncode}\n"
                f"hint: run `{install_command(*names)}` yourself and read apt's message",
                file=sys.stderr,
            )
            return EXIT_TOOLCHAIN
    still = [p.name for p in missing(scope)]
    if still:
        print(
            f"error: installed, but still not found: {', '.join(still)}\n"
            "hint: check the probes in sdkgen/system.py against where your distribution puts these files",
            file=sys.stderr,
        )
        return EXIT_TOOLCHAIN
    log(f"system packages: installed {', '.join(names)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sdkgen.system", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in (("ensure", "install what is missing"), ("check", "list what is missing; exit 4 if any")):
        p = sub.add_parser(name, help=what)
        p.add_argument("--for", dest="scope", choices=SCOPES, default="sdkgen", help="sdkgen alone, or the tests too")
    sub.add_parser("list", help="every listed package, one per line (name, scope)")
    args = parser.parse_args(argv)
    if args.command == "list":
        for p in SYSTEM_PACKAGES:
            print(f"{p.name}\t{p.scope}")
        return 0
    if args.command == "ensure":
        return ensure(args.scope)
    lacking = [p.name for p in missing(args.scope)]
    for n in lacking:
        print(n)
    return EXIT_TOOLCHAIN if lacking else 0


if __name__ == "__main__":
    sys.exit(main())
