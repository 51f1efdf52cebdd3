"""Map a :class:`~sdkgen.compress.Recipe`'s quantization onto ExecuTorch's mechanisms.

- ``8da4w``, ``8da8w``: torchao source transforms (``quantize_model_``), run by XNNPACK's dynamically
  quantized linear kernels.
- ``fp16``: the model in float16 with float32 inputs and outputs (XNNPACK's fp16 kernels).
- ``static-int8``: PT2E with XNNPACK's quantizer (static per-tensor activations, per-channel weights),
  observers calibrated on the calibration inputs.
- embeddings ``int8`` / ``int4``: ExecuTorch's quantized embedding (``quantized_decomposed.embedding_byte``
  / ``embedding_4bit``, portable kernels).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from typing import Any

from sdkgen.compress import Recipe
from sdkgen.errors import ConfigError


def quantize(
    model: Any, recipe: Recipe, calibration: Sequence[tuple[Any, ...]] = (), *, float32_io: bool = True
) -> tuple[Any, dict[str, Any]]:
    """Quantize ``model`` for ExecuTorch; returns the model to export (the same module changed in place,
    or a new one for ``static-int8`` and, with ``float32_io``, ``fp16``) and a summary. ``calibration``
    holds example input tuples (``static-int8``). ``float32_io``: an ``fp16`` model keeps float32 inputs
    and outputs (tensor tasks); text generation exports the float16 model itself (its runner reads
    float16 logits)."""
    import torch

    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    summary: dict[str, Any] = {"linears": len(linears), "quantized_linears": 0}
    if recipe.name in ("8da4w", "8da8w"):
        group = recipe.group_size if recipe.name == "8da4w" else 0
        bad = [n for n, m in linears if group and m.in_features % group]
        if bad:
            raise ConfigError(
                f"compress.group_size = {group} does not divide the input width of {len(bad)} linear layers "
                f"(first: {bad[0]!r})",
                hint="choose a group size that divides hidden_size and intermediate_size, e.g. 32",
            )
        from executorch.extension.llm.export.quantize import quantize_model_

        with contextlib.redirect_stdout(io.StringIO()):  # it prints a line per call
            quantize_model_(model, qlinear_config=recipe.name, qlinear_group_size=group)
        summary["quantized_linears"] = len(linears)
    if recipe.embeddings != "none":
        summary["quantized_embeddings"] = _quantize_embeddings(model, recipe)
    if recipe.name == "fp16":
        model = model.to(torch.float16)
        if float32_io:
            model = _float32_io(model)
        summary["dtype"] = "float16"
    elif recipe.name == "static-int8":
        if not calibration:
            raise ConfigError("static-int8 needs calibration inputs", hint="set compress.calibration")
        model = _static_int8(model, calibration)
        summary["calibration_inputs"] = len(calibration)
        summary["quantized_linears"] = len(linears)
    return model, summary


def _float32_io_class() -> Any:
    import torch

    class Float32IO(torch.nn.Module):
        """Runs a float16 module on float32 inputs and returns float32 outputs, so the artifact keeps the
        model's input and output types (the SDKs and golden vectors stay float32)."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: Any) -> Any:
            out = self.inner(*[a.half() if a.is_floating_point() else a for a in args])
            return torch.utils._pytree.tree_map(
                lambda x: x.float() if isinstance(x, torch.Tensor) and x.is_floating_point() else x, out
            )

    return Float32IO


def _float32_io(inner: Any) -> Any:
    return _float32_io_class()(inner).eval()


def _static_int8(model: Any, calibration: Sequence[tuple[Any, ...]]) -> Any:
    import torch
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer,
        get_symmetric_quantization_config,
    )
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    quantizer = XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True))
    graph = torch.export.export(model, tuple(calibration[0]), strict=False).module()
    prepared = prepare_pt2e(graph, quantizer)
    with torch.no_grad():
        for inputs in calibration:
            prepared(*inputs)
    return convert_pt2e(prepared)


def _quantize_embeddings(model: Any, recipe: Recipe) -> int:
    import executorch.kernels.quantized  # noqa: F401  (registers the quantized embedding ops)
    import torch
    from executorch.examples.models.llama.source_transformation.quantize import get_quant_embedding_transform

    count = sum(isinstance(m, torch.nn.Embedding) for m in model.modules())
    spec = "8,0" if recipe.embeddings == "int8" else f"4,{recipe.group_size}"
    with torch.no_grad():
        get_quant_embedding_transform(spec)(model)
    return count
