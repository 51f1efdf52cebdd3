"""Convert a SavedModel (from a Keras or SavedModel source) to ``.tflite`` with TensorFlow's TFLite converter and
run it on the host with ``ai_edge_litert``.

The converter writes the ``serving_default`` signature with inputs and outputs sorted by name (measured with
TensorFlow 2.21), and the generated SDK fills LiteRT's buffers in the flatbuffer's signature order: the
signature is read from the flatbuffer itself, fed by name on the host, and :func:`check_signature` fails when
its order differs from the golden vectors'. Two conversions of one model are byte-identical. The metadata
hooks are the litert-torch backend's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.runtimes.litert.backend import (
    SIGNATURE,
    annotate,
    annotation_key,
    check_annotation,
    delegation,
    runtime_version,
)
from sdkgen.spec import TensorCase
from sdkgen.verify import Check, Runner

__all__ = [
    "annotate",
    "annotation_key",
    "check_annotation",
    "check_signature",
    "lower_tensor",
    "open_runner",
    "runtime_version",
]


def lower_tensor(
    program: Path, module: Any, inputs: tuple[Any, ...], delegate: str, out: Path, options: dict[str, Any]
) -> dict[str, Any]:
    """Convert the SavedModel folder ``program`` (its ``serving_default``) and write ``out``; float32 as is."""
    from sdkgen.models.keras import tensorflow

    tf = tensorflow()
    converter = tf.lite.TFLiteConverter.from_saved_model(str(program), signature_keys=[SIGNATURE])
    out.write_bytes(converter.convert())
    return delegation(delegate, out)


def signature_order(artifact: Path) -> tuple[list[str], list[str]]:
    """The input and output names of ``serving_default`` in the flatbuffer's order (the SDK's buffer order)."""
    from ai_edge_litert import schema_py_generated as schema

    model = schema.Model.GetRootAs(artifact.read_bytes(), 0)
    for i in range(model.SignatureDefsLength()):
        sig = model.SignatureDefs(i)
        if sig.SignatureKey().decode() == SIGNATURE:
            inputs = [sig.Inputs(j).Name().decode() for j in range(sig.InputsLength())]
            return inputs, [sig.Outputs(j).Name().decode() for j in range(sig.OutputsLength())]
    return [], []


def check_signature(artifact: Path, cases: Sequence[TensorCase]) -> Check:
    """Names, order and shapes of the signature's inputs and the names and order of its outputs against the
    golden vectors (int64 inputs may be narrowed to int32)."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    inputs, outputs = signature_order(artifact)
    details = Interpreter(model_path=str(artifact)).get_signature_runner(SIGNATURE).get_input_details()
    got = [(n, str(np.dtype(details[n]["dtype"])), [int(d) for d in details[n]["shape"]]) for n in inputs]
    want = [(v.name, v.dtype, list(v.shape)) for v in cases[0].inputs]
    narrowed = [w[1] for w, g in zip(want, got, strict=False) if w[1] != g[1]]
    same = [(n, s) for n, _, s in got] == [(n, s) for n, _, s in want]
    same_outputs = outputs == [v.name for v in cases[0].outputs]
    detail = f"{SIGNATURE} takes {got} and returns {outputs}"
    if not same_outputs:
        detail += f"; the golden outputs are {[v.name for v in cases[0].outputs]}"
    return Check(
        "io-signature",
        "passed" if same and same_outputs else "failed",
        detail + (f"; LiteRT narrowed {narrowed} inputs" if narrowed else ""),
    )


def open_runner(artifact: Path) -> Runner:
    """``serving_default`` through ``ai_edge_litert`` on the host CPU: inputs in signature order, cast to its
    dtypes; outputs in signature order."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(artifact)).get_signature_runner(SIGNATURE)
    details = runner.get_input_details()
    inputs, outputs = signature_order(artifact)

    def run(arrays: Sequence[Any]) -> list[Any]:
        outs = runner(**{n: np.asarray(a, dtype=details[n]["dtype"]) for n, a in zip(inputs, arrays, strict=True)})
        return [outs[n] for n in outputs]

    return run
