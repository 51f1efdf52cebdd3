"""The text-generation task: a causal LM with a static KV cache, one ``forward(input_ids, cache_position)``
method for both prefill and decode, as ExecuTorch's LLM runner expects.

:func:`static_cache_module` wraps a transformers model; :func:`greedy` decodes with any step function
(the eager module or a lowered program), so golden vectors and verification share one loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: ``step(token_ids, start_pos) -> logits`` of shape ``[len(token_ids), vocab]`` (a float32 numpy array).
StepFn = Callable[[Sequence[int], int], Any]


def static_cache_module(model: Any, max_seq_len: int) -> Any:
    """Wrap ``model`` in transformers' exportable decoder-only module with a static cache of ``max_seq_len``."""
    from transformers.integrations.executorch import TorchExportableModuleForDecoderOnlyLM

    # Inference only: parameters that require grad break ExecuTorch's edge passes (in-place ops on leaves).
    model.requires_grad_(False)
    gc = model.generation_config
    gc.use_cache = True
    gc.cache_implementation = "static"
    gc.max_length = max_seq_len
    gc.cache_config = {"batch_size": 1, "max_cache_len": max_seq_len}
    return TorchExportableModuleForDecoderOnlyLM(model)


def eager_step(wrapper: Any) -> StepFn:
    """A step function over the eager wrapper (its inner module takes ``cache_position``)."""
    import torch

    def step(ids: Sequence[int], pos: int) -> Any:
        with torch.no_grad():
            out = wrapper.model(
                input_ids=torch.tensor([list(ids)], dtype=torch.long),
                cache_position=torch.arange(pos, pos + len(ids), dtype=torch.long),
            )
        return out[0].float().numpy()

    return step


@dataclass(frozen=True)
class Decoded:
    """Greedy output: generated ids (EOS excluded) and the last-position logits of every step."""

    output_ids: list[int]
    step_logits: list[Any]
    stopped_at_eos: bool


def greedy(step: StepFn, prompt_ids: Sequence[int], max_new_tokens: int, eos_ids: Sequence[int]) -> Decoded:
    """Prefill ``prompt_ids`` then decode greedily; stop at an EOS id or after ``max_new_tokens``."""
    logits = step(prompt_ids, 0)[-1]
    pos = len(prompt_ids)
    out: list[int] = []
    all_logits = [logits]
    for _ in range(max_new_tokens):
        tok = int(logits.argmax())
        if tok in eos_ids:
            return Decoded(out, all_logits, True)
        out.append(tok)
        if len(out) == max_new_tokens:
            break
        logits = step([tok], pos)[-1]
        pos += 1
        all_logits.append(logits)
    return Decoded(out, all_logits, False)


def teacher_forced(step: StepFn, prompt_ids: Sequence[int], forced: Sequence[int]) -> list[Any]:
    """Last-position logits after the prompt and after each forced token: ``len(forced) + 1`` rows.

    With ``forced = decoded.output_ids[: len(decoded.step_logits) - 1]`` the rows line up with
    ``decoded.step_logits``."""
    rows = [step(prompt_ids, 0)[-1]]
    pos = len(prompt_ids)
    for tok in forced:
        rows.append(step([tok], pos)[-1])
        pos += 1
    return rows
