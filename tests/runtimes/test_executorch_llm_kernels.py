"""The causal LM over ExecuTorch's LLM kernels (eager, before export) against transformers' static-cache
module: the same last-row logits over a prefill and decode steps, and the model left as it was found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.models.tiny import make_checkpoint

MAX_SEQ_LEN = 32


@pytest.mark.parametrize("family", ["llama", "qwen3", "phi3"])
def test_kernels_module_matches_static_cache(family: str, tmp_path: Path) -> None:
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM

    from sdkgen.models.text_generation import eager_step, static_cache_module
    from sdkgen.runtimes.executorch import llm_kernels

    model = AutoModelForCausalLM.from_pretrained(make_checkpoint(family, tmp_path)).eval()
    impl = model.config._attn_implementation
    buffers = sorted(n for n, _ in model.named_buffers())
    assert llm_kernels.supported(model)
    calls = [([5, 9, 17, 33, 2], 0), ([40], 5), ([41], 6)]
    step = eager_step(static_cache_module(model, MAX_SEQ_LEN))
    want = [step(ids, pos)[-1] for ids, pos in calls]
    with llm_kernels.attached(model, MAX_SEQ_LEN) as module, torch.no_grad():
        got = [module(torch.tensor([ids]), torch.arange(pos, pos + len(ids)))[0].numpy() for ids, pos in calls]
    assert all(g.shape == (1, w.shape[-1]) for g, w in zip(got, want, strict=True))
    for g, w in zip(got, want, strict=True):
        assert np.abs(g[-1] - w).max() <= 1e-4 * np.abs(w).max()
    assert model.config._attn_implementation == impl
    assert sorted(n for n, _ in model.named_buffers()) == buffers


def test_softcapped_attention_is_not_supported(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    from sdkgen.runtimes.executorch import llm_kernels

    model = AutoModelForCausalLM.from_pretrained(make_checkpoint("gemma2", tmp_path))
    assert model.config.attn_logit_softcapping
    assert not llm_kernels.supported(model)
