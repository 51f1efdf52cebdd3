"""Compression recipes, language- and runtime-neutral.

A recipe is a name and its parameters; each runtime maps it onto its own mechanism (ExecuTorch:
torchao source transforms, see :mod:`sdkgen.runtimes.executorch.quantize`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    """``name`` is ``none`` or ``8da4w`` (8-bit dynamic activations, 4-bit weights in groups of ``group_size``)."""

    name: str
    group_size: int

    def describe(self) -> str:
        if self.name == "none":
            return "no compression (fp32)"
        return f"8-bit dynamic activations, 4-bit weights, group size {self.group_size} (linear layers)"

    def as_dict(self) -> dict[str, object]:
        return {"recipe": self.name, "group_size": self.group_size, "description": self.describe()}
