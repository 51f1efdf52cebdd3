"""``Package.swift`` platforms are derived from what the package ships (:mod:`sdkgen.sdk.ios.platforms`): the
highest of ``ios.minimum_ios`` and each artifact's need for its task and recipe (the runtimes' own
``TargetInfo`` data), with macOS the same SDK year, and a comment saying why."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sdkgen.errors import ConfigError
from sdkgen.runtimes import TARGETS
from sdkgen.sdk import ios
from sdkgen.sdk.common import engines_for
from sdkgen.sdk.ios.platforms import derive, macos_for
from sdkgen.spec import ModelSpec
from tests.conftest import fake_files, load_spec


def _with(spec: ModelSpec, minimum_ios: str, recipe: str | None = None) -> ModelSpec:
    artifacts = spec.artifacts
    if recipe is not None:
        artifacts = tuple(dataclasses.replace(a, recipe=recipe) for a in artifacts)
    return dataclasses.replace(spec, ios=dataclasses.replace(spec.ios, minimum_ios=minimum_ios), artifacts=artifacts)


def _manifest(spec: ModelSpec, tmp_path: Path) -> str:
    ios.generate(spec, fake_files(spec, tmp_path / "files"), tmp_path / "sdk")
    return (tmp_path / "sdk" / "Package.swift").read_text(encoding="utf-8")


def test_macos_is_the_same_sdk_year() -> None:
    assert [macos_for(v) for v in ("17.0", "17.4", "18.0", "18.2", "26.0", "26.1")] == [
        "14.0",
        "14.4",
        "15.0",
        "15.2",
        "26.0",
        "26.1",
    ]
    with pytest.raises(ConfigError, match="no macOS counterpart"):
        macos_for("21.0")


def test_core_ml_text_generation_raises_the_minimum(tmp_path: Path) -> None:
    spec = _with(load_spec("tiny-llm-all"), "17.0")
    needed = max(
        (info.min_ios_for(spec.task, a.recipe) for a, info in engines_for(spec, "ios")),
        key=lambda v: tuple(map(int, v.split("."))),
    )
    assert needed == TARGETS.get("coreml:ane").min_ios_by_task["text-generation"]
    p = derive(spec, engines_for(spec, "ios"))
    assert (p.ios, p.macos) == (needed, macos_for(needed))
    assert "coreml:ane" in p.reason and "above ios.minimum_ios = 17.0" in p.reason
    manifest = _manifest(spec, tmp_path)
    assert f'    // {p.reason}\n    platforms: [.iOS("{needed}"), .macOS("{macos_for(needed)}")],\n' in manifest


def test_int4_recipe_raises_the_minimum() -> None:
    spec = _with(load_spec("tensor-coreml-ane"), "17.0", recipe="int4")
    (artifact, info), *_ = engines_for(spec, "ios")
    assert info.min_ios_by_recipe.get("int4"), "the fixture's target should need a newer iOS for int4"
    p = derive(spec, engines_for(spec, "ios"))
    assert p.ios == info.min_ios_by_recipe["int4"] and f"{artifact.target} (int4)" in p.reason
    plain = _with(spec, "17.0", recipe="none")
    assert derive(plain, engines_for(plain, "ios")).ios == "17.0"


def test_a_higher_config_minimum_wins(tmp_path: Path) -> None:
    spec = _with(load_spec("digits-classifier"), "18.2")
    p = derive(spec, engines_for(spec, "ios"))
    assert (p.ios, p.macos) == ("18.2", "15.2") and "ios.minimum_ios in sdkgen.toml" in p.reason
    assert '.iOS("18.2"), .macOS("15.2")' in _manifest(spec, tmp_path)
