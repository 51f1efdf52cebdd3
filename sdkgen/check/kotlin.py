"""Compile Kotlin (and Java) sources on this machine, to check generated Android code.

Contract
--------
``find_kotlin_compiler() -> KotlinCompiler | None`` never raises and never uses the network. It looks, in
this order, for:

1. a real Kotlin distribution: ``$KOTLIN_HOME/bin/kotlinc``, then ``kotlinc`` on ``PATH``. Its version
   comes from ``<home>/build.txt`` (or ``kotlinc -version``). A ``kotlinc`` older than
   ``MIN_KOTLINC_VERSION`` (2.0) is skipped, because it cannot read the metadata of current
   kotlinx-coroutines.
2. the compiler embedded in the PyPI wheel ``kotlin-jupyter-kernel``, found through
   ``importlib.metadata`` (no site-packages path is hard-coded). The wheel's fat jar holds
   ``org.jetbrains.kotlin.cli.jvm.K2JVMCompiler``, and the wheel ships a ``kotlin-stdlib`` jar. It runs as
   ``java -cp <fat jar> org.jetbrains.kotlin.cli.jvm.K2JVMCompiler -no-stdlib -no-reflect -cp <stdlib>``,
   with ``java`` taken from ``$JAVA_HOME/bin`` or ``PATH``.

kotlinx-coroutines-core (``Flow``, ``callbackFlow``, ``Dispatchers``) is always on the compile classpath when
it can be found. For the embedded compiler, the ``kotlinx/coroutines/**`` classes and their
``.kotlin_module`` are extracted once from the fat jar into a small jar in the cache:
``$XDG_CACHE_HOME/sdkgen/kotlin/`` (or ``~/.cache/sdkgen/kotlin/``). The jar's name holds a content hash.
The whole fat jar is never put on the compile classpath, because it also holds the Kotlin compiler,
kotlinx-serialization, http4k and others, and generated code could then compile against APIs an Android
app does not have. For a real ``kotlinc``, ``<home>/lib/kotlinx-coroutines-core-jvm.jar`` is used, or else
the jar from the wheel.

``find_junit()`` and ``run_junit(classpath, test_classes, compiler=, junit=, cwd=)`` run JUnit 4 tests (the
generated libraries' ``src/test``) with ``JUnitCore``, on the jars of Debian's ``junit4`` package or
``$JUNIT_CLASSPATH``; without them the caller reports ``JUNIT_MISSING``.

``compile_kotlin(sources, out_dir, classpath=(), compiler=None, timeout=600)``:

- ``sources`` are ``.kt``/``.java`` files or directories. kotlinc scans directories for both kinds.
  kotlinc only resolves ``.java`` sources and does not compile them, so they are then compiled with
  ``javac`` into the same ``out_dir``. ``out_dir`` is then a complete class tree, usable as a classpath
  entry for a later compile.
- The compile classpath is ``classpath`` + coroutines + kotlin-stdlib. kotlin-reflect is left out, as in an
  Android app that does not add it. Options: ``-jvm-target 17``, and
  ``-language-version``/``-api-version`` ``DEFAULT_LANGUAGE_VERSION`` (2.1, the oldest version that is not
  deprecated, and what current Android Gradle builds use). That version is passed only to compilers new
  enough to know it.
- Warnings never fail a compile (no ``-Werror``). ``result.ok`` is ``True`` when both kotlinc and javac
  exit 0.
- The JVM runs with ``-Xmx1g`` (see ``DEFAULT_JVM_OPTIONS``). On timeout the whole process group is
  killed, and the result has ``ok=False`` and ``timed_out=True``.
- A failed compile is a result, not an exception. ``result.raise_for_failure()`` turns it into
  ``sdkgen.errors.CheckFailed``. If no compiler is found, ``ToolchainMissing`` is raised (exit 4). Its
  hint says to ``pip install kotlin-jupyter-kernel`` or to install ``kotlinc``. Missing source paths raise
  ``FileNotFoundError``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sdkgen.errors import CheckFailed, ToolchainMissing
from sdkgen.system import install_command

__all__ = [
    "DEFAULT_JVM_OPTIONS",
    "DEFAULT_JVM_TARGET",
    "DEFAULT_LANGUAGE_VERSION",
    "JUNIT_MISSING",
    "KERNEL_DISTRIBUTION",
    "MIN_KOTLINC_VERSION",
    "JUnitResult",
    "KotlinCompileResult",
    "KotlinCompiler",
    "compile_kotlin",
    "find_junit",
    "find_kotlin_compiler",
    "require_kotlin_compiler",
    "run_junit",
]

KERNEL_DISTRIBUTION = "kotlin-jupyter-kernel"
K2JVM_MAIN = "org.jetbrains.kotlin.cli.jvm.K2JVMCompiler"
DEFAULT_JVM_TARGET = "17"
DEFAULT_LANGUAGE_VERSION = "2.1"
MIN_KOTLINC_VERSION = (2, 0)
# C1 only: the compiler runs for seconds, and full JIT warm-up costs more than it gains here.
DEFAULT_JVM_OPTIONS: tuple[str, ...] = (
    "-Xmx1g",
    "-Xss4m",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-Dfile.encoding=UTF-8",
    "-Djava.awt.headless=true",
)
INSTALL_HINT = (
    f"pip install {KERNEL_DISTRIBUTION} (it ships a Kotlin compiler; needs a JDK 17: "
    f"{install_command('openjdk-17-jdk-headless')}), or install kotlinc "
    "(https://kotlinlang.org/docs/command-line.html) and put it on PATH or set KOTLIN_HOME"
)

_COROUTINES_MODULE = "META-INF/kotlinx-coroutines-core.kotlin_module"
_COROUTINES_VERSION_FILE = "META-INF/kotlinx_coroutines_core.version"
_COROUTINES_EXTRA = frozenset({_COROUTINES_MODULE, _COROUTINES_VERSION_FILE, "DebugProbesKt.bin"})
_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_DIAG_ERROR_RE = re.compile(r"^(?:e: |error: |.*?:\d+(?::\d+)?: error: )")
_DIAG_WARNING_RE = re.compile(r"^(?:w: |warning: |.*?:\d+(?::\d+)?: warning: )")


@dataclass(frozen=True)
class KotlinCompiler:
    """How to run one Kotlin compiler, and what goes on its compile classpath."""

    kind: Literal["kotlinc", "embedded"]
    #: Compiler version, e.g. ``2.4.0-dev-6891`` (embedded) or ``2.1.0-release-394`` (kotlinc build.txt).
    version: str
    #: JVM that runs the embedded compiler, and whose ``javac`` is used for Java sources.
    java: Path | None
    #: Fat jar holding ``K2JVMCompiler`` (embedded only).
    compiler_jar: Path | None
    #: A real ``kotlinc`` launcher (kotlinc only).
    kotlinc: Path | None
    #: kotlin-stdlib jar(s) (and its ``annotations-13.0`` dependency). For the embedded compiler they go on
    #: the classpath explicitly (``-no-stdlib``); kotlinc adds its own, and these serve ``javac``.
    stdlib: tuple[Path, ...]
    #: Jar (or class directory) with kotlinx-coroutines-core, or ``None`` when none was found.
    coroutines: Path | None
    #: ``javac`` for ``.java`` sources, or ``None``.
    javac: Path | None
    stdlib_version: str | None = None
    coroutines_version: str | None = None
    jvm_options: tuple[str, ...] = DEFAULT_JVM_OPTIONS

    def launcher(self) -> list[str]:
        """The command prefix that starts the compiler, before any compiler argument."""
        if self.kind == "kotlinc":
            assert self.kotlinc is not None
            return [str(self.kotlinc), *(f"-J{opt}" for opt in self.jvm_options)]
        assert self.java is not None and self.compiler_jar is not None
        return [str(self.java), *self.jvm_options, "-cp", str(self.compiler_jar), K2JVM_MAIN]

    def compile_classpath(self) -> tuple[Path, ...]:
        """Entries this compiler adds to every compile classpath: coroutines, then the stdlib."""
        extra = (self.coroutines,) if self.coroutines is not None else ()
        return extra + self.stdlib

    def language_version_args(self, language_version: str | None) -> list[str]:
        """``-language-version X -api-version X`` when this compiler is at least version X, else nothing."""
        if not language_version:
            return []
        wanted, have = _parse_version(language_version), _parse_version(self.version)
        if wanted is None or have is None or have[:2] < wanted[:2]:
            return []
        return ["-language-version", language_version, "-api-version", language_version]

    def describe(self) -> str:
        """One line for logs and reports."""
        where = self.kotlinc if self.kind == "kotlinc" else self.compiler_jar
        parts = [f"Kotlin {self.version} ({self.kind}: {where})"]
        if self.stdlib_version:
            parts.append(f"stdlib {self.stdlib_version}")
        parts.append(
            f"kotlinx-coroutines {self.coroutines_version or '?'}" if self.coroutines else "no kotlinx-coroutines"
        )
        parts.append(f"java {self.java}" if self.java else "java from kotlinc")
        return ", ".join(parts)


@dataclass(frozen=True)
class KotlinCompileResult:
    """What one ``compile_kotlin`` call did. ``diagnostics`` is the compilers' combined output."""

    ok: bool
    diagnostics: str
    command: list[str]
    seconds: float
    out_dir: Path
    returncode: int | None = None
    timed_out: bool = False
    #: The ``javac`` command, when Java sources were compiled after kotlinc.
    javac_command: list[str] | None = None
    compiler: KotlinCompiler | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> list[str]:
        """Diagnostic lines that report an error."""
        return [line for line in self.diagnostics.splitlines() if _DIAG_ERROR_RE.match(line)]

    @property
    def warnings(self) -> list[str]:
        """Diagnostic lines that report a warning."""
        return [line for line in self.diagnostics.splitlines() if _DIAG_WARNING_RE.match(line)]

    def raise_for_failure(self, what: str = "generated Kotlin") -> None:
        """Raise ``CheckFailed`` (exit 1) with the first errors when the compile failed."""
        if self.ok:
            return
        if self.timed_out:
            message = f"{what}: the Kotlin compiler timed out after {self.seconds:.0f} s"
        else:
            errors = self.errors or self.diagnostics.strip().splitlines()[-20:]
            shown = "\n".join(errors[:20])
            more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
            message = f"{what} did not compile ({len(self.errors)} error(s)):\n{shown}{more}"
        raise CheckFailed(
            message,
            hint=f"fix the template or the spec that produced it; rerun: {shlex.join(self.command)}",
        )


