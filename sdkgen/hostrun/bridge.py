"""The runtime side of a host run: serves ExecuTorch programs to the JVM stand-ins over stdin/stdout.

Run as ``python -m sdkgen.hostrun.bridge``; one process serves one JVM. Frames are a little-endian int32
length and a payload; a request payload starts with an op byte. Every reply starts with an int32 status
(0, or ExecuTorch's error code from ``runtime/core/error.h``) and a message string. Strings are int32 length
plus UTF-8; tensors are int32 DType code (``org.pytorch.executorch.DType.jniCode``), int32 rank, int64 dims,
int32 byte count and the raw little-endian bytes.

=====  ===================================  =====================================================
op     request                              reply payload
=====  ===================================  =====================================================
1      path, int32 load mode                int32 handle (nothing is read yet: like C++ ``Module``)
2      handle, method                       (status only) loads the method
3      handle, method, int32 n, n EValues   int32 n, n EValues (the outputs)
4      handle                               int32 n, n method names
5      handle                               (status only) forgets the module
20     path                                 int32 handle (a LiteRT model; fails when unreadable)
21     handle, signature, name, int8 input  int32 DType code, int32 rank, int32 dims (of the tensor)
22     handle, signature, int32 n, n (name,  int32 n, n (name, tensor): every output of the signature
       tensor)
23     handle                               (status only) forgets the model
24     handle, int32 index                  the signature key at ``index``
25     handle, signature                    int32 n, n input names, int32 m, m output names
=====  ===================================  =====================================================

Replies to the LiteRT ops (20-25) carry LiteRT's status codes (``LiteRtStatus``: 1 invalid argument, 3 runtime
failure, 6 not found, 500 file I/O), which ``LiteRtException(code, message)`` takes.

LiteRT models run through ``ai_edge_litert.interpreter.Interpreter``'s signature runners (XNNPACK on the
CPU, as ``Accelerator.CPU`` does on a phone); an empty signature name means the model's first signature.

The program is loaded with ``_load_for_executorch`` on first use, after importing ExecuTorch's LLM custom
ops (``llama::update_cache``, ``llama::custom_sdpa``) and quantized kernels, as the Android AAR links them;
the loaded methods keep their mutable buffers (a KV cache) between calls, as on the phone.
"""

from __future__ import annotations

import io
import re
import struct
import sys
from typing import Any, BinaryIO

from sdkgen.runtimes.executorch.inspect import SCALAR_TYPES

OK, INTERNAL, INVALID_ARGUMENT, NOT_FOUND, ACCESS_FAILED = 0x00, 0x01, 0x12, 0x20, 0x22
#: ExecuTorch error code -> LiteRtStatus, for the LiteRT ops' replies
LITERT_STATUS = {INVALID_ARGUMENT: 1, INTERNAL: 3, NOT_FOUND: 6, ACCESS_FAILED: 500}
#: DType.jniCode (ExecuTorch's ScalarType code) -> numpy dtype name; numpy has no bfloat16.
DTYPES = {code: name for code, name in SCALAR_TYPES.items() if name != "bfloat16"}
_CODE = re.compile(r"(?:error|Error)[^0-9]*0x([0-9a-fA-F]+)")


class BridgeError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class Reader:
    def __init__(self, data: bytes) -> None:
        self.buf = io.BytesIO(data)

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.buf.read(size))[0]

    def string(self) -> str:
        n = self.take("<i")
        return self.buf.read(n).decode("utf-8")

    def tensor(self) -> Any:
        import numpy as np

        code = self.take("<i")
        rank = self.take("<i")
        dims = [self.take("<q") for _ in range(rank)]
        data = self.buf.read(self.take("<i"))
        if code not in DTYPES:
            raise BridgeError(INVALID_ARGUMENT, f"Unsupported tensor dtype code: {code}")
        return np.frombuffer(data, dtype=DTYPES[code]).reshape(dims).copy()

    def evalue(self) -> Any:
        tag = self.take("<b")
        if tag == 1:
            import torch

            return torch.from_numpy(self.tensor())
        if tag == 3:
            return self.take("<d")
        if tag == 4:
            return self.take("<q")
        if tag == 5:
            return bool(self.take("<b"))
        raise BridgeError(INVALID_ARGUMENT, f"Unsupported input EValue type code: {tag}")


