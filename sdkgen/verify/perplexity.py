"""Held-out perplexity of a text-generation model, eager or artifact, through its step function.

The held-out text is tokenized once and cut into consecutive windows of at most the KV cache's length;
each window is one prefill call at position 0 (the static cache's later positions are masked), or for a
step that returns only the last row's logits (sdkgen's ExecuTorch XNNPACK program) one call per token,
and every token but a window's first is scored given the tokens before it in that window. perplexity =
exp(total negative log-likelihood / scored tokens).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.models.text_generation import StepFn
from sdkgen.verify import Check

#: Windows scored at most: enough tokens for a stable number, few enough to keep a build quick.
MAX_WINDOWS = 16


def heldout_windows(tokenizer: Any, path: Path, window: int, bos: list[int]) -> list[list[int]]:
    """Token-id windows (``bos`` first, then up to ``window - len(bos)`` text tokens) of ``path``."""
    from sdkgen.errors import ModelLoadError

    if not path.is_file():
        raise ModelLoadError(f"verify.heldout_text {str(path)!r} not found", hint="a UTF-8 text file")
    ids = tokenizer.encode(path.read_text(encoding="utf-8"), add_special_tokens=False)
    size = window - len(bos)
    windows = [bos + ids[i : i + size] for i in range(0, len(ids), size)]
    windows = [w for w in windows if len(w) > 1][:MAX_WINDOWS]
    if not windows:
        raise ModelLoadError(f"verify.heldout_text {str(path)!r} has too little text", hint="give a few paragraphs")
    return windows


def perplexity(step: StepFn, windows: Sequence[Sequence[int]]) -> dict[str, float]:
    """``{"perplexity", "tokens"}`` of ``step`` over ``windows``."""
    import numpy as np

    nll, count = 0.0, 0
    for w in windows:
        logits = np.asarray(step(list(w), 0), dtype=np.float64)
        if len(logits) < len(w):
            logits = np.stack([np.asarray(step([t], i), dtype=np.float64)[-1] for i, t in enumerate(w)])
        logits = logits[:-1]
        logits -= logits.max(axis=-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        targets = np.asarray(w[1:])
        nll -= float(logp[np.arange(len(targets)), targets].sum())
        count += len(targets)
    return {"perplexity": round(math.exp(nll / count), 6), "tokens": count}


def perplexity_check(got: dict[str, float], fp32: dict[str, float], max_increase: float | None) -> Check:
    """The artifact's perplexity against the fp32 eager model's, gated by ``max_increase`` (relative)."""
    increase = got["perplexity"] / fp32["perplexity"] - 1
    gate = f"verify.max_perplexity_increase {max_increase}" if max_increase is not None else "no gate set"
    ok = max_increase is None or increase <= max_increase + 1e-12
    return Check(
        "perplexity",
        "passed" if ok else "failed",
        f"held-out perplexity {got['perplexity']:.4f} over {int(got['tokens'])} tokens; fp32 eager "
        f"{fp32['perplexity']:.4f} ({increase:+.2%}; {gate})",
        {**got, "fp32_perplexity": fp32["perplexity"], "increase": round(increase, 6), "max_increase": max_increase},
        gate="verify.max_perplexity_increase" if max_increase is not None else "",
    )
