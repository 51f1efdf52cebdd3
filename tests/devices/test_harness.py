"""The Gradle harness ``sdkgen test android`` builds the instrumented tests with, rendered for a generated
library: it includes the library by its folder, declares the plugin versions the library was generated
for, is deterministic, and carries no host path except the library's folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sdkgen.devices import harness
from sdkgen.sdk import android
from tests.conftest import fake_files, load_spec


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> harness.Module:
    root = tmp_path_factory.mktemp("lib")
    spec = load_spec("minilm-embedder")
    android.generate(spec, fake_files(spec, root / "files"), root / "build" / "android")
    return harness.read_module(root / "build" / "android")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_settings_include_the_generated_library_by_its_folder(module: harness.Module, tmp_path: Path) -> None:
    h = harness.render(module, tmp_path / "h")
    settings = (h.folder / "settings.gradle.kts").read_text(encoding="utf-8")
    assert 'include(":sdk")' in settings
    assert f'project(":sdk").projectDir = file("{module.folder.as_posix()}")' in settings
    # The plugin versions are the ones the library's own settings declare.
    own = (module.folder / "settings.gradle.kts").read_text(encoding="utf-8")
    for plugin in ("com.android.library", "org.jetbrains.kotlin.android"):
        version = re.search(rf'id\("{re.escape(plugin)}"\) version "([^"]+)"', own)
        assert version is not None
        assert f'id("{plugin}") version "{version.group(1)}"' in settings
    build = (h.folder / "build.gradle.kts").read_text(encoding="utf-8")
    assert "layout.buildDirectory.set(rootProject.layout.buildDirectory.dir(name))" in build
    props = (h.folder / "gradle.properties").read_text(encoding="utf-8")
    assert "android.useAndroidX=true" in props
    assert h.apk == h.folder / "build/sdk/outputs/apk/androidTest/debug/sdk-debug-androidTest.apk"
    assert module.test_package == module.namespace + ".test"
    assert module.runner == "androidx.test.runner.AndroidJUnitRunner"


def test_rendering_is_deterministic_and_leaks_no_host_path(module: harness.Module, tmp_path: Path) -> None:
    a = _tree(harness.render(module, tmp_path / "a").folder)
    b = _tree(harness.render(module, tmp_path / "b").folder)
    assert a == b
    assert sorted(a) == ["build.gradle.kts", "gradle.properties", "settings.gradle.kts"]
    host_paths = {str(tmp_path), str(Path.home()), str(module.folder.parent)}
    for name, data in a.items():
        for line in data.decode("utf-8").splitlines():
            if line.startswith('project(":sdk").projectDir'):
                continue
            assert not any(p in line for p in host_paths), f"{name}: {line}"


def test_a_library_without_instrumented_tests_is_refused(module: harness.Module, tmp_path: Path) -> None:
    lib = tmp_path / "android"
    lib.mkdir()
    (lib / "build.gradle.kts").write_text((module.folder / "build.gradle.kts").read_text(encoding="utf-8"))
    with pytest.raises(harness.ConfigError, match="no instrumented tests"):
        harness.read_module(lib)
