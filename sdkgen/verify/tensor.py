"""Verify a tensor-shaped artifact (the tasks of ``TENSOR_TASKS``).

A runtime package's ``backend`` module provides ``check_signature(artifact, cases) -> Check`` and
``open_runner(artifact) -> Runner | str`` (a string says why the artifact cannot run on this host). This
module runs the golden cases through the runner and, when the task has one, its quality measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sdkgen.spec import TensorCase
from sdkgen.verify import Check, Runner, compare_outputs


class Quality(Protocol):
    """A task's quality measure: ``measure`` runs a model (eager or artifact) and returns named numbers;
    ``check`` judges an artifact's numbers against the fp32 eager model's."""

    @property
    def name(self) -> str: ...

    def measure(self, run: Runner, reference: Sequence[TensorCase]) -> dict[str, float]: ...

    def check(self, got: dict[str, float], fp32: dict[str, float]) -> Check: ...


def case_arrays(case: TensorCase) -> list[Any]:
    import numpy as np

    return [np.asarray(v.values, dtype=v.dtype).reshape(v.shape) for v in case.inputs]


def verify_tensor(
    backend: Any,
    artifact: Any,
    cases: Sequence[TensorCase],
    *,
    tolerance: float,
    label: str,
    quality: Quality | None = None,
    reference: Sequence[TensorCase] = (),
    fp32_quality: dict[str, float] | None = None,
) -> list[Check]:
    """Signature, outputs against ``cases`` within ``tolerance``, then ``quality`` against ``fp32_quality``.
    Checks that cannot run here are ``not_executed`` with the backend's reason."""
    checks = [backend.check_signature(artifact, cases)]
    run = backend.open_runner(artifact)
    if isinstance(run, str):
        checks.append(Check("outputs", "not_executed", run))
        if quality is not None:
            checks.append(Check(quality.name, "not_executed", run))
        return checks
    checks.append(compare_outputs(cases, lambda c: run(case_arrays(c)), tolerance, label))
    if quality is not None:
        checks.append(quality.check(quality.measure(run, reference), fp32_quality or {}))
    return checks
