"""Host verification: each check of an artifact against the eager model is passed, failed or not executed.

A check that could not run here is recorded as ``not_executed`` with the reason and never counts as
passed. :func:`summarize` turns a list of checks into the overall status the build gates on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sdkgen.spec import TensorCase

Status = Literal["passed", "failed", "not_executed"]

#: Runs an artifact once: input arrays in the model's own dtypes and order -> output arrays in order.
Runner = Callable[[Sequence[Any]], list[Any]]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    data: dict[str, Any] = field(default_factory=dict)
    #: The ``verify.*`` setting(s) of a quality gate (perplexity, accuracy, cosine), "" for a check that
    #: compares an artifact with the eager model; a failed gate exits with 5, a failed check with 3.
    gate: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(checks: list[Check]) -> Status:
    """``failed`` if any check failed, else ``passed`` if at least one passed, else ``not_executed``."""
    if any(c.status == "failed" for c in checks):
        return "failed"
    if any(c.status == "passed" for c in checks):
        return "passed"
    return "not_executed"


def compare_outputs(
    cases: Sequence[TensorCase], run: Callable[[TensorCase], Sequence[Any]], tolerance: float, artifact: str
) -> Check:
    """Run every golden case through ``run`` (which returns one array per output, in order) and check
    ``max |artifact - eager| / max |eager|`` per output against ``tolerance``."""
    import numpy as np

    worst, per_output = 0.0, dict[str, float]()
    for case in cases:
        for expected, actual in zip(case.outputs, run(case), strict=True):
            ref = np.asarray(expected.values, dtype=np.float64).reshape(expected.shape)
            act = np.asarray(actual, dtype=np.float64).reshape(expected.shape)
            err = float(np.max(np.abs(act - ref)) / max(float(np.max(np.abs(ref))), 1e-6)) if ref.size else 0.0
            per_output[expected.name] = max(per_output.get(expected.name, 0.0), err)
            worst = max(worst, err)
    return Check(
        "outputs",
        "passed" if worst <= tolerance else "failed",
        f"max |{artifact} - eager| / max |eager| = {worst:.2e} over {len(cases)} inputs (tolerance {tolerance})",
        {"max_relative_error": worst, "per_output": per_output, "tolerance": tolerance},
    )
