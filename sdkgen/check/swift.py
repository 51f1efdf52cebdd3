"""Build (and optionally test) a generated Swift package on this machine, offline.

Contract
--------
``find_swift() -> SwiftToolchain | None`` never raises and never uses the network. It tries, in this
order, ``swift`` on ``PATH``, ``$SWIFT_HOME/usr/bin/swift`` and ``/opt/swift/usr/bin/swift``, and takes the
first one whose ``swift --version`` says ``Swift version X``. (Something else called ``swift``, such as
the OpenStack client, is skipped.)

``build_swift_package(package_dir, *, mirrors={}, build_tests=True, run_tests=False, test_filter=None,
scratch_dir=None, timeout=900, warnings_as_errors=False, env={}) -> SwiftBuildResult``:

- ``package_dir`` is never written to. It is copied (without ``.build``) to a work folder, and all
  SwiftPM state (mirror config, ``Package.resolved``, build products) goes into the copy or the scratch
  folder. Diagnostics name the files in ``package_dir``, not the ones in the copy.
- ``mirrors`` maps a dependency URL, as written in ``Package.swift``, to a local folder holding a
  stand-in package (for example ``sdkgen/hostrun/ios/executorch``). For each one, the folder is copied into
  a throwaway git repository. The repository is named after the URL's last path component (which becomes
  its SwiftPM package identity), and it is committed with a fixed author, committer and date, so the
  same folder always gives the same commit. The copy's ``Package.swift`` is read for the dependency's
  requirement, and the repository gets what that requirement needs: ``branch: "b"`` or ``.branch("b")``
  becomes branch ``b``, and ``exact:``, ``from:``, ``.upToNextMajor/Minor(from:)`` or ``"x"..<"y"``
  becomes tag ``x``. If no requirement is found for that URL, every literal requirement in the manifest
  is created. A ``revision:`` pin can't be satisfied. Then
  ``swift package config set-mirror --original <url> --mirror <absolute repo path>`` is run on the copy,
  which writes ``<copy>/.swiftpm/configuration/mirrors.json``. The generated ``Package.swift`` is never
  edited. A ``Package.resolved`` in the copy is deleted when mirrors are given, because its pins name
  the real remote's revisions.
- Then ``swift build [--build-tests]`` runs, and after a successful build ``swift test --skip-build`` if
  ``run_tests`` is set (with ``--filter <test_filter>`` when given, e.g. only the ``<Module>CoreTests``). Every
  command gets ``--package-path <copy> --scratch-path <scratch> --disable-dependency-cache --manifest-cache local``,
  so nothing is written to ``~/.cache``. ``scratch_dir`` is used as the scratch path when given, and the copy and
  the mirror repositories then live in ``<scratch_dir>/sdkgen/``. Their paths stay stable and the commits are
  deterministic, so a later build with the same ``scratch_dir`` reuses the dependency builds. Without
  ``scratch_dir`` everything goes into a temporary folder that is deleted afterwards.
- ``env`` adds variables to the environment of every command (the tests see them: the host run's settings).
- ``warnings_as_errors`` adds ``-Xswiftc -warnings-as-errors``. SwiftPM gives non-root (mirrored)
  packages ``-suppress-warnings`` and does not pass them this flag, so only the generated package's own
  modules are held to it. (This was checked with SwiftPM 6.3.)
- ``timeout`` (seconds) covers all commands together. When it runs out, the process group is killed and
  the result has ``ok=False`` and ``timed_out=True``.
- A failed resolve, build or test is a result (``ok=False``, with the full ``output``), not an
  exception. ``result.raise_for_failure()`` turns it into ``sdkgen.errors.CheckFailed``. If no Swift
  toolchain is found, ``ToolchainMissing`` is raised (exit 4), and also if ``git`` is missing when
  mirrors are given. A ``package_dir`` or mirror folder without a ``Package.swift`` raises
  ``FileNotFoundError``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sdkgen.errors import CheckFailed, ToolchainMissing
from sdkgen.system import install_command

__all__ = [
    "INSTALL_HINT",
    "SwiftBuildResult",
    "SwiftToolchain",
    "build_swift_package",
    "find_swift",
    "require_swift",
]

INSTALL_HINT = (
    "install a Swift toolchain (5.9 or newer, https://www.swift.org/install/) and put its usr/bin on PATH, "
    "or set SWIFT_HOME to the toolchain root (the folder holding usr/bin/swift)"
)

_FALLBACK_HOMES = (Path("/opt/swift"),)
_VERSION_RE = re.compile(r"Swift version (\d+(?:\.\d+)*)")
_DIAG_ERROR_RE = re.compile(r"^(?:error: |.*?:\d+(?::\d+)?: error: )")
_DIAG_WARNING_RE = re.compile(r"^(?:warning: |.*?:\d+(?::\d+)?: warning: )")

#: Identity and dates for the throwaway mirror commits: the same folder always gives the same commit.
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "sdkgen",
    "GIT_AUTHOR_EMAIL": "sdkgen@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "sdkgen",
    "GIT_COMMITTER_EMAIL": "sdkgen@localhost",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}
_GIT_CONFIG = [
    "-c",
    "init.defaultBranch=main",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "tag.gpgsign=false",
    "-c",
    "core.autocrlf=false",
]
_COPY_IGNORE = shutil.ignore_patterns(".build", ".git", ".swiftpm", "Package.resolved")


# --------------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class SwiftToolchain:
    """A usable ``swift`` driver and the version it reports (for example ``"6.3.1"``)."""

    swift: Path
    version: str

    @property
    def bin_dir(self) -> Path:
        return self.swift.parent


@dataclass(frozen=True)
class SwiftBuildResult:
    """What one ``build_swift_package`` call did.

    ``output`` is the combined stdout/stderr of every command, each after a ``$ command`` line, with the
    copy's path replaced by ``package_dir``. ``commands`` are the argv lists that ran, in order.
    ``seconds`` is the wall time of the whole call, including copying and mirror setup.
    """

    ok: bool
    output: str
    commands: tuple[tuple[str, ...], ...]
    seconds: float
    returncode: int | None = None
    timed_out: bool = False
    #: The package that was built (the original folder, not the temporary copy).
    package_dir: Path | None = None

    @property
    def errors(self) -> list[str]:
        """Output lines that report an error."""
        return [line for line in self.output.splitlines() if _DIAG_ERROR_RE.match(line)]

    @property
    def warnings(self) -> list[str]:
        """Output lines that report a warning."""
        return [line for line in self.output.splitlines() if _DIAG_WARNING_RE.match(line)]

    def raise_for_failure(self, what: str = "generated Swift package") -> None:
        """Raise ``CheckFailed`` (exit 1) with the first errors when the build or tests failed."""
        if self.ok:
            return
        if self.timed_out:
            message = f"{what}: the Swift build timed out after {self.seconds:.0f} s"
        else:
            errors = self.errors or self.output.strip().splitlines()[-20:]
            shown = "\n".join(errors[:20])
            more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
            message = f"{what} did not build ({len(self.errors)} error(s)):\n{shown}{more}"
        where = f" {self.package_dir}" if self.package_dir else ""
        raise CheckFailed(
            message,
            hint=f"fix the template or the spec that produced it, then rebuild{where} "
            "(the build ran on a copy, with SwiftPM mirrors for the stubbed dependencies)",
        )


# --------------------------------------------------------------------------------------------------
# discovery


def find_swift() -> SwiftToolchain | None:
    """The first working ``swift`` from ``PATH``, ``$SWIFT_HOME/usr/bin``, ``/opt/swift/usr/bin``; else ``None``."""
    candidates: list[Path] = []
    on_path = shutil.which("swift")
    if on_path:
        candidates.append(Path(on_path))
    swift_home = os.environ.get("SWIFT_HOME")
    if swift_home:
        candidates.append(Path(swift_home) / "usr" / "bin" / "swift")
    candidates.extend(home / "usr" / "bin" / "swift" for home in _FALLBACK_HOMES)
    seen: set[Path] = set()
    for candidate in candidates:
        if candidate in seen or not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        seen.add(candidate)
        version = _swift_version(candidate)
        if version is not None:
            return SwiftToolchain(swift=candidate, version=version)
    return None


def require_swift() -> SwiftToolchain:
    """Like ``find_swift`` but raise ``ToolchainMissing`` (exit 4) with a hint when there is none."""
    toolchain = find_swift()
    if toolchain is None:
        raise ToolchainMissing(
            "no Swift toolchain found to build the generated iOS package "
            "(looked at PATH, $SWIFT_HOME/usr/bin and /opt/swift/usr/bin)",
            hint=INSTALL_HINT,
        )
    return toolchain


def _swift_version(swift: Path) -> str | None:
    try:
        proc = subprocess.run(
            [str(swift), "--version"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_RE.search(proc.stdout.decode("utf-8", errors="replace"))
    return match.group(1) if proc.returncode == 0 and match else None


# --------------------------------------------------------------------------------------------------
# build


def build_swift_package(
    package_dir: Path,
    *,
    mirrors: Mapping[str, Path] = {},
    build_tests: bool = True,
    run_tests: bool = False,
    test_filter: str | None = None,
    scratch_dir: Path | None = None,
    timeout: float = 900,
    warnings_as_errors: bool = False,
    env: Mapping[str, str] = {},
) -> SwiftBuildResult:
    """Build ``package_dir`` with SwiftPM, with remote dependencies replaced by local ``mirrors``.

    See the module docstring for the full contract. ``package_dir`` is never modified.
    """
    started = time.monotonic()
    package_dir = Path(package_dir).resolve()
    if not (package_dir / "Package.swift").is_file():
        raise FileNotFoundError(f"no Package.swift in {package_dir}")
    mirror_dirs = {url: Path(folder).resolve() for url, folder in mirrors.items()}
    for url, folder in mirror_dirs.items():
        if not (folder / "Package.swift").is_file():
            raise FileNotFoundError(f"mirror for {url}: no Package.swift in {folder}")
    toolchain = require_swift()
    git = shutil.which("git") if mirror_dirs else None
    if mirror_dirs and git is None:
        raise ToolchainMissing(
            "git is needed to serve local SwiftPM mirrors but is not on PATH", hint=install_command("git")
        )

    temp_root: Path | None = None
    if scratch_dir is None:
        temp_root = Path(tempfile.mkdtemp(prefix="sdkgen-swift-"))
        work = temp_root
        scratch = temp_root / "build"
    else:
        scratch = Path(scratch_dir).resolve()
        work = scratch / "sdkgen"
    deadline = started + timeout
    log: list[str] = []
    commands: list[tuple[str, ...]] = []
    copy = work / "package" / package_dir.name

    def finish(ok: bool, returncode: int | None = None, timed_out: bool = False) -> SwiftBuildResult:
        text = "".join(log).replace(str(copy), str(package_dir))
        return SwiftBuildResult(
            ok=ok,
            output=text,
            commands=tuple(commands),
            seconds=time.monotonic() - started,
            returncode=returncode,
            timed_out=timed_out,
            package_dir=package_dir,
        )

    try:
        shutil.rmtree(work / "package", ignore_errors=True)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(
            package_dir,
            copy,
            symlinks=True,
            ignore=shutil.ignore_patterns(".build", *(("Package.resolved",) if mirror_dirs else ())),
        )
        manifest = (copy / "Package.swift").read_text(encoding="utf-8")
        # SwiftPM drops one `.lock` file per locked path into $TMPDIR and never removes them; keep them here.
        swift_tmp = work / "tmp"
        shutil.rmtree(swift_tmp, ignore_errors=True)
        swift_tmp.mkdir(parents=True)
        swift_env = {**os.environ, **env, "TMPDIR": str(swift_tmp)}
        mirror_root = work / "mirrors"
        shutil.rmtree(mirror_root, ignore_errors=True)
        for index, (url, folder) in enumerate(sorted(mirror_dirs.items())):
            repo = mirror_root / str(index) / _identity(url)
            code, timed_out = _make_mirror_repo(
                git or "git", folder, repo, _refs_for(manifest, url), deadline, log, commands
            )
            if code != 0:
                return finish(False, code, timed_out)
            for original in _spellings(manifest, url):
                code, timed_out = _run_logged(
                    [
                        str(toolchain.swift),
                        "package",
                        "--package-path",
                        str(copy),
                        "config",
                        "set-mirror",
                        "--original",
                        original,
                        "--mirror",
                        str(repo),
                    ],
                    deadline,
                    log,
                    commands,
                    env=swift_env,
                )
                if code != 0:
                    return finish(False, code, timed_out)

        common = [
            "--package-path",
            str(copy),
            "--scratch-path",
            str(scratch),
            "--disable-dependency-cache",
            "--manifest-cache",
            "local",
        ]
        flags = ["-Xswiftc", "-warnings-as-errors"] if warnings_as_errors else []
        build = [str(toolchain.swift), "build", *common, *(["--build-tests"] if build_tests else []), *flags]
        code, timed_out = _run_logged(build, deadline, log, commands, env=swift_env)
        if code != 0 or not run_tests:
            return finish(code == 0, code, timed_out)
        only = ["--filter", test_filter] if test_filter else []
        test = [str(toolchain.swift), "test", *common, "--skip-build", *only, *flags]
        code, timed_out = _run_logged(test, deadline, log, commands, env=swift_env)
        return finish(code == 0, code, timed_out)
    finally:
        if temp_root is not None:
            shutil.rmtree(temp_root, ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# mirrors


def _identity(url: str) -> str:
    """SwiftPM's package identity for a URL: its last path component without ``.git``, lower-cased."""
    name = url.rstrip("/").rsplit("/", 1)[-1]
    name = name[:-4] if name.endswith(".git") else name
    return (re.sub(r"[^A-Za-z0-9._-]", "_", name) or "package").lower()


