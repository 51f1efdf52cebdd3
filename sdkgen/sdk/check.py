"""The build's ``check`` stage: compile and test what can be on this machine, honestly labelled.

The platform-neutral core of each SDK is compiled for real (Kotlin on the JVM, Swift on Linux), and its unit
tests run against the golden vectors the SDK ships (``kotlin-core-tests``: JUnit 4 with ``JUnitCore``;
``swift-core-tests``: ``swift test --filter <Module>CoreTests`` in a package of the core alone, so no model
runtime is needed). Each is ``passed`` (with the parity of every vector file), ``failed`` (with the first
mismatch or the compiler's errors) or ``not_executed`` (with the reason).

Building the bindings into an AAR or a framework needs the Android SDK and Gradle, or Xcode
(``*-binding-build``: not executed here, with the reason). The Android bindings and the library's device tests
do run here (``android-binding-run``, :mod:`sdkgen.hostrun.android`): on the JVM, over the real runtimes,
through host stand-ins of the runtime classes; so do the iOS bindings and the package's device tests
(``ios-binding-run``, :mod:`sdkgen.hostrun.ios`): ``swift test`` on Linux over a host stand-in of the ExecuTorch
Swift package.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from sdkgen.verify import Check


def checker_key(platform: str) -> str:
    """Identifies what a check result depends on (part of the check stage's cache key): the compiler, the host
    stand-ins and bridge, and whether the host run is skipped."""
    from sdkgen.hostrun import SKIP_ENV, sources_digest

    hostrun = f"; hostrun {sources_digest()}" + (" (skipped)" if os.environ.get(SKIP_ENV) else "")
    if platform == "android":
        from sdkgen.check.kotlin import find_kotlin_compiler

        kc = find_kotlin_compiler()
        return (f"kotlin {kc.version}" if kc else "no kotlin") + hostrun
    from sdkgen.check.swift import find_swift

    sw = find_swift()
    return (f"swift {sw.version}" if sw else "no swift") + hostrun


def check_core(
    platform: str, sdk: Path, core: list[Path], work: Path, backends: list[tuple[str, str]] | None = None
) -> list[Check]:
    """The checks of one generated SDK in ``sdk``; ``core`` lists its core files (sources, unit tests, golden
    vectors) relative to ``sdk``; ``work`` is scratch space; ``backends`` lists the SDK's ``(backend case,
    target)`` pairs in config order (the host runs execute those this host can run)."""
    work.mkdir(parents=True, exist_ok=True)
    if platform == "android":
        checks = _kotlin_core(sdk, core, work)
        binding = "Gradle and the Android SDK (ANDROID_HOME) are needed to build the AAR"
    else:
        checks = _swift_core(sdk, core, work)
        binding = "Xcode on macOS and the ExecuTorch binary Swift package are needed to build for iOS"
    if (platform == "android" and shutil.which("gradle")) or (platform == "ios" and shutil.which("xcodebuild")):
        binding = "toolchain present but building the bindings from the build step is not implemented yet"
    checks.append(Check(f"{platform}-binding-build", "not_executed", f"not executed here: {binding}"))
    if platform == "android":
        from sdkgen.hostrun import android

        checks.append(android.run(sdk, _kotlin_package(sdk), work / "hostrun", android.host_backends(backends or [])))
    else:
        from sdkgen.hostrun import ios

        checks.append(ios.run(sdk, work / "hostrun", ios.host_backends(backends or [])))
    return checks


def _kotlin_package(sdk: Path) -> str:
    """The library's Kotlin package, from the first main source's ``package`` line."""
    for source in sorted((sdk / "src/main/kotlin").rglob("*.kt")):
        m = re.search(r"^package\s+([\w.]+)", source.read_text(encoding="utf-8"), re.M)
        if m:
            return m.group(1)
    return ""


def _parity(output: str) -> str:
    """The tests' ``golden <file>: n/m match`` lines, joined."""
    lines = dict.fromkeys(m.group(0) for m in re.finditer(r"golden \S+: \d+/\d+ match", output))
    return "; ".join(lines) or "no parity lines printed"


def _first_mismatch(output: str) -> str:
    m = re.search(r"golden mismatch in [^\n]*", output)
    return m.group(0)[:2000] if m else output[-4000:]


