"""A causal LM over ExecuTorch's LLM kernels: the KV cache written by ``llama::update_cache`` and attention
computed by ``llama::custom_sdpa``, the ops ExecuTorch's own ``export_llm`` uses (its ``sdpa.py`` and
``custom_kv_cache.py`` source transforms). The phone runtimes link them: the ``executorch-android`` AAR and
the Swift package's ``kernels_llm`` product.

Against transformers' static cache (``index_put`` of the new rows, then attention over every cache row
through a mask, with grouped-query heads repeated by ``expand``), only the filled rows are read and nothing
is copied. The model stays a transformers model: its attention implementation is swapped for
:func:`custom_sdpa_attention` and each attention layer gets two cache buffers, only inside :func:`attached`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from executorch.extension.llm.custom_ops import custom_ops  # noqa: F401  (registers the llama:: ops)
from transformers import AttentionInterface

#: The transformers attention implementation name :func:`attached` sets.
ATTENTION = "sdkgen_executorch_custom_sdpa"
K_CACHE, V_CACHE = "sdkgen_k_cache", "sdkgen_v_cache"


def supported(model: Any) -> bool:
    """Whether ``model``'s attention is plain causal softmax attention, which ``llama::custom_sdpa`` computes:
    no logit soft-capping (Gemma 2), no attention sinks, numbered attention layers."""
    text = model.config.get_text_config()
    layers = attention_layers(model)
    return (
        bool(layers)
        and not getattr(text, "attn_logit_softcapping", None)
        and not any(hasattr(m, "sinks") for m in layers)
    )


def attention_layers(model: Any) -> list[Any]:
    return [m for m in model.modules() if type(m).__name__.endswith("Attention") and hasattr(m, "layer_idx")]


def custom_sdpa_attention(
    module: Any, query: Any, key: Any, value: Any, attention_mask: Any, scaling: float | None = None, **kwargs: Any
) -> tuple[Any, None]:
    """A transformers attention function: writes this call's keys and values (``[batch, kv_heads, seq,
    head_dim]``) into the layer's cache at ``sdkgen_start_pos`` and attends causally over the cache. The
    kernels take ``[batch, seq, heads, head_dim]`` and float32 (the float16 recipe computes attention in
    float32, as ``export_llm`` does); grouped-query heads are not repeated."""
    pos = kwargs["sdkgen_start_pos"]
    k_cache, v_cache = getattr(module, K_CACHE), getattr(module, V_CACHE)
    torch.ops.llama.update_cache(key.transpose(1, 2).float(), k_cache, pos)
    torch.ops.llama.update_cache(value.transpose(1, 2).float(), v_cache, pos)
    out = torch.ops.llama.custom_sdpa(query.transpose(1, 2).float(), k_cache, v_cache, pos, None, 0.0, True, scaling)
    return out.to(query.dtype), None


AttentionInterface.register(ATTENTION, custom_sdpa_attention)


class CustomKernelsLM(torch.nn.Module):
    """``forward(input_ids[1, seq], cache_position[seq]) -> logits[1, 1, vocab]``: the last row's logits
    only, all the runner reads (the output layer is not run on the other prompt rows). ``cache_position``
    must be consecutive (the runner's prefill and decode calls are)."""

    def __init__(self, model: Any, max_seq_len: int) -> None:
        super().__init__()
        self.model = model
        self.max_seq_len = max_seq_len

    def forward(self, input_ids: Any, cache_position: Any) -> Any:
        pos = cache_position[0].item()
        torch._check(pos >= 0)
        torch._check(pos + input_ids.shape[1] <= self.max_seq_len)
        out = self.model(
            input_ids=input_ids,
            position_ids=cache_position.unsqueeze(0),
            use_cache=False,
            logits_to_keep=1,
            sdkgen_start_pos=pos,
        )
        return out.logits


@contextlib.contextmanager
def attached(model: Any, max_seq_len: int) -> Iterator[CustomKernelsLM]:
    """``model`` wrapped in :class:`CustomKernelsLM`, with float32 cache buffers ``[1, max_seq_len, kv_heads,
    head_dim]`` on each attention layer and the attention implementation swapped, both undone on exit."""
    text = model.config.get_text_config()
    kv_heads = getattr(text, "num_key_value_heads", None) or text.num_attention_heads
    layers = attention_layers(model)
    configs = {id(c): c for c in (model.config, text)}.values()
    saved = [(c, c._attn_implementation) for c in configs]
    model.requires_grad_(False)  # parameters that require grad break ExecuTorch's edge passes
    try:
        for m in layers:
            for name in (K_CACHE, V_CACHE):
                m.register_buffer(name, torch.zeros(1, max_seq_len, kv_heads, m.head_dim), persistent=False)
        for c, _ in saved:
            c._attn_implementation = ATTENTION
        yield CustomKernelsLM(model, max_seq_len).eval()
    finally:
        for c, impl in saved:
            c._attn_implementation = impl
        for m in layers:
            for name in (K_CACHE, V_CACHE):
                m._buffers.pop(name, None)
