"""The tensor-task contract every runtime package implements (see :mod:`sdkgen.verify.tensor`):
``runtime_version()``, ``lower_tensor(...)``, ``check_signature(...)`` and ``open_runner(...)``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdkgen.runtimes.executorch.lower import lower_program, runtime_version
from sdkgen.runtimes.executorch.verify import check_signature, open_runner

__all__ = ["check_signature", "lower_tensor", "open_runner", "runtime_version"]


def lower_tensor(
    program: Path, module: Any, inputs: tuple[Any, ...], delegate: str, out: Path, options: dict[str, Any]
) -> dict[str, Any]:
    """Lower the saved ``torch.export`` program (``module``/``inputs`` are unused: the program has them)."""
    return lower_program(program, delegate, {}, out, options)
