"""The build's ``check`` stage: compile what can be compiled on this machine, honestly labelled.

The platform-neutral core of each SDK is compiled for real (Kotlin on the JVM, Swift on Linux). The
runtime bindings need the Android SDK and Gradle, or Xcode, and the runtimes' binary packages; they are
reported as not executed here, with the reason (the test suite compiles them against signature-faithful
stubs, which are not shipped).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sdkgen.verify import Check


def checker_key(platform: str) -> str:
    """Identifies the compiler a check result depends on (part of the check stage's cache key)."""
    if platform == "android":
        from sdkgen.check.kotlin import find_kotlin_compiler

        kc = find_kotlin_compiler()
        return f"kotlin {kc.version}" if kc else "no kotlin"
    from sdkgen.check.swift import find_swift

    sw = find_swift()
    return f"swift {sw.version}" if sw else "no swift"


def check_core(platform: str, sdk: Path, core: list[Path], work: Path) -> list[Check]:
    work.mkdir(parents=True, exist_ok=True)
    if platform == "android":
        checks = [_kotlin_core(sdk, core, work)]
        binding = "Gradle and the Android SDK (ANDROID_HOME) are needed to build the AAR"
    else:
        checks = [_swift_core(sdk, core, work)]
        binding = "Xcode on macOS and the ExecuTorch binary Swift package are needed to build for iOS"
    if (platform == "android" and shutil.which("gradle")) or (platform == "ios" and shutil.which("xcodebuild")):
        binding = "toolchain present but building the bindings from the build step is not implemented yet"
    checks.append(Check(f"{platform}-binding-build", "not_executed", f"not executed here: {binding}"))
    return checks


def _kotlin_core(sdk: Path, core: list[Path], work: Path) -> Check:
    from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler

    compiler = find_kotlin_compiler()
    if compiler is None:
        return Check(
            "kotlin-core-compile",
            "not_executed",
            "not executed here: no Kotlin compiler (pip install 'sdkgen[check]' or install kotlinc)",
        )
    sources = [sdk / p for p in core if p.suffix == ".kt"]
    result = compile_kotlin(sources, work / "classes", compiler=compiler)
    return Check(
        "kotlin-core-compile",
        "passed" if result.ok else "failed",
        f"{len(sources)} Kotlin core files compiled with Kotlin {compiler.version} in {result.seconds:.1f}s"
        if result.ok
        else f"Kotlin core failed to compile:\n{result.diagnostics[-4000:]}",
        {"files": [p.as_posix() for p in core if p.suffix == ".kt"]},
    )


def _swift_core(sdk: Path, core: list[Path], work: Path) -> Check:
    from sdkgen.check.swift import build_swift_package, find_swift

    swift = find_swift()
    if swift is None:
        return Check("swift-core-build", "not_executed", "not executed here: no Swift toolchain")
    pkg = work / "core"
    src = pkg / "Sources" / "Core"
    src.mkdir(parents=True)
    files = [p for p in core if p.suffix == ".swift"]
    for p in files:
        shutil.copyfile(sdk / p, src / p.name)
    (pkg / "Package.swift").write_text(
        "// swift-tools-version:5.9\nimport PackageDescription\n"
        'let package = Package(name: "Core", targets: [.target(name: "Core")])\n'
    )
    result = build_swift_package(pkg, build_tests=False, scratch_dir=work / "scratch")
    return Check(
        "swift-core-build",
        "passed" if result.ok else "failed",
        f"{len(files)} Swift core files built with Swift {swift.version} in {result.seconds:.1f}s"
        if result.ok
        else f"Swift core failed to build:\n{result.output[-4000:]}",
        {"files": [p.as_posix() for p in files]},
    )
