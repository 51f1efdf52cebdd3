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


#: The flatbuffer file identifier of every ExecuTorch 1.x ``.pte`` (``schema/program.fbs``).
FILE_IDENTIFIER = "ET12"


def format_versions(path: Path) -> dict[str, Any]:
    """The format versions a ``.pte`` carries, read from its first bytes without ExecuTorch: the flatbuffer
    ``file_identifier`` (``ET12``), ``Program.version`` (``EXECUTORCH_SCHEMA_VERSION``) and whether it has
    the extended header (``eh00``) that places segments after the flatbuffer. A ``.pte`` does not record
    the ExecuTorch version that wrote it: that is in the build's ``model-spec.json``."""
    import mmap
    import struct

    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if len(data) < 16:
            raise ModelLoadError(f"{path} is too short for an ExecuTorch program", hint="rebuild it with sdkgen build")
        identifier = bytes(data[4:8]).decode("ascii", "replace")
        extended = bytes(data[8:12]) == b"eh00"
        # Flatbuffer: the root table's offset, then its vtable (a signed back-offset); field 0 is ``version``.
        table = struct.unpack_from("<I", data, 0)[0]
        vtable = table - struct.unpack_from("<i", data, table)[0]
        vtable_size = struct.unpack_from("<H", data, vtable)[0]
        field = struct.unpack_from("<H", data, vtable + 4)[0] if vtable_size > 4 else 0
        version = struct.unpack_from("<I", data, table + field)[0] if field else 0
    return {"file_identifier": identifier, "schema_version": version, "extended_header": extended}
