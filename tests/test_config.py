"""sdkgen.toml validation: every bad input names the key, the value, the valid choices and a hint."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sdkgen.config import load_config, parse_config
from sdkgen.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
BASE: dict[str, Any] = {
    "model": {"source": "model"},
    "android": {"package": "com.example.app"},
    "ios": {"module": "App"},
}


def _err(mutate: Any) -> ConfigError:
    raw = copy.deepcopy(BASE)
    mutate(raw)
    with pytest.raises(ConfigError) as e:
        parse_config(raw, root=Path())
    return e.value


def test_sample_config_is_valid() -> None:
    cfg = load_config(ROOT / "samples" / "tiny-llm")
    assert cfg.name == "tiny-llm"
    assert cfg.targets == ["executorch:xnnpack", "executorch:coreml", "litert:cpu", "coreml:ane"]
    assert [cfg.recipe_for(t) for t in cfg.targets] == ["8da4w", "none", "none", "none"]
    assert cfg.model_source == (ROOT / "samples" / "tiny-llm" / "model").resolve()


def _text_generation(**compress: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw["targets"] = ["executorch:xnnpack", "litert:cpu", "coreml:ane"]
    raw["compress"] = {"recipe": "8da4w", **compress}
    raw["ios"]["minimum_ios"] = "18.0"
    return raw


def test_per_target_recipes() -> None:
    with pytest.raises(ConfigError, match=r"cannot express recipe '8da4w'") as e:
        parse_config(_text_generation(), root=Path())
    assert 'compress.targets = { "coreml:ane" = "none" }' in (e.value.hint or "")
    with pytest.raises(ConfigError, match=r"names \['vulkan:x'\], which are not in `targets`"):
        parse_config(_text_generation(targets={"vulkan:x": "none"}), root=Path())
    with pytest.raises(ConfigError, match="which lowers the build's compressed model"):
        parse_config(_text_generation(targets={"executorch:xnnpack": "none"}), root=Path())
    ok = _text_generation(targets={"litert:cpu": "none", "coreml:ane": "none"})
    assert parse_config(ok, root=Path()).recipe_for("coreml:ane") == "none"


def test_core_ml_text_generation_needs_ios_18() -> None:
    raw = _text_generation(targets={"litert:cpu": "none", "coreml:ane": "none"})
    raw["ios"]["minimum_ios"] = "17.0"
    with pytest.raises(ConfigError, match="for task 'text-generation'") as e:
        parse_config(raw, root=Path())
    assert e.value.hint == 'set ios.minimum_ios = "18.0" or higher'
    # Left unset, the minimum is not a conflict: the generated Package.swift raises it (sdkgen.sdk.ios.platforms).
    del raw["ios"]["minimum_ios"]
    assert parse_config(raw, root=Path()).ios.minimum_ios == "17.0"


def test_prefill_longer_than_the_cache_is_refused() -> None:
    e = _err(lambda r: r.update(export={"max_seq_len": 64, "prefill_len": 65}))
    assert "export.prefill_len = 65 exceeds export.max_seq_len = 64" in e.message


def test_defaults() -> None:
    cfg = parse_config(copy.deepcopy(BASE), root=Path("/x/my-model"))
    assert cfg.name == "my-model"
    assert cfg.compress.recipe == "8da4w" and cfg.compress.group_size == 32


def test_unknown_key_suggests_the_right_one() -> None:
    e = _err(lambda r: r["model"].update(sorce="m"))
    assert "model.sorce" in e.message
    assert e.choices == ["labels", "name", "source", "task"]
    assert e.hint == "did you mean 'source'?"


def test_wrong_type_names_key_value_and_expected_type() -> None:
    e = _err(lambda r: r["android"].update(min_sdk="24"))
    assert "android.min_sdk" in e.message and "'24'" in e.message
    assert e.hint is not None and "whole number" in e.hint


def test_unknown_target_lists_targets() -> None:
    e = _err(lambda r: r.update(targets=["executorch:xnnpak"]))
    assert "executorch:xnnpak" in e.message
    assert e.choices is not None and "executorch:xnnpack" in e.choices
    assert e.hint


def test_unknown_recipe_lists_recipes() -> None:
    e = _err(lambda r: r.update(compress={"recipe": "int3"}))
    assert "compress.recipe" in e.message and "'int3'" in e.message
    assert e.choices == ["8da4w", "8da8w", "fp16", "int4", "int8", "none", "palettize", "static-int8"]


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda r: r["android"].update(min_sdk=21), ["android.min_sdk", "23"]),
        (lambda r: r["ios"].update(minimum_ios="16.0"), ["ios.minimum_ios", "17.0"]),
    ],
)
def test_impossible_combination(mutate: Any, words: list[str]) -> None:
    e = _err(mutate)
    for w in words:
        assert w in str(e)
    assert e.hint and "set " in e.hint


def test_missing_section() -> None:
    e = _err(lambda r: r.pop("ios"))
    assert "'ios'" in e.message and e.hint


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("android", "package", "Com.Example"),
        ("android", "package", "com.example.fun"),
        ("ios", "module", "my module"),
        ("ios", "module", "class"),  # `import class` does not parse
        ("ios", "module", "Foundation"),  # would shadow the module every generated file imports
        ("compress", "group_size", 48),
    ],
)
def test_invalid_values(section: str, key: str, value: Any) -> None:
    e = _err(lambda r: r.setdefault(section, {}).update({key: value}))
    assert f"{section}.{key}" in e.message and repr(value) in e.message and e.hint


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "sdkgen.toml").write_text("[model\nsource = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="not found") as e:
        load_config(tmp_path / "nope")
    assert e.value.hint


def test_litert_text_generation_refuses_other_families_before_any_work(tmp_path: Path) -> None:
    from sdkgen.pipeline import build
    from tests.models.tiny import make_checkpoint

    raw = copy.deepcopy(BASE)
    raw.update(targets=["executorch:xnnpack", "litert:cpu"], compress={"recipe": "none"})
    raw["model"]["source"] = str(make_checkpoint("qwen2", tmp_path / "qwen2"))
    with pytest.raises(ConfigError, match="converts text generation for LlamaForCausalLM, not Qwen2ForCausalLM") as e:
        build(parse_config(raw, root=tmp_path), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    assert e.value.choices == ["LlamaForCausalLM"]
    assert not (tmp_path / "cache").exists()


def test_with_targets_drops_the_settings_of_the_targets_left_out() -> None:
    """`sdkgen build --targets` on a sample whose compress.targets and sweep.targets name other targets."""
    config = load_config(ROOT / "samples" / "tiny-llm")
    assert set(config.compress.targets) and "litert:cpu" in config.sweep.targets  # type: ignore[union-attr]
    only = config.with_targets(["executorch:xnnpack"])
    assert only.targets == ["executorch:xnnpack"] and only.compress.targets == {}
    assert only.sweep is not None and only.sweep.targets == ["executorch:xnnpack"]
    kept = config.with_targets(["litert:cpu", "executorch:xnnpack"])
    assert kept.compress.targets == {"litert:cpu": config.compress.targets["litert:cpu"]}
    with pytest.raises(ConfigError, match="executorch:xnnpak"):
        config.with_targets(["executorch:xnnpak"])
