"""The one list of system packages (sdkgen/system.py) and the places that use it: the Makefile's set-up
targets install it before any long work, .ci/run is the README's two commands, ``sdkgen doctor`` and every
install hint name the same command. ``ensure`` is driven against fake ``apt-get`` and ``sudo`` programs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sdkgen import system
from sdkgen.check.kotlin import DEBIAN_JUNIT_JARS
from sdkgen.cli import main
from sdkgen.devices import arm64
from sdkgen.system import SYSTEM_PACKAGES, SystemPackage, install_command
from tests.conftest import ROOT


def _dry_run(target: str) -> list[str]:
    """The commands `make -n <target>` would run on a machine without .venv (the Makefile's own order)."""
    # Under `make test` this runs inside make: without the parent's flags and directory lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    r = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target, "VENV=/nonexistent/venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return [line.strip() for line in r.stdout.splitlines() if line.strip()]


def _index(commands: list[str], pattern: str) -> int:
    hits = [i for i, c in enumerate(commands) if re.search(pattern, c)]
    assert hits, f"{pattern!r} not among {commands}"
    return hits[0]


@pytest.mark.parametrize(("target", "scope"), [("demo", "sdkgen"), ("test", "tests")])
def test_make_installs_the_system_packages_before_any_long_work(target: str, scope: str) -> None:
    commands = _dry_run(target)
    ensure = _index(commands, rf"-m sdkgen\.system ensure --for {scope}$")
    assert ensure == 0, commands
    assert ensure < _index(commands, r"-m venv ") < _index(commands, r"pip install .*-e ")


def test_make_test_prepares_the_arm64_sysroot_before_pytest() -> None:
    commands = _dry_run("test")
    assert _index(commands, r"pip install .*\[.*dev\]") < _index(commands, r"sdkgen test arm64 --prepare$")
    assert _index(commands, r"sdkgen test arm64 --prepare$") < _index(commands, r"-m pytest")


def test_ci_runs_the_readme_commands_and_nothing_else() -> None:
    """.ci/run sets its environment and calls `make demo` and `make test`: no install list of its own."""
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    commands = [line for line in lines if not re.match(r"(set |cd |export [A-Z_]+=)", line)]
    assert commands == ["make demo", "make test"], lines
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make demo\b", readme, re.M) and re.search(r"^make test\b", readme, re.M)


def test_no_other_install_list() -> None:
    """Install commands for system packages come from sdkgen/system.py only (the Makefile, CI, the code)."""
    sources = [ROOT / "Makefile", ROOT / ".ci" / "run", *sorted((ROOT / "sdkgen").rglob("*.py"))]
    offenders = [
        str(p.relative_to(ROOT))
        for p in sources
        if p.name != "system.py" and re.search(r"apt(-get)? install", p.read_text())
    ]
    assert offenders == []


def test_the_probes_are_the_paths_the_code_uses() -> None:
    junit = system.package("junit4").probes
    assert junit == tuple(f"file:{p}" for p in DEBIAN_JUNIT_JARS)
    assert system.package("qemu-user").probes == (f"command:{arm64.QEMU}",)


def test_every_install_hint_is_the_list_command() -> None:
    from sdkgen.check import kotlin
    from sdkgen.runtimes.litert import metadata

    assert install_command("junit4") in kotlin.JUNIT_MISSING
    assert install_command("openjdk-17-jdk-headless") in kotlin.INSTALL_HINT
    assert install_command("libusb-1.0-0") in metadata.INSTALL_HINT
    assert install_command("qemu-user") in arm64.QEMU_INSTALL
    with pytest.raises(KeyError):
        install_command("not-listed")


def test_scopes() -> None:
    assert [p.name for p in system.wanted("sdkgen")] == [p.name for p in SYSTEM_PACKAGES if p.scope == "sdkgen"]
    assert system.wanted("tests") == list(SYSTEM_PACKAGES)
    assert {p.scope for p in SYSTEM_PACKAGES} == set(system.SCOPES)
    with pytest.raises(ValueError, match="valid: sdkgen, tests"):
        system.wanted("all")


def test_doctor_names_each_missing_package_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fake = (
        SystemPackage("present-pkg", (f"file:{__file__}",), "something"),
        SystemPackage("absent-pkg", (f"file:{tmp_path / 'nope'}",), "the other thing", scope="tests"),
    )
    monkeypatch.setattr(system, "SYSTEM_PACKAGES", fake)
    assert main(["doctor", "--json"]) == 0
    rows = {t["name"]: t for t in json.loads(capsys.readouterr().out)["system packages"]}
    assert rows["present-pkg"]["available"] and rows["present-pkg"]["install"] is None
    assert not rows["absent-pkg"]["available"]
    assert rows["absent-pkg"]["install"] == "sudo apt-get install -y absent-pkg"
    assert "test suite only" in rows["absent-pkg"]["detail"]
    assert main(["doctor"]) == 0
    assert "install: sudo apt-get install -y absent-pkg" in capsys.readouterr().out


# --- ensure, against fake apt-get / sudo (they follow the real programs' argument order) ---------------


def _fake_tools(bin_dir: Path, log: Path, *, sudo: str | None) -> None:
    """An ``apt-get`` that records its arguments and, on ``install``, creates each package's probe file
    (``$FAKE_ROOT/<name>``); a ``sudo`` that accepts ``-n`` and runs the rest (``ok``) or fails (``password``)."""
    bin_dir.mkdir()
    apt = bin_dir / "apt-get"
    apt.write_text(
        "#!/bin/sh\n"
        f'echo "apt-get $*" >> {log}\n'
        'if [ "$1" = install ]; then for a in "$@"; do case "$a" in -*|install) ;; *) touch "$FAKE_ROOT/$a";; '
        "esac; done; fi\n"
    )
    apt.chmod(0o755)
    if sudo:
        s = bin_dir / "sudo"
        body = 'shift; echo "sudo" >> ' + str(log) + '; exec "$@"\n' if sudo == "ok" else "exit 1\n"
        s.write_text('#!/bin/sh\n[ "$1" = -n ] || exit 2\n' + body)
        s.chmod(0o755)


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.setenv("FAKE_ROOT", str(root))
    pkgs = (
        SystemPackage("pkg-a", (f"file:{root / 'pkg-a'}",), "a"),
        SystemPackage("pkg-b", (f"file:{root / 'pkg-b'}",), "b", scope="tests"),
    )
    monkeypatch.setattr(system, "SYSTEM_PACKAGES", pkgs)
    return root, tmp_path / "apt.log"


def _with_path(monkeypatch: pytest.MonkeyPatch, bin_dir: Path) -> None:
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


def test_ensure_as_root_updates_and_installs_only_the_missing(
    fakes: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, log = fakes
    _fake_tools(tmp_path / "bin", log, sudo=None)
    _with_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    (root / "pkg-a").touch()
    assert system.ensure("tests", log=lambda _: None) == 0
    assert log.read_text().splitlines() == [
        "apt-get update -q",
        "apt-get install -y -q --no-install-recommends pkg-b",
    ]
    assert system.ensure("tests", log=lambda _: None) == 0  # nothing missing: apt is not called again
    assert len(log.read_text().splitlines()) == 2


def test_ensure_for_sdkgen_leaves_the_test_packages(
    fakes: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, log = fakes
    _fake_tools(tmp_path / "bin", log, sudo=None)
    _with_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    assert system.ensure("sdkgen", log=lambda _: None) == 0
    assert (root / "pkg-a").exists() and not (root / "pkg-b").exists()


def test_ensure_uses_passwordless_sudo(
    fakes: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, log = fakes
    _fake_tools(tmp_path / "bin", log, sudo="ok")
    _with_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    assert system.ensure("tests", log=lambda _: None) == 0
    assert (root / "pkg-a").exists() and (root / "pkg-b").exists()
    assert "sudo" in log.read_text().splitlines()


@pytest.mark.parametrize("sudo", [None, "password"])
def test_ensure_without_root_stops_at_once_with_the_command(
    fakes: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sudo: str | None,
) -> None:
    _root, log = fakes
    _fake_tools(tmp_path / "bin", log, sudo=sudo)
    _with_path(monkeypatch, tmp_path / "bin")
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    assert system.ensure("tests", log=lambda _: None) == 4
    err = capsys.readouterr().err
    assert "error: 2 system package(s) missing: pkg-a, pkg-b" in err
    assert "  run: sudo apt-get install -y pkg-a pkg-b\n" in err
    assert "hint: " in err
    assert not log.exists() or "apt-get" not in log.read_text()


def test_ensure_reports_a_failing_apt(
    fakes: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text("#!/bin/sh\necho 'E: Unable to locate package' >&2\nexit 100\n")
    (bin_dir / "apt-get").chmod(0o755)
    _with_path(monkeypatch, bin_dir)
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    assert system.ensure("sdkgen", log=lambda _: None) == 4
    err = capsys.readouterr().err
    assert "apt-get update failed with exit code 100" in err and "hint: run `sudo apt-get install -y pkg-a`" in err


def test_the_module_runs_with_the_standard_library_alone() -> None:
    """The Makefile runs it with the machine's Python before .venv exists: no third-party import."""
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    top = name.split('.')[0]\n"
        "    if top not in sys.stdlib_module_names and top != 'sdkgen':\n"
        "        raise ImportError('third-party import: ' + name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        "import runpy; sys.argv = ['x', 'list']\n"
        "runpy.run_module('sdkgen.system', run_name='__main__')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert [line.split("\t")[0] for line in r.stdout.splitlines()] == [p.name for p in SYSTEM_PACKAGES]


def test_library_probe_reads_the_loader_cache() -> None:
    libc = "libc.so.6"
    assert system._probe(f"library:{libc}")
    assert not system._probe("library:libsdkgen-does-not-exist.so.9")
    assert shutil.which("python3") is None or system._probe("command:python3")


def test_the_readme_names_every_listed_package() -> None:
    readme = (ROOT / "README.md").read_text()
    assert [p.name for p in SYSTEM_PACKAGES if f"`{p.name}`" not in readme] == []