def _canonical(url: str) -> str:
    text = url.strip().rstrip("/").lower()
    text = re.sub(r"^[a-z+]+://", "", text)
    return text[:-4] if text.endswith(".git") else text


def _package_calls(manifest: str) -> list[str]:
    """The text inside every ``.package( … )`` call, with balanced parentheses and string literals skipped."""
    calls = []
    for match in re.finditer(r"\.package\s*\(", manifest):
        depth, i, start = 1, match.end(), match.end()
        while i < len(manifest) and depth:
            char = manifest[i]
            if char == '"':
                i += 1
                while i < len(manifest) and manifest[i] != '"':
                    i += 2 if manifest[i] == "\\" else 1
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            i += 1
        calls.append(manifest[start : i - 1])
    return calls


_URL_RE = re.compile(r'\burl\s*:\s*"([^"]+)"')
_BRANCH_RES = (re.compile(r'\bbranch\s*:\s*"([^"]+)"'), re.compile(r'\.branch\s*\(\s*"([^"]+)"\s*\)'))
_TAG_RES = (
    re.compile(r'\b(?:exact|from)\s*:\s*"([^"]+)"'),
    re.compile(r'\.exact\s*\(\s*"([^"]+)"\s*\)'),
    re.compile(r'"([^"]+)"\s*\.\.[.<]\s*"[^"]+"'),
)


