"""``sdkgen inspect``: what an artifact holds, read from the file itself."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError
from sdkgen.toolchain import require_modules


def inspect_artifact(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ModelLoadError(
            f"artifact {str(path)!r} does not exist or is not a file",
            hint="pass the path of a built artifact, e.g. dist/tiny-llm/tiny-llm-xnnpack.pte",
        )
    data = path.read_bytes()
    base = {"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if path.suffix == ".pte" or data[4:8] == b"ET12":
        require_modules(("executorch",), "executorch", "inspecting a .pte")
        from sdkgen.runtimes.executorch.inspect import inspect_pte

        return {**base, "format": "ExecuTorch program (.pte)", **inspect_pte(path)}
    if path.suffix == ".tflite" or data[4:8] == b"TFL3":
        require_modules(("ai_edge_litert",), "litert", "inspecting a .tflite")
        from sdkgen.runtimes.litert.inspect import inspect_tflite

        return {**base, "format": "LiteRT flatbuffer (.tflite)", **inspect_tflite(path)}
    raise ModelLoadError(
        f"{str(path)!r} is not an artifact sdkgen knows",
        choices=[".pte", ".tflite"],
        hint="sdkgen inspect reads ExecuTorch .pte and LiteRT .tflite files",
    )
