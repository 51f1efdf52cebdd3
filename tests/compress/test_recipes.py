"""Compression recipes in sdkgen.toml: what each runtime can express, what each recipe needs, and the
clear error for every combination that cannot be built."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from sdkgen.config import parse_config
from sdkgen.errors import ConfigError
from sdkgen.runtimes import TARGETS

BASE: dict[str, Any] = {
    "targets": ["executorch:xnnpack", "litert:cpu"],
    "model": {"source": "model"},
    "compress": {"recipe": "8da4w", "targets": {"litert:cpu": "none"}},
    "android": {"package": "com.example.app"},
    "ios": {"module": "App"},
}


def _parse(**changes: Any) -> Any:
    raw = copy.deepcopy(BASE)
    for section, value in changes.items():
        if isinstance(value, dict) and isinstance(raw.get(section), dict):
            raw[section].update(value)
        else:
            raw[section] = value
    return parse_config(raw, root=Path())


def _error(**changes: Any) -> ConfigError:
    with pytest.raises(ConfigError) as e:
        _parse(**changes)
    assert e.value.hint, "every refusal carries a hint"
    return e.value


def test_a_recipe_the_runtime_cannot_express_names_the_runtime_and_its_recipes() -> None:
    e = _error(compress={"targets": {"litert:cpu": "palettize"}})
    assert "target 'litert:cpu' cannot express recipe 'palettize' (it can: none, fp16, int8, 8da8w, 8da4w)" in (
        e.message
    )
    assert 'compress.targets = { "litert:cpu" = "none" }' in (e.hint or "")
    # ExecuTorch quantizes the build's model, so it takes compress.recipe; the hint says who can take theirs.
    e = _error(compress={"recipe": "int8", "targets": {}})
    assert "target 'executorch:xnnpack' cannot express recipe 'int8'" in e.message
    assert e.choices == ["8da4w", "8da8w", "fp16", "none", "static-int8"]
    assert "compress.targets" in (e.hint or "")
    e = _error(compress={"recipe": "int3"})
    assert e.choices == ["8da4w", "8da8w", "fp16", "int4", "int8", "none", "palettize", "static-int8"]


def test_runtimes_that_quantize_their_own_artifact_take_their_own_recipe() -> None:
    both = {"targets": ["executorch:xnnpack", "litert:cpu", "coreml:ane"], "ios": {"minimum_ios": "18.0"}}
    cfg = _parse(compress={"recipe": "8da4w", "targets": {"litert:cpu": "8da8w", "coreml:ane": "int4"}}, **both)
    assert [cfg.recipe_for(t) for t in cfg.targets] == ["8da4w", "8da8w", "int4"]
    assert cfg.recipe().name == "8da4w"  # what ExecuTorch's export gets
    only = _parse(compress={"recipe": "8da4w", "targets": {}}, targets=["litert:cpu"])
    assert only.recipe().name == "none"  # LiteRT quantizes while converting: the torch model stays float
    # Per-block int4 is an iOS 18 op.
    e = _error(
        compress={"recipe": "8da4w", "targets": {"litert:cpu": "none", "coreml:ane": "int4"}},
        **{**both, "ios": {"minimum_ios": "17.0"}},
    )
    assert "recipe 'int4'" in e.message and 'minimum_ios = "18.0"' in (e.hint or "")
    # An ExecuTorch target still shares the build's recipe.
    e = _error(compress={"recipe": "8da4w", "targets": {"executorch:xnnpack": "8da8w"}})
    assert "lowers the build's compressed model" in e.message


def test_what_each_recipe_needs() -> None:
    assert "needs calibration data" in _error(compress={"prune": {"method": "ffn", "amount": 0.25}}).message
    assert (
        "applies to tasks image-classification, not 'text-generation'"
        in _error(compress={"recipe": "static-int8", "calibration": "c.txt"}).message
    )
    e = _error(compress={"low_rank": {"energy": 0.9, "rank": 8}})
    assert "exactly one of energy" in e.message
    e = _error(verify={"max_perplexity_increase": 0.05})
    assert "needs verify.heldout_text" in e.message and 'heldout_text = "heldout.txt"' in (e.hint or "")
    assert "must be one of 32, 64, 128, 256" in _error(compress={"group_size": 48}).message


def test_transforms_need_a_target_that_lowers_the_builds_model() -> None:
    e = _error(compress={"embeddings": "int8", "targets": {}}, targets=["executorch:xnnpack", "executorch:coreml"])
    assert "'executorch:coreml' converts the checkpoint itself" in e.message
    assert 'compress.targets = { "executorch:coreml" = "none" }' in (e.hint or "")
    ok = _parse(compress={"prune": {"method": "layers", "amount": 0.25}, "calibration": "c.txt"})
    assert ok.recipe().describe().startswith("layers pruning of 25%; ")
    assert ok.recipe().as_dict()["prune"] == {"method": "layers", "amount": 0.25}


def test_auto_embeddings_take_the_recipes_weight_bits_where_every_lowering_target_can(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = _parse()  # executorch:xnnpack lowers the build's model; litert:cpu has its own recipe
    assert cfg.recipe().embeddings == "int4"
    assert cfg.recipe().as_dict()["group_size"] == 32 and "int4 embeddings" in cfg.recipe().describe()
    assert _parse(compress={"recipe": "8da8w"}).recipe().embeddings == "int8"
    assert _parse(compress={"recipe": "fp16"}).recipe().embeddings == "none"
    assert _parse(compress={"embeddings": "none"}).recipe().embeddings == "none"
    # Only converting targets: nothing lowers the build's model, so nothing to quantize.
    assert _parse(targets=["litert:cpu"]).declared_recipe().embeddings == "none"
    # A lowering target that cannot express int4 embeddings gets the fp32 table instead of an error; written
    # out, the same choice is refused as before.
    xnn = TARGETS.get("executorch:xnnpack")
    monkeypatch.setitem(TARGETS._items, xnn.name, dataclasses.replace(xnn, embeddings=("none", "int8")))
    assert _parse().recipe().embeddings == "none"
    assert _parse(compress={"recipe": "8da8w"}).recipe().embeddings == "int8"
    e = _error(compress={"embeddings": "int4"})
    assert "target 'executorch:xnnpack' cannot quantize embeddings to 'int4'" in e.message


def test_recovery_training_needs_something_to_recover_from() -> None:
    e = _error(compress={"recovery": {"steps": 100}, "calibration": "c.txt"})
    assert "compress.recovery trains the model back after compress.prune or compress.low_rank" in e.message
    e = _error(compress={"recovery": {"steps": 100}, "low_rank": {"energy": 0.9}})
    assert "distils on compress.calibration" in e.message
    ok = _parse(compress={"low_rank": {"rank": 32}, "recovery": {"steps": 100}, "calibration": "c.txt"})
    assert ok.recipe().as_dict()["recovery"] == {"steps": 100, "learning_rate": 1e-4}
    assert "100 steps of distillation" in ok.recipe().describe()


def test_decoder_transforms_are_for_text_generation() -> None:
    tensor = {"source": "m:make", "task": "tensor"}
    e = _error(model=tensor, targets=["executorch:xnnpack"], compress={"recipe": "none", "prune": {"method": "2:4"}})
    assert "apply to text generation's decoder, not 'tensor'" in e.message


def test_sweep_section() -> None:
    sweep = {"recipes": [{"label": "fp32", "recipe": "none"}, {"label": "q", "recipe": "8da4w", "group_size": 64}]}
    cfg = _parse(sweep=sweep)
    assert [r.to_recipe(r.embeddings).group_size for r in cfg.sweep.recipes] == [32, 64]
    e = _error(sweep={**sweep, "targets": ["coreml:ane"]})
    assert "sweep.targets names 'coreml:ane', which is not in `targets`" in e.message
    assert "at least 1" in _error(sweep={"recipes": []}).message