def _kotlin_core(sdk: Path, core: list[Path], work: Path) -> list[Check]:
    from sdkgen.check.kotlin import JUNIT_MISSING, compile_kotlin, find_junit, find_kotlin_compiler, run_junit

    compiler = find_kotlin_compiler()
    if compiler is None:
        reason = "not executed here: no Kotlin compiler (pip install 'sdkgen[check]' or install kotlinc)"
        return [
            Check("kotlin-core-compile", "not_executed", reason),
            Check("kotlin-core-tests", "not_executed", reason),
        ]
    main = [p for p in core if p.suffix == ".kt" and p.parts[:2] == ("src", "main")]
    tests = [p for p in core if p.suffix == ".kt" and p.parts[:2] == ("src", "test")]
    junit = find_junit() if tests else None
    classes = work / "classes"
    # One compiler run for the core and its tests (a second JVM start costs seconds); only when that fails is the
    # core compiled alone, to tell whose error it is.
    both = compile_kotlin([sdk / p for p in main + tests], classes, junit or (), compiler=compiler) if junit else None
    result = (
        both if both is not None and both.ok else compile_kotlin([sdk / p for p in main], classes, compiler=compiler)
    )
    compiled = Check(
        "kotlin-core-compile",
        "passed" if result.ok else "failed",
        f"{len(main)} Kotlin core files compiled with Kotlin {compiler.version} in {result.seconds:.1f}s"
        + (f" (with {len(tests)} test files)" if result is both else "")
        if result.ok
        else f"Kotlin core failed to compile:\n{result.diagnostics[-4000:]}",
        {"files": [p.as_posix() for p in main]},
    )
    if not tests:
        return [compiled, Check("kotlin-core-tests", "not_executed", "not executed: this SDK's core has no unit tests")]
    if not result.ok:
        return [compiled, Check("kotlin-core-tests", "not_executed", "not executed: the core did not compile")]
    if junit is None or both is None:
        return [compiled, Check("kotlin-core-tests", "not_executed", f"not executed: {JUNIT_MISSING}")]
    if not both.ok:
        return [
            compiled,
            Check("kotlin-core-tests", "failed", f"core tests failed to compile:\n{both.diagnostics[-4000:]}"),
        ]
    names = sorted(
        ".".join(c.relative_to(classes).with_suffix("").parts)
        for c in classes.rglob("*Test.class")
        if "$" not in c.name and (sdk / "src/test/kotlin" / c.relative_to(classes).with_suffix(".kt")).is_file()
    )
    run = run_junit([classes, sdk / "src/test/resources"], names, compiler=compiler, junit=junit, cwd=sdk)
    tested = Check(
        "kotlin-core-tests",
        "passed" if run.ok else "failed",
        f"{len(names)} JUnit classes passed in {run.seconds:.1f}s: {_parity(run.output)}"
        if run.ok
        else f"core tests failed: {_first_mismatch(run.output)}",
        {"tests": names, "files": [p.as_posix() for p in tests]},
    )
    return [compiled, tested]


def _swift_core(sdk: Path, core: list[Path], work: Path) -> list[Check]:
    from sdkgen.check.swift import build_swift_package, find_swift

    swift = find_swift()
    if swift is None:
        reason = "not executed here: no Swift toolchain"
        return [Check("swift-core-build", "not_executed", reason), Check("swift-core-tests", "not_executed", reason)]
    files = [p for p in core if p.suffix == ".swift" and p.parts[0] == "Sources"]
    tests = [p for p in core if p.parts[0] == "Tests"]
    module = files[0].parts[1] if files else "Core"
    # A package of the core alone (no model runtime), laid out like the SDK: the tests read the shipped
    # tokenizer from Sources/<module>/Resources next to them.
    pkg = work / "core"
    src = pkg / "Sources" / module
    src.mkdir(parents=True)
    for p in files:
        shutil.copyfile(sdk / p, src / p.name)
    for p in tests:
        (pkg / p).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sdk / p, pkg / p)
    resources = sdk / "Sources" / module / "Resources"
    exclude = ""
    if tests and resources.is_dir():
        (src / "Resources").symlink_to(resources.resolve(), target_is_directory=True)
        exclude = ', exclude: ["Resources"]'
    suite = f"{module}CoreTests"
    test_target = (
        f'.testTarget(name: "{suite}", dependencies: ["{module}"], resources: [.copy("Golden")])' if tests else ""
    )
    (pkg / "Package.swift").write_text(
        "// swift-tools-version:5.9\nimport PackageDescription\n"
        f'let package = Package(name: "Core", targets: [.target(name: "{module}"{exclude}), {test_target}])\n'
    )
    # One SwiftPM run builds the core and its tests and runs them; only when the build fails is the core built
    # alone, to tell whose error it is.
    run = (
        build_swift_package(pkg, build_tests=True, run_tests=True, test_filter=suite, scratch_dir=work / "scratch")
        if tests
        else None
    )
    ran_tests = run is not None and any(c[1:2] == ("test",) for c in run.commands)
    result = (
        run
        if run is not None and ran_tests
        else build_swift_package(pkg, build_tests=False, scratch_dir=work / "scratch")
    )
    built = Check(
        "swift-core-build",
        "passed" if result.ok or ran_tests else "failed",
        f"{len(files)} Swift core files built with Swift {swift.version}"
        + (
            f" (with the core tests, which then ran) in {result.seconds:.1f}s"
            if ran_tests
            else f" in {result.seconds:.1f}s"
        )
        if result.ok or ran_tests
        else f"Swift core failed to build:\n{result.output[-4000:]}",
        {"files": [p.as_posix() for p in files]},
    )
    if run is None:
        return [built, Check("swift-core-tests", "not_executed", "not executed: this SDK's core has no unit tests")]
    if not (result.ok or ran_tests):
        return [built, Check("swift-core-tests", "not_executed", "not executed: the core did not build")]
    tested = Check(
        "swift-core-tests",
        "passed" if run.ok else "failed",
        f"swift test --filter {suite} passed: {_parity(run.output)}"
        if run.ok
        else f"core tests failed: {_first_mismatch(run.output)}"
        if ran_tests
        else f"core tests failed to build:\n{run.output[-4000:]}",
        {"files": [p.as_posix() for p in tests if p.suffix == ".swift"]},
    )
    return [built, tested]
