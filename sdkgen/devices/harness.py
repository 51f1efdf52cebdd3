"""The Gradle project ``sdkgen test android`` builds the instrumented tests with.

A generated Android library (``<build>/android``) is a Gradle module whose ``src/androidTest`` holds the
golden tests. The harness is a root project in a folder of its own (``templates/devices/android``): its
settings declare the Android and Kotlin plugin versions the library was generated for and include the
library as ``:sdk`` by its folder (``projectDir``, the one absolute path in the harness), and its build file
moves the library's build output under the harness, so the build folder is only read. ``gradle -p HARNESS
:sdk:assembleDebugAndroidTest`` then writes the library's self-instrumenting test APK (the tests and the
library in one package, ``<namespace>.test``) to ``build/sdk/outputs/apk/androidTest/debug/
sdk-debug-androidTest.apk``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sdkgen.errors import ConfigError

MODULE = "sdk"
TASK = f":{MODULE}:assembleDebugAndroidTest"
DEFAULT_RUNNER = "androidx.test.runner.AndroidJUnitRunner"
_DEFAULT_PROPERTIES = ("android.useAndroidX=true",)


@dataclass(frozen=True)
class Module:
    """What the harness needs to know of a generated library: read from its Gradle files."""

    folder: Path
    name: str
    namespace: str
    runner: str
    agp_version: str
    kotlin_version: str
    properties: tuple[str, ...]
    tests: tuple[Path, ...]

    @property
    def test_package(self) -> str:
        """The test APK's package: AGP names a library's instrumented-test application ``<namespace>.test``."""
        return f"{self.namespace}.test"


@dataclass(frozen=True)
class Harness:
    folder: Path
    module: Module

    @property
    def apk(self) -> Path:
        return (
            self.folder
            / "build"
            / MODULE
            / "outputs"
            / "apk"
            / "androidTest"
            / "debug"
            / f"{MODULE}-debug-androidTest.apk"
        )


def read_module(folder: Path) -> Module:
    """The library in ``folder``; :class:`ConfigError` when it is not a generated Android library or has no
    instrumented tests."""
    # The SDK generator is imported here, not at the top: `sdkgen --help` builds every subcommand's parser.
    from sdkgen.sdk.android import AGP_VERSION, KOTLIN_VERSION

    build = folder / "build.gradle.kts"
    if not build.is_file():
        raise ConfigError(
            f"{str(folder)!r} has no build.gradle.kts: not a generated Android library",
            hint="pass the folder `sdkgen build` wrote (it holds android/ and report.json)",
        )
    text = build.read_text(encoding="utf-8")
    namespace = _find(r'^\s*namespace\s*=\s*"([^"]+)"', text)
    if namespace is None:
        raise ConfigError(f"{build} sets no android.namespace", hint="rebuild the SDK with `sdkgen build`")
    settings = folder / "settings.gradle.kts"
    stext = settings.read_text(encoding="utf-8") if settings.is_file() else ""
    props = folder / "gradle.properties"
    properties = tuple(
        ln.strip()
        for ln in (props.read_text(encoding="utf-8").splitlines() if props.is_file() else _DEFAULT_PROPERTIES)
        if ln.strip() and not ln.lstrip().startswith("#")
    )
    tests = tuple(sorted(p for p in (folder / "src" / "androidTest").rglob("*.kt") if "@Test" in p.read_text("utf-8")))
    if not tests:
        raise ConfigError(
            f"the Android library in {str(folder)!r} has no instrumented tests (src/androidTest/**/*.kt with @Test)",
            hint="rebuild with a current sdkgen: it generates the golden tests under src/androidTest",
        )
    return Module(
        folder=folder.resolve(),
        name=_find(r'^\s*rootProject\.name\s*=\s*"([^"]+)"', stext) or folder.resolve().parent.name,
        namespace=namespace,
        runner=_find(r'testInstrumentationRunner\s*=\s*"([^"]+)"', text) or DEFAULT_RUNNER,
        agp_version=_find(r'id\("com\.android\.library"\)\s+version\s+"([^"]+)"', stext) or AGP_VERSION,
        kotlin_version=_find(r'id\("org\.jetbrains\.kotlin\.android"\)\s+version\s+"([^"]+)"', stext) or KOTLIN_VERSION,
        properties=properties,
        tests=tests,
    )


def render(module: Module, out: Path) -> Harness:
    """Write the harness project for ``module`` into ``out`` (deterministic: same module, same bytes)."""
    from sdkgen.sdk.android import naming
    from sdkgen.sdk.common import GENERATOR
    from sdkgen.sdk.render import TEMPLATES_ROOT, render_tree

    lit = naming.string_literal
    view = {
        "sdkgen_version": GENERATOR.split()[1],
        "title": naming.doc_text(module.name),
        "root_name": lit(f"{module.name}-device-tests"),
        "module": MODULE,
        "module_dir": lit(module.folder.as_posix()),
        "agp_version": lit(module.agp_version),
        "kotlin_version": lit(module.kotlin_version),
        "properties": list(module.properties),
    }
    render_tree([TEMPLATES_ROOT / "devices" / "android"], view, out)
    return Harness(out, module)


def _find(pattern: str, text: str) -> str | None:
    m = re.search(pattern, text, re.MULTILINE)
    return m.group(1) if m else None
