"""Read a ``.tflite``: signatures with their input and output tensors, the operator set, and its TFLite
metadata when tflite-support can read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError


def inspect_tflite(path: Path) -> dict[str, Any]:
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    from sdkgen.runtimes.litert.backend import runtime_version

    try:
        interp = Interpreter(model_path=str(path))
    except Exception as e:  # the interpreter raises ValueError or RuntimeError for bad files
        raise ModelLoadError(f"{path} is not a loadable LiteRT model: {e}", hint="rebuild it with sdkgen build") from e

    def tensors(details: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"name": n, "dtype": str(np.dtype(d["dtype"])), "shape": [int(x) for x in d["shape"]]}
            for n, d in sorted(details.items(), key=lambda kv: kv[1]["index"])
        ]

    methods = []
    for key in sorted(interp.get_signature_list()):
        runner = interp.get_signature_runner(key)
        methods.append(
            {
                "name": key,
                "inputs": tensors(runner.get_input_details()),
                "outputs": tensors(runner.get_output_details()),
                "delegates": {},
                "portable_operators": sorted({op["op_name"] for op in interp._get_ops_details()}),
            }
        )
    info: dict[str, Any] = {"runtime": f"litert {runtime_version()}", "methods": methods}
    from sdkgen.runtimes.litert import metadata

    if metadata.problem() is None:
        found = metadata.read_metadata(path)
        if found is not None:
            info["tflite_metadata"] = {"model": found["metadata"], "associated_files": found["files"]}
    return info


def format_versions(path: Path) -> dict[str, Any]:
    """The versions a ``.tflite`` carries, read from the flatbuffer without an interpreter: the schema
    ``version`` (3), the converter's ``description``, and the ``min_runtime_version`` metadata entry: the
    oldest TensorFlow Lite runtime (TensorFlow numbering, e.g. ``2.16.0``) that has every operator version
    the model uses. Also whether the model carries TFLite (support library) metadata."""
    import mmap

    from ai_edge_litert import schema_py_generated as schema

    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        model = schema.Model.GetRootAs(data, 0)
        found: dict[str, Any] = {
            "schema_version": model.Version(),
            "description": (model.Description() or b"").decode("utf-8", "replace"),
            "min_runtime_version": None,
            "tflite_metadata": False,
        }
        for i in range(model.MetadataLength()):
            entry = model.Metadata(i)
            name = (entry.Name() or b"").decode()
            if name == "TFLITE_METADATA":
                found["tflite_metadata"] = True
            if name != "min_runtime_version":
                continue
            buf = model.Buffers(entry.Buffer())
            raw = (
                buf.DataAsNumpy().tobytes()
                if buf.DataLength()
                else bytes(data[buf.Offset() : buf.Offset() + buf.Size()])
            )
            found["min_runtime_version"] = raw.rstrip(b"\0").decode("ascii", "replace")
    return found
