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
        cases.append(GoldenCase(prompt, tuple(ids), tuple(d.output_ids), tokenizer.decode(d.output_ids)))
        decoded.append(d)
    return cases, decoded


def save_logits(path: Path, decoded: Sequence[Decoded]) -> None:
    import numpy as np

    arrays: dict[str, Any] = {f"case{i}": np.stack(d.step_logits) for i, d in enumerate(decoded)}
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load_logits(path: Path) -> list[Any]:
    import numpy as np

    with np.load(path) as z:
        return [z[f"case{i}"] for i in range(len(z.files))]
