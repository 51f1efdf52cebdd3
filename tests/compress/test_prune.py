"""Pruning (sdkgen.compress.prune): exact sparsity patterns, structured shapes and parameter counts on tiny
checkpoints of each family, save/reload, refusals, and the pruned models exporting, lowering to XNNPACK and
running with the pruned eager model's logits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from sdkgen.compress.prune import ffn_keep_count, prune
from tests.compress.common import (
    eager_logits,
    export_and_compare,
    heldout_ids,
    lower_and_compare,
    random_calibration,
    tiny_llm,
    tiny_model,
    windows,
)

CALIB = random_calibration()


def _decoder_weights(model: Any) -> dict[str, torch.Tensor]:
    return {
        n: m.weight.detach().clone() for n, m in model.model.layers.named_modules() if isinstance(m, torch.nn.Linear)
    }


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tiny_model("llama", tmp_path_factory.mktemp("llama"))


def test_magnitude_zeroes_the_smallest_fraction_of_each_linear(llama: Any) -> None:
    model = copy.deepcopy(llama)
    before = _decoder_weights(model)
    embed = model.get_input_embeddings().weight.detach().clone()
    summary = prune(model, "magnitude", 0.5, None)
    after = _decoder_weights(model)
    assert len(after) == 14  # 2 layers x (q, k, v, o, gate, up, down)
    for name, w in after.items():
        zero = w == 0
        assert int(zero.sum()) == round(0.5 * w.numel()), name
        # Every removed weight is at most as large as every kept one, and kept weights are unchanged.
        assert before[name].abs()[zero].max() <= before[name].abs()[~zero].min()
        assert torch.equal(w[~zero], before[name][~zero])
    assert torch.equal(model.get_input_embeddings().weight, embed)
    assert summary["params_after"] == summary["params_before"]
    assert summary["decoder_linear_zeros"] == summary["decoder_linear_weights"] // 2


def test_two_four_keeps_the_two_largest_of_every_four_inputs(llama: Any) -> None:
    model = copy.deepcopy(llama)
    before = _decoder_weights(model)
    prune(model, "2:4", None, None)
    for name, w in _decoder_weights(model).items():
        groups, orig = w.view(w.shape[0], -1, 4), before[name].view(w.shape[0], -1, 4)
        assert torch.equal((groups != 0).sum(-1), torch.full(groups.shape[:2], 2)), name
        top2 = orig.abs().topk(2, dim=-1).indices
        assert torch.equal(torch.gather(groups, -1, top2), torch.gather(orig, -1, top2))
    with pytest.raises(ValueError, match="2:4 pruning always removes half"):
        prune(copy.deepcopy(llama), "2:4", 0.3, None)
    prune(copy.deepcopy(llama), "2:4", 0.5, None)


def test_ffn_keep_count_rounds_to_multiples_of_32() -> None:
    assert ffn_keep_count(512, 0.25) == 384
    assert ffn_keep_count(512, 0.3) == 352  # 358 -> nearest multiple of 32
    assert ffn_keep_count(128, 0.25) == 96
    assert ffn_keep_count(128, 0.1) == 128  # 115 rounds back up: prune() refuses it
    assert ffn_keep_count(128, 0.95) == 32
    assert ffn_keep_count(100, 0.25) == 75  # not a multiple of 32: not rounded


@pytest.mark.parametrize("family", ["llama", "qwen3", "gemma2", "phi3"])
def test_ffn_shrinks_every_layer_and_reloads(family: str, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    model = tiny_model(family, tmp_path / "model")
    summary = prune(model, "ffn", 0.25, CALIB)
    hidden, layers = 64, 2
    assert model.config.intermediate_size == 96
    assert summary["params_before"] - summary["params_after"] == layers * 32 * 3 * hidden
    for layer, info in zip(model.model.layers, summary["layers"], strict=True):
        assert layer.mlp.down_proj.in_features == 96
        up = layer.mlp.gate_up_proj if family == "phi3" else layer.mlp.up_proj
        assert up.out_features == (192 if family == "phi3" else 96)
        # The removed channels are the lowest-scored ones.
        removed = set(info["removed_channels"])
        kept_scores = [s for c, s in enumerate(info["importance"]) if c not in removed]
        assert max(info["importance"][c] for c in removed) <= min(kept_scores)
    prompt = CALIB[1][:12]
    pruned = eager_logits(model, prompt)
    model.save_pretrained(tmp_path / "pruned")
    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path / "pruned").eval()
    assert reloaded.config.intermediate_size == 96
    torch.testing.assert_close(eager_logits(reloaded, prompt), pruned)
    assert export_and_compare(model, prompt) < 1e-4


def test_ffn_prunes_phi3_fused_gate_up_consistently(tmp_path: Path) -> None:
    model = tiny_model("phi3", tmp_path / "model")
    gate_up = model.model.layers[0].mlp.gate_up_proj.weight.detach().clone()
    summary = prune(model, "ffn", 0.25, CALIB)
    kept = [c for c in range(128) if c not in set(summary["layers"][0]["removed_channels"])]
    new = model.model.layers[0].mlp.gate_up_proj.weight
    assert torch.equal(new[:96], gate_up[kept])  # gate half
    assert torch.equal(new[96:], gate_up[[c + 128 for c in kept]])  # up half, same channels


def test_heads_removes_whole_kv_groups(llama: Any, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    model = copy.deepcopy(llama)
    q_before = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    summary = prune(model, "heads", 0.5, CALIB)
    assert (model.config.num_attention_heads, model.config.num_key_value_heads, model.config.head_dim) == (2, 1, 16)
    for layer in model.model.layers:
        attn = layer.self_attn
        assert (attn.q_proj.out_features, attn.k_proj.out_features, attn.v_proj.out_features) == (32, 16, 16)
        assert attn.o_proj.in_features == 32
    # Per layer q/k/v/o lose one KV group: 2 query heads + 1 KV head of 16 columns each, hidden 64.
    assert summary["params_before"] - summary["params_after"] == 2 * (32 * 64 * 2 + 16 * 64 * 2)
    (dropped,) = summary["layers"][0]["removed_kv_groups"]
    kept = 1 - dropped
    assert torch.equal(model.model.layers[0].self_attn.q_proj.weight, q_before[kept * 32 : kept * 32 + 32])
    model.save_pretrained(tmp_path / "pruned")
    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path / "pruned").eval()
    torch.testing.assert_close(eager_logits(reloaded, CALIB[2][:10]), eager_logits(model, CALIB[2][:10]))


def test_heads_refusals(llama: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="leave none"):
        prune(copy.deepcopy(llama), "heads", 0.9, CALIB)
    with pytest.raises(ValueError, match="removes no KV group"):
        prune(copy.deepcopy(llama), "heads", 0.2, CALIB)
    model = copy.deepcopy(llama)
    prune(model, "heads", 0.5, CALIB)
    with pytest.raises(ValueError, match="leave none"):  # one KV head left: nothing more to remove
        prune(model, "heads", 0.5, CALIB)
    odd = copy.deepcopy(llama)
    for layer in odd.model.layers:
        layer.self_attn.q_proj = torch.nn.Identity()
    with pytest.raises(ValueError, match="does not know the attention"):
        prune(odd, "heads", 0.5, CALIB)


@pytest.mark.parametrize("family", ["llama", "gemma2"])
def test_layers_drops_the_least_changing_layer_and_renumbers(family: str, tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    model = tiny_model(family, tmp_path / "model")
    types = list(getattr(model.config, "layer_types", None) or [])
    survivors = list(model.model.layers)
    summary = prune(model, "layers", 0.5, CALIB)
    (removed,) = summary["removed_layers"]
    assert summary["importance"][removed] == min(summary["importance"])
    assert model.config.num_hidden_layers == 1 and len(model.model.layers) == 1
    assert model.model.layers[0] is survivors[1 - removed]
    assert all(m.layer_idx == 0 for m in model.model.layers.modules() if hasattr(m, "layer_idx"))
    if types:
        assert model.config.layer_types == [types[1 - removed]]
    prompt = CALIB[3][:10]
    model.save_pretrained(tmp_path / "pruned")
    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path / "pruned").eval()
    torch.testing.assert_close(eager_logits(reloaded, prompt), eager_logits(model, prompt))
    assert export_and_compare(model, prompt) < 1e-4


def test_bad_arguments(llama: Any) -> None:
    with pytest.raises(ValueError, match="unknown pruning method"):
        prune(llama, "random", 0.5, None)
    for method in ("ffn", "heads", "layers"):
        with pytest.raises(ValueError, match="needs calibration"):
            prune(llama, method, 0.5, None)
    with pytest.raises(ValueError, match="1 to 128"):
        prune(llama, "ffn", 0.25, [list(range(1, 130))])
    with pytest.raises(ValueError, match="outside the vocabulary"):
        prune(llama, "ffn", 0.25, [[1, 2, 5000]])
    with pytest.raises(ValueError, match=r"amount must be in \(0, 1\)"):
        prune(llama, "ffn", 1.0, CALIB)
    with pytest.raises(ValueError, match="removes no channel"):
        prune(llama, "ffn", 0.1, CALIB)
    with pytest.raises(ValueError, match="keep at least one"):
        prune(llama, "layers", 0.9, CALIB)


def test_phi3_fused_ffn_and_heads_export_and_match_eager(tmp_path: Path) -> None:
    # torch.export only: the one XNNPACK build of this file is the tiny-llm test below (lowering costs ~15 s).
    model = tiny_model("phi3", tmp_path / "model")
    prune(model, "ffn", 0.25, CALIB)
    prune(model, "heads", 0.5, CALIB)
    assert model.model.layers[0].self_attn.qkv_proj.out_features == (2 + 1 + 1) * 16  # q heads, k, v
    assert export_and_compare(model, CALIB[0][:10]) < 1e-4


def test_tiny_llm_structured_and_2_4_end_to_end(tmp_path: Path) -> None:
    """The trained sample, calibrated on its held-out text: ffn, heads, layers and 2:4 in sequence, then one
    build: export, XNNPACK, pybindings logits equal to the pruned eager model's."""
    model = tiny_llm()
    held = heldout_ids()
    calib = windows(held, 8)
    before = sum(p.numel() for p in model.parameters())
    ffn = prune(model, "ffn", 0.25, calib)
    heads = prune(model, "heads", 0.25, calib)
    layers = prune(model, "layers", 0.25, calib)
    two_four = prune(model, "2:4", None, None)
    assert ffn["config_changes"] == {"intermediate_size": [512, 384]}
    assert heads["config_changes"]["num_key_value_heads"] == [2, 1]
    assert layers["config_changes"] == {"num_hidden_layers": [4, 3]}
    assert two_four["decoder_linear_zeros"] == two_four["decoder_linear_weights"] // 2
    json.dumps([ffn, heads, layers, two_four], allow_nan=False)  # the summaries go into the build report
    embed, norms = 2048 * 192, 3 * 2 * 192 + 192
    per_layer = 3 * 192 * 384 + 192 * 96 * 2 + 192 * 48 * 2
    assert layers["params_after"] == embed + norms + 3 * per_layer < before
    pte, err = lower_and_compare(model, tmp_path, held[1000:1008], held[1008:1012])
    assert err < 1e-4
    # fp32 weights plus the tied embedding stored twice (gather and output matmul): below the dense model's 8 MB.
    assert pte.stat().st_size < before * 4
