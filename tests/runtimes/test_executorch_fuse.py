"""Fused q/k/v and gate/up projections (sdkgen.runtimes.executorch.fuse): the same logits and greedy tokens as
the unfused model for every family, the fusion undone when a forward uses its input otherwise, and the fused
program through torch.export, quantization and ExecuTorch's runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.models.tiny import FAMILIES, make_checkpoint


def _load(family: str, tmp_path: Path) -> object:
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(make_checkpoint(family, tmp_path), dtype=torch.float32).eval()


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_fused_model_computes_what_the_unfused_one_did(family: str, tmp_path: Path) -> None:
    import torch

    from sdkgen.runtimes.executorch.fuse import Narrow, fuse_projections

    model = _load(family, tmp_path)
    ids = torch.tensor([[5, 9, 17, 33, 2, 40, 41, 7, 100, 3]])
    with torch.no_grad():
        want = model(ids).logits  # type: ignore[operator]
        want_tokens = model.generate(ids[:, :4], max_new_tokens=6, do_sample=False)  # type: ignore[attr-defined]
    counts = fuse_projections(model, ids[:, :8])  # type: ignore[arg-type]
    layers = model.config.num_hidden_layers  # type: ignore[attr-defined]
    # Phi-3 already has one qkv_proj and one gate_up_proj: nothing to fuse.
    assert counts == ({"attention": 0, "mlp": 0} if family == "phi3" else {"attention": layers, "mlp": layers})
    with torch.no_grad():
        got = model(ids).logits  # type: ignore[operator]
        got_tokens = model.generate(ids[:, :4], max_new_tokens=6, do_sample=False)  # type: ignore[attr-defined]
    assert float((got - want).abs().max()) <= 1e-5 * float(want.abs().max())
    assert torch.equal(got_tokens, want_tokens)
    if family != "phi3":
        attn = model.model.layers[0].self_attn  # type: ignore[attr-defined]
        assert isinstance(attn.q_proj, Narrow) and isinstance(attn.v_proj, Narrow)
        assert attn.sdkgen_qkv_proj.out_features == sum(m.out_features for m in (attn.q_proj, attn.k_proj, attn.v_proj))


def test_biases_are_stacked_with_their_rows(tmp_path: Path) -> None:
    import torch

    from sdkgen.runtimes.executorch.fuse import fuse_projections

    model = _load("qwen2", tmp_path)  # Qwen2: q/k/v have biases, o_proj has none
    attn = model.model.layers[0].self_attn  # type: ignore[attr-defined]
    biases = [attn.q_proj.bias.clone(), attn.k_proj.bias.clone(), attn.v_proj.bias.clone()]
    fuse_projections(model, torch.tensor([[1, 2, 3, 4]]))  # type: ignore[arg-type]
    assert torch.equal(attn.sdkgen_qkv_proj.bias, torch.cat(biases))


def test_a_forward_that_uses_its_input_otherwise_is_left_unfused(tmp_path: Path) -> None:
    import torch

    from sdkgen.runtimes.executorch.fuse import fuse_projections

    model = _load("llama", tmp_path)
    mlp = model.model.layers[0].mlp  # type: ignore[attr-defined]
    gate, up = mlp.gate_proj, mlp.up_proj
    plain = type(mlp).forward

    def residual_forward(self: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        return plain(self, x) + x  # reads x beyond the projections: a fused input would change the result

    type(mlp).forward = residual_forward  # every layer's MLP, like a family whose MLP adds its input
    try:
        with torch.no_grad():
            want = model(torch.tensor([[1, 2, 3, 4]])).logits  # type: ignore[operator]
        assert fuse_projections(model, torch.tensor([[5, 6, 7, 8]])) == {"attention": 0, "mlp": 0}  # type: ignore[arg-type]
        assert mlp.gate_proj is gate and mlp.up_proj is up and not hasattr(mlp, "sdkgen_gate_up_proj")
        assert "forward" not in vars(mlp)
        with torch.no_grad():
            assert torch.equal(model(torch.tensor([[1, 2, 3, 4]])).logits, want)  # type: ignore[operator]
    finally:
        type(mlp).forward = plain


def test_fused_8da4w_program_runs_in_executorch(tmp_path: Path) -> None:
    """Fused, quantized (8da4w), exported with the LLM kernels and lowered to XNNPACK: the .pte's last-row
    logits follow the quantized eager model's over a prefill and a decode step."""
    import torch
    from executorch.extension.pybindings import portable_lib

    from sdkgen.compress import Recipe
    from sdkgen.runtimes.executorch.export import export_text_generation, runner_metadata
    from sdkgen.runtimes.executorch.fuse import fuse_projections
    from sdkgen.runtimes.executorch.lower import lower_program
    from sdkgen.runtimes.executorch.quantize import quantize

    model = _load("llama", tmp_path)
    assert fuse_projections(model, torch.tensor([[1, 2, 3, 4]]))["attention"] == 2  # type: ignore[arg-type]
    model, _ = quantize(model, Recipe("8da4w", 32, "none"), float32_io=False)
    ids = torch.tensor([[5, 9, 17, 33, 2]])
    with torch.no_grad():
        want_prefill = model(ids).logits[0, -1]
        want_step = model(torch.cat([ids, torch.tensor([[40]])], 1)).logits[0, -1]
    ep = export_text_generation(model, 32)
    torch.export.save(ep, tmp_path / "program.pt2")
    cfg = model.config
    pte = tmp_path / "m.pte"
    lower_program(tmp_path / "program.pt2", "xnnpack", runner_metadata(32, cfg.vocab_size, 0, [0]), pte)
    import executorch.extension.llm.custom_ops.custom_ops  # noqa: F401

    program = portable_lib._load_for_executorch(str(pte))
    got_prefill = program.forward((ids, torch.arange(5)))[0].reshape(-1)
    got_step = program.forward((torch.tensor([[40]]), torch.tensor([5])))[0].reshape(-1)
    for got, want in ((got_prefill, want_prefill), (got_step, want_step)):
        assert float((got - want).abs().max()) <= 0.05 * float(want.abs().max())
