"""Checks of a text-generation artifact driven step by step on the host, shared by every runtime that can
run one here: teacher-forced logits against the golden logits, and greedy tokens against the golden
continuations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sdkgen.models.text_generation import StepFn, greedy, teacher_forced
from sdkgen.spec import GoldenCase
from sdkgen.verify import Check


def step_checks(
    step: StepFn,
    golden: Sequence[GoldenCase],
    golden_logits: Sequence[Any],
    *,
    logits_tolerance: float,
    eos_ids: Sequence[int],
    artifact: str,
) -> list[Check]:
    """``logits``: max |artifact - eager| / max |eager| over every teacher-forced step, within
    ``logits_tolerance``; ``greedy-tokens``: every prompt's greedy continuation token for token, except
    that a continuation may part from the eager one at a near-tie: a step where the eager logits of the
    two tokens differ by no more than ``logits_tolerance`` (relative to max |eager|), which the logits
    tolerance allows the artifact to reorder. Such prompts are listed in ``data["diverged"]``."""
    import numpy as np

    worst = 0.0
    per_case = []
    for case, ref in zip(golden, golden_logits, strict=True):
        rows = teacher_forced(step, case.prompt_ids, case.output_ids[: len(ref) - 1])
        diff = float(np.max(np.abs(np.stack(rows) - ref)) / max(float(np.max(np.abs(ref))), 1e-6))
        per_case.append(round(diff, 6))
        worst = max(worst, diff)
    checks = [
        Check(
            "logits",
            "passed" if worst <= logits_tolerance else "failed",
            f"max |{artifact} - eager| / max |eager| = {worst:.3g} over {sum(len(r) for r in golden_logits)} "
            f"steps (tolerance {logits_tolerance})",
            {"max_relative_error": round(worst, 6), "per_prompt": per_case, "tolerance": logits_tolerance},
        )
    ]
    mismatches, ties = [], []
    for case, ref in zip(golden, golden_logits, strict=True):
        got = greedy(step, case.prompt_ids, len(case.output_ids) or 1, eos_ids).output_ids[: len(case.output_ids)]
        if tuple(got) == case.output_ids:
            continue
        first = next((i for i, (a, b) in enumerate(zip(got, case.output_ids, strict=False)) if a != b), len(got))
        entry: dict[str, Any] = {
            "prompt": case.prompt,
            "first_mismatch": first,
            artifact: got,
            "eager": case.output_ids,
        }
        if first < min(len(got), len(ref)):
            row = ref[first]
            margin = float(row[case.output_ids[first]] - row[got[first]]) / max(float(np.max(np.abs(row))), 1e-6)
            entry["eager_margin"] = round(margin, 6)
            if margin <= logits_tolerance:
                ties.append(entry)
                continue
        mismatches.append(entry)
    same = len(golden) - len(mismatches) - len(ties)
    detail = f"{same}/{len(golden)} prompts match token for token"
    if ties:
        worst_tie = max(t["eager_margin"] for t in ties)
        detail += f"; {len(ties)} part at a near-tie (eager margin <= {worst_tie:.3g}, within the logits tolerance)"
    checks.append(
        Check(
            "greedy-tokens",
            "failed" if mismatches else "passed",
            detail,
            {"mismatches": mismatches, "diverged": ties},
        )
    )
    return checks
