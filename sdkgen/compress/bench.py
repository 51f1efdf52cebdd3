"""Host latency of artifacts, measured by running them: prefill and decode for text generation, one
forward for the tensor-shaped tasks.

:func:`interleaved` runs one measurement of every artifact per round, for several rounds, and keeps each
one's median: artifacts compared in one sweep then share the machine's conditions (a background job slows
every artifact's round alike instead of whichever happened to run during it).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from sdkgen.models.text_generation import StepFn

Probe = Callable[[], dict[str, float]]


def step_probe(step: StepFn, *, prompt_len: int = 32, decode_tokens: int = 32) -> Probe:
    """One prefill of ``prompt_len`` tokens, then ``decode_tokens`` one-token steps: seconds of each."""
    prompt = [(7 * i + 3) % 97 + 1 for i in range(prompt_len)]

    def probe() -> dict[str, float]:
        t0 = time.perf_counter()
        token = int(step(prompt, 0)[-1].argmax())
        t1 = time.perf_counter()
        for i in range(decode_tokens):
            token = int(step([token], prompt_len + i)[-1].argmax())
        t2 = time.perf_counter()
        return {"prefill": t1 - t0, "decode": (t2 - t1) / decode_tokens, "prompt_len": prompt_len}

    return probe


def runner_probe(run: Callable[[Sequence[Any]], Any], inputs: Sequence[Any], *, calls: int = 10) -> Probe:
    """``calls`` forwards over ``inputs``: seconds per forward."""

    def probe() -> dict[str, float]:
        t0 = time.perf_counter()
        for _ in range(calls):
            run(inputs)
        return {"forward": (time.perf_counter() - t0) / calls}

    return probe


def interleaved(probes: Sequence[Probe], *, rounds: int = 7) -> list[dict[str, float]]:
    """Run every probe once per round (after one warm-up round) and summarise each probe's medians."""
    for probe in probes:
        probe()
    samples: list[list[dict[str, float]]] = [[] for _ in probes]
    for _ in range(rounds):
        for i, probe in enumerate(probes):
            samples[i].append(probe())
    return [_summary(s) for s in samples]


def _summary(samples: list[dict[str, float]]) -> dict[str, float]:
    if "forward" in samples[0]:
        return {"forward_ms": round(statistics.median(s["forward"] for s in samples) * 1e3, 4)}
    prefill = statistics.median(s["prefill"] for s in samples)
    decode = statistics.median(s["decode"] for s in samples)
    return {
        "prefill_ms": round(prefill * 1e3, 3),
        "prefill_tok_s": round(samples[0]["prompt_len"] / prefill, 1),
        "decode_ms_per_token": round(decode * 1e3, 4),
        "decode_tok_s": round(1 / decode, 1),
    }
