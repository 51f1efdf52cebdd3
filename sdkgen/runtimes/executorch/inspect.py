"""Read a ``.pte``: methods with input/output tensors, constant methods' values, delegates per method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError


def inspect_pte(path: Path) -> dict[str, Any]:
    from executorch.extension.pybindings.portable_lib import _load_for_executorch

    from sdkgen.runtimes.executorch.lower import delegation_of, runtime_version

    try:
        delegation = delegation_of(path)
        module = _load_for_executorch(str(path))
    except Exception as e:  # the flatbuffer reader and the runtime raise assorted types
        raise ModelLoadError(
            f"{path} is not a loadable ExecuTorch program: {e}",
            hint="rebuild it with sdkgen build; a .pte only loads in the ExecuTorch version that wrote it",
        ) from e
    methods = []
    for name in sorted(delegation):
        meta = module.method_meta(name)
        entry: dict[str, Any] = {
            "name": name,
            "delegates": delegation[name]["delegates"],
            "portable_operators": delegation[name]["portable_operators"],
        }
        if meta.num_inputs() == 0:  # a constant method: report its value, its output is not a tensor
            out = module.run_method(name, ())
            entry["value"] = out[0] if len(out) == 1 else list(out)
        else:
            entry["inputs"] = [_tensor(meta.input_tensor_meta(i)) for i in range(meta.num_inputs())]
            entry["outputs"] = [_tensor(meta.output_tensor_meta(i)) for i in range(meta.num_outputs())]
        methods.append(entry)
    return {"runtime": f"executorch {runtime_version()}", "methods": methods}


#: ExecuTorch ScalarType codes (runtime/core/portable_type/scalar_type.h) as spec dtype names.
SCALAR_TYPES = {
    0: "uint8",
    1: "int8",
    2: "int16",
    3: "int32",
    4: "int64",
    5: "float16",
    6: "float32",
    7: "float64",
    11: "bool",
    15: "bfloat16",
}


def _tensor(t: Any) -> dict[str, Any]:
    code = int(t.dtype())
    return {"dtype": SCALAR_TYPES.get(code, f"scalar_type_{code}"), "shape": list(t.sizes()), "bytes": t.nbytes()}
