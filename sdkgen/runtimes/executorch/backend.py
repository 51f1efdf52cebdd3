"""The tensor-task contract every runtime package implements (see :mod:`sdkgen.runtimes.base`):
``runtime_version()``, ``lower_tensor(...)`` and ``verify_tensor(...)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdkgen.runtimes.executorch.lower import lower_program, runtime_version
from sdkgen.runtimes.executorch.verify import verify_tensor

__all__ = ["lower_tensor", "runtime_version", "verify_tensor"]


def lower_tensor(
    program: Path, module: Any, inputs: tuple[Any, ...], delegate: str, out: Path, options: dict[str, Any]
) -> dict[str, Any]:
    """Lower the saved ``torch.export`` program (``module``/``inputs`` are unused: the program has them)."""
    return lower_program(program, delegate, {}, out, options)
