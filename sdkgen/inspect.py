"""``sdkgen inspect``: what an artifact holds, read from the file itself.

An artifact in a build's output folder is checked against the ``model-spec.json`` beside it first: one
written by another version of its runtime is refused (a ``.pte`` only loads in the ExecuTorch version that
wrote it, and the generated SDKs pin that version).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdkgen.cache import path_digest
from sdkgen.errors import ModelLoadError, RuntimeVersionMismatch
from sdkgen.toolchain import installed_version, require_modules

#: runtime -> (pip distribution, extra) whose installed version must equal the one that wrote the artifact
_RUNTIME_DISTRIBUTIONS = {
    "executorch": ("executorch", "executorch"),
    "litert": ("ai-edge-litert", "litert"),
    "coreml": ("coremltools", "coreml"),
}


def inspect_artifact(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ModelLoadError(
            f"artifact {str(path)!r} does not exist",
            hint="pass the path of a built artifact, e.g. dist/tiny-llm/tiny-llm-xnnpack.pte",
        )
    _check_runtime_version(path)
    sha256, size = path_digest(path)
    base = {"path": str(path), "bytes": size, "sha256": sha256}
    if path.is_dir() and path.suffix == ".mlpackage":
        require_modules(("coremltools",), "coreml", "inspecting an .mlpackage")
        from sdkgen.runtimes.coreml.backend import runtime_version
        from sdkgen.runtimes.coreml.generative import describe
        from sdkgen.runtimes.coreml.inspect import spec_versions

        return {
            **base,
            "format": "Core ML ML program (.mlpackage)",
            "runtime": f"coremltools {runtime_version()}",
            **describe(path),
            "versions": _versions(path, "coreml", spec_versions(path)),
        }
    data = b""
    if path.is_file():
        with path.open("rb") as f:
            data = f.read(8)
    if path.suffix == ".pte" or data[4:8] == b"ET12":
        require_modules(("executorch",), "executorch", "inspecting a .pte")
        from sdkgen.runtimes.executorch.inspect import format_versions, inspect_pte

        versions = _versions(path, "executorch", format_versions(path))
        return {**base, "format": "ExecuTorch program (.pte)", **inspect_pte(path), "versions": versions}
    if path.suffix == ".tflite" or data[4:8] == b"TFL3":
        require_modules(("ai_edge_litert",), "litert", "inspecting a .tflite")
        from sdkgen.runtimes.litert.inspect import format_versions as tflite_versions
        from sdkgen.runtimes.litert.inspect import inspect_tflite

        versions = _versions(path, "litert", tflite_versions(path))
        return {**base, "format": "LiteRT flatbuffer (.tflite)", **inspect_tflite(path), "versions": versions}
    raise ModelLoadError(
        f"{str(path)!r} is not an artifact sdkgen knows",
        choices=[".mlpackage", ".pte", ".tflite"],
        hint="sdkgen inspect reads ExecuTorch .pte, LiteRT .tflite and Core ML .mlpackage artifacts",
    )


def _versions(path: Path, runtime: str, inside: dict[str, Any]) -> dict[str, Any]:
    """The versions inside the artifact (``inside``: format and schema versions, what the file records of its
    writer), the exporter version its build recorded (``model-spec.json`` beside it, when there is one) and
    what a phone needs to load it (:mod:`sdkgen.runtimes.compat`)."""
    from sdkgen.runtimes.compat import RULES

    found: dict[str, Any] = dict(inside)
    art = _spec_artifact(path)
    if art is not None:
        found["exported_by"] = f"{art.runtime} {art.runtime_version}"
        if art.runtime in RULES:
            found["loads_with"] = RULES[art.runtime].needs(art.runtime_version)
    if runtime == "coreml" and inside.get("minimum_ios"):
        found["loads_with"] = f"Core ML on iOS {inside['minimum_ios']} or newer"
    return found


def _spec_artifact(path: Path) -> Any:
    """The ``ArtifactSpec`` of ``path`` in the ``model-spec.json`` beside it, or ``None``."""
    spec_file = path.parent / "model-spec.json"
    if not spec_file.is_file():
        return None
    from sdkgen.spec import ModelSpec

    try:
        spec = ModelSpec.read(spec_file)
    except (ValueError, KeyError, TypeError):
        return None
    return next((a for a in spec.artifacts if a.file == path.name), None)


def _check_runtime_version(path: Path) -> None:
    """Refuse an artifact whose build recorded another runtime version than the installed one."""
    art = _spec_artifact(path)  # none, or not a spec this sdkgen reads: inspect the file on its own
    if art is None or art.runtime not in _RUNTIME_DISTRIBUTIONS:
        return
    dist, extra = _RUNTIME_DISTRIBUTIONS[art.runtime]
    here = installed_version(dist, extra)
    if here != art.runtime_version:
        raise RuntimeVersionMismatch(
            f"{path.name} was built with {art.runtime} {art.runtime_version} (model-spec.json), "
            f"this environment has {dist} {here}",
            hint=f"pip install {dist}=={art.runtime_version} to read it, or rebuild it here with `sdkgen build` "
            f"(the generated SDKs pin the runtime version the artifact was built with)",
        )
