"""Map a :class:`~sdkgen.compress.Recipe` onto ExecuTorch's torchao source transforms."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from sdkgen.compress import Recipe
from sdkgen.errors import ConfigError


def apply_recipe(model: Any, recipe: Recipe) -> dict[str, Any]:
    """Quantize ``model`` in place; return a summary (which linear layers were quantized)."""
    import torch

    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    if recipe.name == "none":
        return {"quantized_linears": 0, "linears": len(linears)}
    bad = [n for n, m in linears if m.in_features % recipe.group_size]
    if bad:
        raise ConfigError(
            f"compress.group_size = {recipe.group_size} does not divide the input width of {len(bad)} linear "
            f"layers (first: {bad[0]!r})",
            hint="choose a group size that divides hidden_size and intermediate_size, e.g. 32",
        )
    from executorch.extension.llm.export.quantize import quantize_model_

    with contextlib.redirect_stdout(io.StringIO()):  # it prints a line per call
        quantize_model_(model, qlinear_config="8da4w", qlinear_group_size=recipe.group_size)
    return {"quantized_linears": len(linears), "linears": len(linears)}