# --------------------------------------------------------------------------------------------------
# discovery


def find_kotlin_compiler() -> KotlinCompiler | None:
    """The best Kotlin compiler on this machine, or ``None`` (see the module docstring for the order)."""
    compiler, _ = _locate()
    return compiler


def require_kotlin_compiler() -> KotlinCompiler:
    """Like ``find_kotlin_compiler`` but raise ``ToolchainMissing`` (exit 4) with the reasons and a hint."""
    compiler, reasons = _locate()
    if compiler is None:
        raise ToolchainMissing(
            "no Kotlin compiler found to check the generated Android code:\n  - " + "\n  - ".join(reasons),
            hint=INSTALL_HINT,
        )
    return compiler


def _locate() -> tuple[KotlinCompiler | None, list[str]]:
    reasons: list[str] = []
    java = _find_jdk_tool("java")
    javac = _find_javac(java)

    candidates: list[Path] = []
    kotlin_home = os.environ.get("KOTLIN_HOME")
    if kotlin_home:
        candidates.append(Path(kotlin_home) / "bin" / "kotlinc")
    else:
        reasons.append("$KOTLIN_HOME is not set")
    on_path = shutil.which("kotlinc")
    if on_path:
        candidates.append(Path(on_path))
    else:
        reasons.append("no kotlinc on PATH")
    seen: set[Path] = set()
    for launcher in candidates:
        real = launcher.resolve()
        if real in seen:
            continue
        seen.add(real)
        compiler = _real_kotlinc(launcher, java, javac, reasons)
        if compiler is not None:
            return compiler, reasons

    compiler = _embedded_compiler(java, javac, reasons)
    return compiler, reasons