def _requirements(text: str) -> tuple[set[str], set[str]]:
    branches = {m.group(1) for regex in _BRANCH_RES for m in regex.finditer(text)}
    tags = {m.group(1) for regex in _TAG_RES for m in regex.finditer(text)}
    return branches, tags


def _refs_for(manifest: str, url: str) -> tuple[set[str], set[str]]:
    """(branches, tags) the manifest asks of ``url``; every literal requirement when none is found for it."""
    branches: set[str] = set()
    tags: set[str] = set()
    for call in _package_calls(manifest):
        found = _URL_RE.search(call)
        if found and _canonical(found.group(1)) == _canonical(url):
            b, t = _requirements(call)
            branches |= b
            tags |= t
    if not branches and not tags:
        branches, tags = _requirements(manifest)
    return branches, tags


def _spellings(manifest: str, url: str) -> list[str]:
    """``url`` plus every other spelling of it in the manifest (``.git`` suffix, case), for set-mirror."""
    spellings = [url]
    for call in _package_calls(manifest):
        found = _URL_RE.search(call)
        if found and _canonical(found.group(1)) == _canonical(url) and found.group(1) not in spellings:
            spellings.append(found.group(1))
    return spellings


def _make_mirror_repo(
    git: str,
    folder: Path,
    repo: Path,
    refs: tuple[set[str], set[str]],
    deadline: float,
    log: list[str],
    commands: list[tuple[str, ...]],
) -> tuple[int | None, bool]:
    """Copy ``folder`` to ``repo``, commit it deterministically and create the branches and tags."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder, repo, symlinks=True, ignore=_COPY_IGNORE)
    branches, tags = refs
    steps = [
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "--allow-empty", "-m", f"sdkgen stand-in for {folder.name}"],
        *(["branch", "-f", branch] for branch in sorted(branches) if branch != "main"),
        *(["tag", "-f", tag] for tag in sorted(tags)),
    ]
    env = {**os.environ, **_GIT_ENV}
    for step in steps:
        code, timed_out = _run_logged([git, "-C", str(repo), *_GIT_CONFIG, *step], deadline, log, commands, env=env)
        if code != 0:
            return code, timed_out
    return 0, False


# --------------------------------------------------------------------------------------------------
# processes


def _run_logged(
    command: list[str],
    deadline: float,
    log: list[str],
    commands: list[tuple[str, ...]],
    env: Mapping[str, str] | None = None,
) -> tuple[int | None, bool]:
    """Run ``command`` in its own process group until ``deadline``; append its output to ``log``."""
    commands.append(tuple(command))
    log.append("$ " + " ".join(command) + "\n")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        log.append("error: timed out before this command could start\n")
        return None, True
    run_env = dict(env if env is not None else os.environ)
    run_env.setdefault("LC_ALL", "C.UTF-8")
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=run_env,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        log.append(out.decode("utf-8", errors="replace"))
        log.append(f"\nerror: timed out after {remaining:.0f} s: {' '.join(command[:2])}\n")
        return None, True
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    log.append(out.decode("utf-8", errors="replace"))
    return proc.returncode, False


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
