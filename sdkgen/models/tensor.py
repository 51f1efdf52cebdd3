"""The tensor task: plain tensors in and out, one ``forward`` method with the example inputs' shapes.

Golden vectors are the eager outputs for the example inputs and for seeded random inputs of the same
shapes and dtypes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdkgen.spec import MethodSpec, TensorCase, TensorSpec, TensorValue

if TYPE_CHECKING:
    from sdkgen.verify.tensor import Quality


@dataclass
class TensorModel:
    """A tensor-shaped task's model, ready for the shared stages.

    ``module`` (eval mode, no grad) is exported with ``inputs``; ``cases`` are the golden inputs (the
    first is ``inputs``); ``spec_fields`` go into the ModelSpec; ``files`` (name -> text) ship beside the
    artifact; ``quality`` measures the eager model and each runnable artifact; ``fingerprint`` hashes
    everything the model stages depend on. ``framework`` is ``torch`` (``module`` is a ``torch.nn.Module`` and
    ``inputs`` are tensors) or ``tensorflow`` (``module`` is a :class:`~sdkgen.models.keras.TfSource` and
    ``inputs`` are numpy arrays); ``framework_version`` is the TensorFlow version the stages depend on."""

    module: Any
    inputs: tuple[Any, ...]
    input_names: list[str]
    fingerprint: str
    cases: list[tuple[Any, ...]]
    spec_fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    quality: Quality | None = None
    strict_export: bool = True
    #: Calibration data file -> model input tuples (static quantization); ``None``: the task has none.
    calibrate: Callable[[Path], list[tuple[Any, ...]]] | None = None
    framework: str = "torch"
    framework_version: str | None = None


def load_tensor_model(source: str, root: Path) -> TensorModel:
    """The ``tensor`` task: a factory's module; golden inputs are the example and two seeded random ones."""
    from sdkgen.models.factory import load_factory

    fm = load_factory(source, root)
    return TensorModel(fm.module, fm.inputs, fm.input_names, fm.fingerprint, golden_inputs(fm.inputs))


DTYPES = {"torch.float32": "float32", "torch.int64": "int64", "torch.int32": "int32"}


def dtype_name(t: Any) -> str:
    name = DTYPES.get(str(t.dtype))
    if name is None:
        from sdkgen.errors import ModelLoadError

        raise ModelLoadError(
            f"tensor dtype {t.dtype} is not supported",
            choices=list(DTYPES.values()),
            hint="cast inputs to one of these",
        )
    return name


def flatten_outputs(out: Any) -> list[tuple[str, Any]]:
    """Name the outputs: a dict keeps its keys, a tuple becomes output, output1, ..., a tensor ``output``."""
    if isinstance(out, dict):
        return list(out.items())
    if isinstance(out, (tuple, list)):
        return [("output" if i == 0 else f"output{i}", o) for i, o in enumerate(out)]
    return [("output", out)]


def golden_inputs(inputs: Sequence[Any], extra: int = 2, seed: int = 0) -> list[tuple[Any, ...]]:
    """The example inputs plus ``extra`` seeded random inputs of the same shapes (ints within the examples' range)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    cases = [tuple(inputs)]
    for _ in range(extra):
        case = []
        for t in inputs:
            if t.is_floating_point():
                case.append(torch.randn(t.shape, generator=g, dtype=t.dtype))
            else:
                hi = int(t.max()) + 1 if t.numel() else 1
                case.append(torch.randint(0, max(hi, 1), t.shape, generator=g, dtype=t.dtype))
        cases.append(tuple(case))
    return cases


def run_eager(module: Any, inputs: Sequence[Any]) -> list[tuple[str, Any]]:
    import torch

    with torch.no_grad():
        return flatten_outputs(module(*inputs))


def tensor_cases(module: Any, names: Sequence[str], cases: Sequence[Sequence[Any]]) -> list[TensorCase]:
    result = []
    for case in cases:
        outs = run_eager(module, case)
        result.append(
            TensorCase(
                tuple(_value(n, t) for n, t in zip(names, case, strict=True)),
                tuple(_value(n, t) for n, t in outs),
            )
        )
    return result


def _value(name: str, t: Any) -> TensorValue:
    vals = t.detach().reshape(-1).tolist()
    return TensorValue(name, dtype_name(t), tuple(t.shape), tuple(vals))


def method_specs(case: TensorCase) -> tuple[MethodSpec, ...]:
    return (
        MethodSpec(
            "forward",
            tuple(TensorSpec(v.name, v.dtype, v.shape) for v in case.inputs),
            tuple(TensorSpec(v.name, v.dtype, v.shape) for v in case.outputs),
        ),
    )


def export_tensor(module: Any, inputs: Sequence[Any], strict: bool = True) -> Any:
    import torch

    return torch.export.export(module, tuple(inputs), strict=strict)
