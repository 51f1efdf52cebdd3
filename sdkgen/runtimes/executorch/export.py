"""Export a causal LM with a static KV cache to a ``torch.export`` program for ExecuTorch's LLM runner.

The program has one method, ``forward(input_ids[1, seq], cache_position[seq]) -> logits[1, seq, vocab]``,
with ``seq`` dynamic up to ``max_seq_len - 1``: the runner prefills with the whole prompt and decodes one
token at a time through the same method.
"""

from __future__ import annotations

from typing import Any

from sdkgen.spec import MethodSpec, TensorSpec


def export_text_generation(wrapper: Any, max_seq_len: int) -> Any:
    """Export ``wrapper`` (from :func:`sdkgen.models.text_generation.static_cache_module`)."""
    import torch

    ids = torch.tensor([[1, 2, 3]], dtype=torch.long)
    seq = torch.export.Dim("seq_length_dim", max=max_seq_len - 1)
    # strict=True: with strict=False torch 2.13 fails inside AOT export (DESIGN.md, measured).
    return wrapper.export(
        input_ids=ids,
        cache_position=torch.arange(3, dtype=torch.long),
        dynamic_shapes={"input_ids": {1: seq}, "cache_position": {0: seq}},
        strict=True,
    )


def method_specs(vocab_size: int) -> tuple[MethodSpec, ...]:
    return (
        MethodSpec(
            "forward",
            inputs=(TensorSpec("input_ids", "int64", (1, "seq")), TensorSpec("cache_position", "int64", ("seq",))),
            outputs=(TensorSpec("logits", "float32", (1, "seq", vocab_size)),),
        ),
    )


#: BOS tokens the LLM runner puts before a prompt. Measured with ExecuTorch 1.5.1: its C++ HF tokenizer
#: ignores the runner's ``num_bos`` (``encode(text, bos=1)`` returns the bare ids), so the phone sees no
#: BOS; golden vectors and the SDKs' generation configs use this same count.
RUNNER_BOS_COUNT = 0


def runner_metadata(max_seq_len: int, vocab_size: int, bos_id: int, eos_ids: list[int]) -> dict[str, Any]:
    """The constant methods ExecuTorch's LLM runner reads from a ``.pte``."""
    return {
        "get_max_seq_len": max_seq_len,
        "get_max_context_len": max_seq_len,
        "use_kv_cache": True,
        "use_sdpa_with_kv_cache": False,
        "enable_dynamic_shape": True,
        "get_vocab_size": vocab_size,
        "get_bos_id": bos_id,
        "get_eos_ids": eos_ids,
    }
