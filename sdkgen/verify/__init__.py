"""Host verification: each check of an artifact against the eager model is passed, failed or not executed.

A check that could not run here is recorded as ``not_executed`` with the reason and never counts as
passed. :func:`summarize` turns a list of checks into the overall status the build gates on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "not_executed"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(checks: list[Check]) -> Status:
    """``failed`` if any check failed, else ``passed`` if at least one passed, else ``not_executed``."""
    if any(c.status == "failed" for c in checks):
        return "failed"
    if any(c.status == "passed" for c in checks):
        return "passed"
    return "not_executed"
