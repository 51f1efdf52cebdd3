"""Golden vectors: greedy continuations and per-step logits of the eager model, computed once per build.

The same vectors drive host verification of every artifact and the generated on-device tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.models.text_generation import Decoded, StepFn, greedy
from sdkgen.spec import GoldenCase


def text_generation_golden(
    step: StepFn,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    bos_id: int,
    bos_count: int,
    eos_ids: Sequence[int],
    max_new_tokens: int,
) -> tuple[list[GoldenCase], list[Decoded]]:
    """Greedy-decode each prompt (``bos_count`` BOS tokens, then the prompt's tokens) with ``step``."""
    cases, decoded = [], []
    for prompt in prompts:
        ids = [bos_id] * bos_count + tokenizer.encode(prompt, add_special_tokens=False)
        d = greedy(step, ids, max_new_tokens, eos_ids)
        cases.append(GoldenCase(prompt, tuple(ids), tuple(d.output_ids), continuation(tokenizer, ids, d.output_ids)))
        decoded.append(d)
    return cases, decoded


def continuation(tokenizer: Any, prompt_ids: Sequence[int], output_ids: Sequence[int]) -> str:
    """The text ``output_ids`` add after the prompt, as a streaming runner prints it. Decoding the output
    alone is not enough for SentencePiece: its decoder drops the leading space of a text's first word."""
    head = tokenizer.decode(list(prompt_ids), skip_special_tokens=True)
    full = tokenizer.decode([*prompt_ids, *output_ids], skip_special_tokens=True)
    return full[len(head) :] if full.startswith(head) else tokenizer.decode(list(output_ids))


def save_logits(path: Path, decoded: Sequence[Decoded]) -> None:
    import numpy as np

    arrays: dict[str, Any] = {f"case{i}": np.stack(d.step_logits) for i, d in enumerate(decoded)}
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load_logits(path: Path) -> list[Any]:
    import numpy as np

    with np.load(path) as z:
        return [z[f"case{i}"] for i in range(len(z.files))]
