"""Host latency of an artifact, measured by running it: prefill and decode for text generation, one
forward for the tensor-shaped tasks. Medians of repeated runs; the first run is a warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from sdkgen.models.text_generation import StepFn


def bench_step(step: StepFn, *, prompt_len: int = 32, decode_tokens: int = 32, repeats: int = 5) -> dict[str, float]:
    """Prefill of ``prompt_len`` tokens and ``decode_tokens`` one-token steps after it."""
    prompt = [(7 * i + 3) % 97 + 1 for i in range(prompt_len)]
    prefill, decode = [], []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        logits = step(prompt, 0)
        t1 = time.perf_counter()
        token = int(logits[-1].argmax())
        for i in range(decode_tokens):
            token = int(step([token], prompt_len + i)[-1].argmax())
        t2 = time.perf_counter()
        prefill.append(t1 - t0)
        decode.append((t2 - t1) / decode_tokens)
    p, d = statistics.median(prefill[1:]), statistics.median(decode[1:])
    return {
        "prefill_ms": round(p * 1e3, 3),
        "prefill_tok_s": round(prompt_len / p, 1),
        "decode_ms_per_token": round(d * 1e3, 3),
        "decode_tok_s": round(1 / d, 1),
    }


def bench_runner(run: Callable[[Sequence[Any]], Any], inputs: Sequence[Any], *, repeats: int = 30) -> dict[str, float]:
    """One forward over ``inputs``."""
    times = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        run(inputs)
        times.append(time.perf_counter() - t0)
    return {"forward_ms": round(statistics.median(times[1:]) * 1e3, 3)}