def _find_jdk_tool(tool: str) -> Path | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / tool
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(tool)
    return Path(found) if found else None


def _find_javac(java: Path | None) -> Path | None:
    if java is not None:
        sibling = java.resolve().parent / "javac"
        if sibling.is_file() and os.access(sibling, os.X_OK):
            return sibling
    return _find_jdk_tool("javac")


def _real_kotlinc(launcher: Path, java: Path | None, javac: Path | None, reasons: list[str]) -> KotlinCompiler | None:
    if not (launcher.is_file() and os.access(launcher, os.X_OK)):
        reasons.append(f"{launcher} is not an executable file")
        return None
    home = launcher.resolve().parent.parent
    version = _kotlinc_version(launcher, home)
    if version is None:
        reasons.append(f"{launcher}: could not read its version (no build.txt, `kotlinc -version` failed)")
        return None
    parsed = _parse_version(version)
    if parsed is None or parsed[:2] < MIN_KOTLINC_VERSION:
        minimum = ".".join(map(str, MIN_KOTLINC_VERSION))
        reasons.append(f"{launcher} is Kotlin {version}, older than {minimum}; skipped")
        return None
    lib = home / "lib"
    stdlib = tuple(p for p in (lib / "kotlin-stdlib.jar", lib / "annotations-13.0.jar") if p.is_file())
    bundled = lib / "kotlinx-coroutines-core-jvm.jar"
    coroutines: Path | None = bundled if bundled.is_file() else None
    coroutines_version: str | None = None
    if coroutines is None:
        kernel = _kernel_jars()
        if kernel is not None and kernel.fat_jar is not None:
            coroutines, coroutines_version = _coroutines_from_fat_jar(kernel.fat_jar)
    return KotlinCompiler(
        kind="kotlinc",
        version=version,
        java=java,
        compiler_jar=None,
        kotlinc=launcher,
        stdlib=stdlib,
        coroutines=coroutines,
        javac=javac,
        stdlib_version=version,
        coroutines_version=coroutines_version,
    )