class Writer:
    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def put(self, fmt: str, value: Any) -> None:
        self.buf.write(struct.pack(fmt, value))

    def string(self, s: str) -> None:
        b = s.encode("utf-8")
        self.put("<i", len(b))
        self.buf.write(b)

    def evalue(self, v: Any) -> None:
        import numpy as np
        import torch

        if v is None:
            self.put("<b", 0)
        elif isinstance(v, torch.Tensor):
            a = np.ascontiguousarray(v.detach().cpu().numpy())
            code = next((c for c, n in DTYPES.items() if n == a.dtype.name), None)
            if code is None:
                raise BridgeError(INTERNAL, f"output dtype {a.dtype} has no DType")
            self.put("<b", 1)
            self.put("<i", code)
            self.put("<i", a.ndim)
            for d in a.shape:
                self.put("<q", d)
            raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
            self.put("<i", len(raw))
            self.buf.write(raw)
        elif isinstance(v, bool):
            self.put("<b", 5)
            self.put("<b", int(v))
        elif isinstance(v, int):
            self.put("<b", 4)
            self.put("<q", v)
        elif isinstance(v, float):
            self.put("<b", 3)
            self.put("<d", v)
        else:
            raise BridgeError(INTERNAL, f"output of type {type(v).__name__} has no EValue")


class Programs:
    """The modules the JVM opened, by handle; each loads its program on first use."""

    def __init__(self) -> None:
        self.paths: dict[int, str] = {}
        self.loaded: dict[int, Any] = {}
        self.next = 1

    def open(self, path: str) -> int:
        handle = self.next
        self.next += 1
        self.paths[handle] = path
        return handle

    def module(self, handle: int) -> Any:
        if handle not in self.paths:
            raise BridgeError(INTERNAL, f"no module {handle}")
        if handle not in self.loaded:
            self.loaded[handle] = _load(self.paths[handle])
        return self.loaded[handle]

    def close(self, handle: int) -> None:
        self.paths.pop(handle, None)
        self.loaded.pop(handle, None)


class LiteRtModels:
    """The LiteRT models the JVM opened, by handle."""

    def __init__(self) -> None:
        self.models: dict[int, Any] = {}
        self.next = 1

    def open(self, path: str) -> int:
        from ai_edge_litert.interpreter import Interpreter

        try:
            interpreter = Interpreter(model_path=path)
        except (ValueError, RuntimeError) as e:
            raise BridgeError(ACCESS_FAILED, f"Failed to create model from {path}: {e}") from None
        handle = self.next
        self.next += 1
        self.models[handle] = interpreter
        return handle

    def runner(self, handle: int, signature: str) -> Any:
        interpreter = self.models.get(handle)
        if interpreter is None:
            raise BridgeError(INTERNAL, f"no model {handle}")
        keys = list(interpreter.get_signature_list())
        key = signature or (keys[0] if keys else None)
        if key not in keys:
            raise BridgeError(INVALID_ARGUMENT, f"signature {signature!r} not found (signatures: {keys})")
        return interpreter.get_signature_runner(key)


def _method_names(module: Any) -> set[str]:
    """The program's method names; reading them loads the program, which fails for a file that is not one."""
    try:
        return set(module.method_names())
    except RuntimeError as e:
        raise BridgeError(_code(e, INVALID_ARGUMENT), f"Failed to load program: {e}") from None


def _load(path: str) -> Any:
    import executorch.extension.llm.custom_ops.custom_ops
    import executorch.kernels.quantized  # noqa: F401  (quantized embedding kernels, linked in the AAR too)
    from executorch.extension.pybindings.portable_lib import _load_for_executorch

    try:
        return _load_for_executorch(path)
    except (RuntimeError, ValueError) as e:
        raise BridgeError(_code(e, ACCESS_FAILED), f"Failed to load program {path}: {e}") from None


def _code(e: Exception, default: int) -> int:
    m = _CODE.search(str(e))
    return int(m.group(1), 16) if m else default