def _kotlinc_version(launcher: Path, home: Path) -> str | None:
    build_txt = home / "build.txt"
    if build_txt.is_file():
        text = build_txt.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            return text.split()[0]
    try:
        proc = subprocess.run([str(launcher), "-version"], capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"kotlinc-jvm\s+(\S+)", proc.stdout + proc.stderr)
    return match.group(1) if match else None


@dataclass(frozen=True)
class _KernelJars:
    fat_jar: Path | None
    stdlib: tuple[Path, ...]
    stdlib_version: str | None


def _kernel_distribution() -> importlib.metadata.Distribution | None:
    try:
        return importlib.metadata.distribution(KERNEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def _kernel_jars() -> _KernelJars | None:
    dist = _kernel_distribution()
    if dist is None:
        return None
    jars = sorted(Path(str(dist.locate_file(entry))) for entry in (dist.files or ()) if str(entry).endswith(".jar"))
    jars = [jar for jar in jars if jar.is_file()]
    fat_candidates = sorted(
        (jar for jar in jars if jar.name.endswith("-all.jar") and _jar_info(jar).has_compiler),
        key=lambda jar: jar.stat().st_size,
        reverse=True,
    )
    stdlib: list[Path] = []
    stdlib_version: str | None = None
    for jar in jars:
        match = re.fullmatch(r"kotlin-stdlib-(\d[\w.\-]*)\.jar", jar.name)
        if match and not re.search(r"-(jdk\d|common)", jar.name):
            stdlib.append(jar)
            stdlib_version = match.group(1)
    stdlib += [jar for jar in jars if re.fullmatch(r"annotations-13\.0\.jar", jar.name)]
    return _KernelJars(fat_candidates[0] if fat_candidates else None, tuple(stdlib), stdlib_version)


def _embedded_compiler(java: Path | None, javac: Path | None, reasons: list[str]) -> KotlinCompiler | None:
    kernel = _kernel_jars()
    if kernel is None:
        reasons.append(f"the PyPI wheel {KERNEL_DISTRIBUTION} is not installed in this Python ({sys.executable})")
        return None
    if kernel.fat_jar is None:
        reasons.append(f"{KERNEL_DISTRIBUTION} is installed but has no jar with {K2JVM_MAIN}")
        return None
    if not kernel.stdlib:
        reasons.append(f"{KERNEL_DISTRIBUTION} is installed but has no kotlin-stdlib jar")
        return None
    if java is None:
        reasons.append(
            f"{KERNEL_DISTRIBUTION} is installed but no `java` was found (set JAVA_HOME or put java on PATH)"
        )
        return None
    info = _jar_info(kernel.fat_jar)
    coroutines, coroutines_version = _coroutines_from_fat_jar(kernel.fat_jar)
    return KotlinCompiler(
        kind="embedded",
        version=info.compiler_version or "unknown",
        java=java,
        compiler_jar=kernel.fat_jar,
        kotlinc=None,
        stdlib=kernel.stdlib,
        coroutines=coroutines,
        javac=javac,
        stdlib_version=kernel.stdlib_version,
        coroutines_version=coroutines_version,
    )


@dataclass(frozen=True)
class _JarInfo:
    has_compiler: bool
    compiler_version: str | None
    coroutines_version: str | None


def _jar_info(jar: Path) -> _JarInfo:
    stat = jar.stat()
    return _jar_info_cached(str(jar), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _jar_info_cached(jar: str, size: int, mtime_ns: int) -> _JarInfo:
    try:
        with zipfile.ZipFile(jar) as zf:
            names = set(zf.namelist())
            compiler_version = _read_text(zf, "META-INF/compiler.version", names)
            coroutines_version = _read_text(zf, _COROUTINES_VERSION_FILE, names)
    except (OSError, zipfile.BadZipFile):
        return _JarInfo(False, None, None)
    has_compiler = K2JVM_MAIN.replace(".", "/") + ".class" in names
    return _JarInfo(has_compiler, compiler_version, coroutines_version)


def _read_text(zf: zipfile.ZipFile, name: str, names: set[str]) -> str | None:
    if name not in names:
        return None
    return zf.read(name).decode("utf-8", errors="replace").strip() or None


def _is_coroutines_entry(name: str) -> bool:
    if name.endswith("/"):
        return False
    return (
        name.startswith(("kotlinx/coroutines/", "_COROUTINE/"))
        or name in _COROUTINES_EXTRA
        or (name.startswith("META-INF/") and name.endswith("/coroutines.pro"))
    )


def _cache_dirs() -> list[Path]:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [Path(base) / "sdkgen" / "kotlin", Path(tempfile.gettempdir()) / f"sdkgen-{uid}" / "kotlin"]


def _coroutines_from_fat_jar(fat_jar: Path) -> tuple[Path | None, str | None]:
    stat = fat_jar.stat()
    return _coroutines_from_fat_jar_cached(str(fat_jar), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _coroutines_from_fat_jar_cached(fat_jar: str, size: int, mtime_ns: int) -> tuple[Path | None, str | None]:
    """Extract kotlinx-coroutines-core from the fat jar into a cached jar of its own (once per content)."""
    try:
        with zipfile.ZipFile(fat_jar) as src:
            entries: dict[str, zipfile.ZipInfo] = {}
            for info in src.infolist():
                if _is_coroutines_entry(info.filename) and info.filename not in entries:
                    entries[info.filename] = info
            if _COROUTINES_MODULE not in entries:
                return None, None
            version_info = entries.get(_COROUTINES_VERSION_FILE)
            version = src.read(version_info).decode().strip() if version_info else None
            digest = hashlib.sha256()
            for name in sorted(entries):
                digest.update(f"{name}\0{entries[name].CRC}\0{entries[name].file_size}\n".encode())
            jar_name = f"kotlinx-coroutines-core-jvm-{version or 'unknown'}-{digest.hexdigest()[:12]}.jar"
            for cache_dir in _cache_dirs():
                target = cache_dir / jar_name
                if target.is_file():
                    return target, version
                try:
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    _write_jar(src, entries, target, fat_jar)
                except OSError:
                    continue
                return target, version
    except (OSError, zipfile.BadZipFile):
        pass
    return None, None


def _write_jar(src: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], target: Path, origin: str) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as out:
            manifest = (
                "Manifest-Version: 1.0\r\n"
                "Created-By: sdkgen (extracted kotlinx-coroutines-core from "
                f"{Path(origin).name})\r\n\r\n"
            )
            out.writestr(_zip_info("META-INF/MANIFEST.MF"), manifest)
            for name in sorted(entries):
                out.writestr(_zip_info(name), src.read(entries[name]))
        Path(tmp_name).chmod(0o644)  # mkstemp made it 0600; the cache is shared like any other
        Path(tmp_name).replace(target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION_RE.search(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


# --------------------------------------------------------------------------------------------------
# compiling


def compile_kotlin(
    sources: Sequence[Path],
    out_dir: Path,
    classpath: Sequence[Path] = (),
    compiler: KotlinCompiler | None = None,
    timeout: float = 600,
    *,
    jvm_target: str = DEFAULT_JVM_TARGET,
    language_version: str | None = DEFAULT_LANGUAGE_VERSION,
    extra_args: Sequence[str] = (),
    compile_java: bool = True,
) -> KotlinCompileResult:
    """Compile ``sources`` (files or directories of ``.kt``/``.java``) into ``out_dir``.

    Raises ``ToolchainMissing`` when no compiler is found, and ``FileNotFoundError`` or ``ValueError`` for
    bad arguments. A failed compile is returned (``ok=False``), not raised.
    """
    if compiler is None:
        compiler = require_kotlin_compiler()
    source_paths = [Path(s) for s in sources]
    if not source_paths:
        raise ValueError("compile_kotlin: no sources given")
    missing = [str(p) for p in source_paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"compile_kotlin: source path(s) do not exist: {', '.join(missing)}")
    kotlin_files, java_files = _expand_sources(source_paths)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    user_cp = [Path(p) for p in classpath]
    full_cp = [*user_cp, *compiler.compile_classpath()]

    started = time.monotonic()
    diagnostics: list[str] = []
    command: list[str] = []
    returncode: int | None = 0
    ok = True
    timed_out = False

    if kotlin_files:
        command = [*compiler.launcher()]
        command += ["-no-stdlib", "-no-reflect"] if compiler.kind == "embedded" else ["-no-reflect"]
        command += ["-jvm-target", jvm_target, *compiler.language_version_args(language_version)]
        if full_cp:
            command += ["-cp", os.pathsep.join(str(p) for p in full_cp)]
        command += ["-d", str(out_dir), *extra_args, *(str(p) for p in source_paths)]
        returncode, output, timed_out = _run(command, timeout)
        diagnostics.append(output)
        ok = returncode == 0

    javac_command: list[str] | None = None
    if ok and compile_java and java_files:
        if compiler.javac is None:
            diagnostics.append(
                "note: Java sources were only resolved by kotlinc, not compiled: no javac found "
                f"(install a JDK: {install_command('openjdk-17-jdk-headless')})\n"
            )
        else:
            remaining = max(1.0, timeout - (time.monotonic() - started))
            javac_cp = [out_dir, *full_cp]
            javac_command = [
                str(compiler.javac),
                "-J-Xmx512m",
                "-encoding",
                "UTF-8",
                "--release",
                jvm_target.removeprefix("1."),
                "-proc:none",
                "-nowarn",
                "-implicit:none",
                "-cp",
                os.pathsep.join(str(p) for p in javac_cp),
                "-d",
                str(out_dir),
                *(str(p) for p in java_files),
            ]
            if not command:
                command = javac_command
            returncode, output, timed_out = _run(javac_command, remaining)
            diagnostics.append(output)
            ok = returncode == 0
    elif not kotlin_files and not java_files:
        ok = False
        returncode = None
        diagnostics.append("error: no .kt or .java files in " + ", ".join(str(p) for p in source_paths) + "\n")

    return KotlinCompileResult(
        ok=ok,
        diagnostics="".join(diagnostics),
        command=command,
        seconds=time.monotonic() - started,
        out_dir=out_dir,
        returncode=returncode,
        timed_out=timed_out,
        javac_command=javac_command,
        compiler=compiler,
    )


# --------------------------------------------------------------------------------------------------
# running JUnit 4 tests

#: Where Debian's ``junit4`` package (and its dependency ``libhamcrest-java``) puts the jars.
DEBIAN_JUNIT_JARS = (Path("/usr/share/java/junit4.jar"), Path("/usr/share/java/hamcrest-core.jar"))
JUNIT_MISSING = f"JUnit 4 jar not found ({install_command('junit4')})"


@dataclass(frozen=True)
class JUnitResult:
    """What one ``run_junit`` call did: ``output`` is JUnitCore's (the tests' stdout, then the failures)."""

    ok: bool
    output: str
    command: list[str]
    seconds: float
    returncode: int | None = None
    timed_out: bool = False

    @property
    def failures(self) -> list[str]:
        """The message line of each failed test (the line after JUnitCore's ``N) test(Class)`` header)."""
        lines = self.output.splitlines()
        return [lines[i + 1] for i, line in enumerate(lines[:-1]) if re.match(r"^\d+\) \S", line)]


def find_junit() -> tuple[Path, ...] | None:
    """The JUnit 4 and hamcrest jars: ``$JUNIT_CLASSPATH`` (paths separated by ``os.pathsep``) when set, else
    Debian's ``junit4`` package; ``None`` when a jar is missing. Never raises."""
    env = os.environ.get("JUNIT_CLASSPATH")
    jars = tuple(Path(p) for p in env.split(os.pathsep) if p) if env else DEBIAN_JUNIT_JARS
    return jars if jars and all(p.is_file() for p in jars) else None


def run_junit(
    classpath: Sequence[Path],
    test_classes: Sequence[str],
    *,
    compiler: KotlinCompiler,
    junit: Sequence[Path],
    cwd: Path,
    timeout: float = 600,
    jvm_args: Sequence[str] = (),
) -> JUnitResult:
    """Run the JUnit 4 ``test_classes`` (fully qualified names) with ``org.junit.runner.JUnitCore`` in ``cwd``.

    The runtime classpath is ``classpath`` (compiled classes and resource folders), ``junit`` and what
    ``compiler`` puts on every compile classpath (kotlin-stdlib, kotlinx-coroutines); ``jvm_args`` (e.g.
    ``-Dname=value``) go before the main class. ``ok`` is ``True`` when every test passed. Raises
    ``ToolchainMissing`` when no ``java`` is found.
    """
    java = compiler.java or _find_jdk_tool("java")
    if java is None:
        raise ToolchainMissing("no `java` found to run JUnit tests", hint="set JAVA_HOME or put java on PATH")
    cp = [*classpath, *junit, *compiler.compile_classpath()]
    command = [
        str(java),
        *compiler.jvm_options,
        *jvm_args,
        "-cp",
        os.pathsep.join(str(p) for p in cp),
        "org.junit.runner.JUnitCore",
        *test_classes,
    ]
    started = time.monotonic()
    returncode, output, timed_out = _run(command, timeout, cwd=cwd)
    return JUnitResult(returncode == 0, output, command, time.monotonic() - started, returncode, timed_out)


def _expand_sources(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    kotlin: list[Path] = []
    java: list[Path] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix in (".kt", ".kts"):
                kotlin.append(file)
            elif file.suffix == ".java":
                java.append(file)
    return kotlin, java


def _run(command: list[str], timeout: float, cwd: Path | None = None) -> tuple[int | None, str, bool]:
    """Run ``command`` in its own process group; return (exit code or None on timeout, output, timed out)."""
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        text = out.decode("utf-8", errors="replace")
        return None, text + f"\nerror: timed out after {timeout:.0f} s: {command[0]}\n", True
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    return proc.returncode, out.decode("utf-8", errors="replace"), False


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