def handle_request(programs: Programs, payload: bytes, litert: LiteRtModels | None = None) -> bytes:
    """One request in, one reply out; never raises."""
    litert = litert if litert is not None else LiteRtModels()
    r, w = Reader(payload), Writer()
    body = Writer()
    try:
        op = r.take("<b")
        if op == 1:
            path = r.string()
            r.take("<i")  # load mode: the host reads the file whole either way
            body.put("<i", programs.open(path))
        elif op == 2:
            module = programs.module(r.take("<i"))
            name = r.string()
            if name not in _method_names(module):
                raise BridgeError(INVALID_ARGUMENT, f"Failed to load method: {name}")
        elif op == 3:
            handle, name = r.take("<i"), r.string()
            inputs = [r.evalue() for _ in range(r.take("<i"))]
            module = programs.module(handle)
            if name not in _method_names(module):
                raise BridgeError(INVALID_ARGUMENT, "Execution failed for method: " + name)
            try:
                outputs = module.run_method(name, inputs)
            except RuntimeError as e:
                raise BridgeError(_code(e, INTERNAL), f"Execution failed for method: {name} ({e})") from None
            body.put("<i", len(outputs))
            for o in outputs:
                body.evalue(o)
        elif op == 4:
            names = sorted(_method_names(programs.module(r.take("<i"))))
            body.put("<i", len(names))
            for n in names:
                body.string(n)
        elif op == 5:
            programs.close(r.take("<i"))
        elif op == 20:
            body.put("<i", litert.open(r.string()))
        elif op == 21:
            runner = litert.runner(r.take("<i"), r.string())
            name, is_input = r.string(), r.take("<b")
            details = runner.get_input_details() if is_input else runner.get_output_details()
            if name not in details:
                raise BridgeError(INVALID_ARGUMENT, f"tensor {name!r} not found (have: {sorted(details)})")
            d = details[name]
            code = next((c for c, n in DTYPES.items() if n == d["dtype"].__name__), None)
            if code is None:
                raise BridgeError(INTERNAL, f"tensor {name!r} has element type {d['dtype'].__name__}")
            body.put("<i", code)
            body.put("<i", len(d["shape"]))
            for dim in d["shape"]:
                body.put("<i", int(dim))
        elif op == 22:
            runner = litert.runner(r.take("<i"), r.string())
            inputs = {}
            for _ in range(r.take("<i")):
                name = r.string()
                inputs[name] = r.tensor()
            try:
                outputs = runner(**inputs)
            except (ValueError, RuntimeError) as e:
                raise BridgeError(INTERNAL, f"Failed to run the compiled model: {e}") from None
            body.put("<i", len(outputs))
            for name, value in sorted(outputs.items()):
                import torch

                body.string(name)
                body.evalue(torch.from_numpy(value.copy()))
        elif op == 23:
            litert.models.pop(r.take("<i"), None)
        elif op == 24:
            interpreter = litert.models.get(r.take("<i"))
            keys = list(interpreter.get_signature_list()) if interpreter is not None else []
            index = r.take("<i")
            if not 0 <= index < len(keys):
                raise BridgeError(INVALID_ARGUMENT, f"signature index {index} out of range ({len(keys)} signatures)")
            body.string(keys[index])
        elif op == 25:
            handle, signature = r.take("<i"), r.string()
            interpreter = litert.models[handle]
            runner = litert.runner(handle, signature)
            key = signature or next(iter(interpreter.get_signature_list()))
            names = interpreter.get_signature_list()[key]
            del runner
            for group in ("inputs", "outputs"):
                body.put("<i", len(names[group]))
                for n in names[group]:
                    body.string(n)
        else:
            raise BridgeError(INTERNAL, f"unknown op {op}")
        w.put("<i", OK)
        w.string("")
        w.buf.write(body.buf.getvalue())
    except Exception as e:  # the JVM gets every failure as an error reply, never a dead pipe
        code = e.code if isinstance(e, BridgeError) else INTERNAL
        w = Writer()
        w.put("<i", LITERT_STATUS.get(code, 3) if payload[:1] and 20 <= payload[0] <= 29 else code)
        w.string(str(e) if isinstance(e, BridgeError) else f"{type(e).__name__}: {e}")
    return w.buf.getvalue()


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    programs, litert = Programs(), LiteRtModels()
    while True:
        head = inp.read(4)
        if len(head) < 4:
            return
        payload = inp.read(struct.unpack("<i", head)[0])
        reply = handle_request(programs, payload, litert)
        out.write(struct.pack("<i", len(reply)) + reply)
        out.flush()


def main() -> None:
    # Runtimes print to stdout (ExecuTorch logs, torch warnings): the protocol gets a private copy of fd 1,
    # and fd 1 itself is pointed at stderr.
    import os

    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    serve(sys.stdin.buffer, proto)


if __name__ == "__main__":
    main()
