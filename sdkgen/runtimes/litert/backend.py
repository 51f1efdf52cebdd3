"""Convert a module to ``.tflite`` with litert-torch and run it on the host with ``ai_edge_litert``.

LiteRT narrows int64 tensors to int32 at conversion (measured with litert-torch 0.10.0): the signature's
own dtypes are used to feed inputs, and the SDK binding converts the same way.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.spec import TensorCase
from sdkgen.toolchain import installed_version
from sdkgen.verify import Check, Runner

SIGNATURE = "serving_default"


def runtime_version() -> str:
    return installed_version("ai-edge-litert", "litert")


def lower_tensor(
    program: Path, module: Any, inputs: tuple[Any, ...], delegate: str, out: Path, options: dict[str, Any]
) -> dict[str, Any]:
    """Convert ``program`` (the model before quantization) with litert-torch, quantize it by
    ``options["recipe"]`` (:func:`.quantize.quantize_tflite`) and write ``out``; an NPU delegate then
    compiles it ahead of time for ``options["soc"]`` (:mod:`.npu`). ``module`` is unused: the program is
    what every runtime lowers."""
    import litert_torch
    import torch

    from sdkgen.runtimes.litert import NPUS
    from sdkgen.runtimes.litert.quantize import quantize_tflite

    recipe, group_size = options.get("recipe", "none"), options.get("group_size", 32)
    graph = torch.export.load(program).module()
    # The graph was exported in eval mode; an unlifted program refuses .eval(), and litert-torch warns that
    # a module with training=True "is converted in training mode".
    for m in graph.modules():
        m.training = False
    with contextlib.redirect_stdout(io.StringIO()):  # the quantizer prints a size summary
        converted = litert_torch.convert(graph, tuple(inputs))
        out.write_bytes(quantize_tflite(converted.model_content(), recipe, group_size))
    if delegate in NPUS:
        from sdkgen.runtimes.litert.npu import compile_for_npu

        operators = _operators(out)
        soc = compile_for_npu(out, delegate, options.get("soc"), out)
        return {SIGNATURE: {"delegates": {f"{NPUS[delegate][0]} NPU ({soc})": 1}, "portable_operators": operators}}
    return delegation(delegate, out)


def delegation(delegate: str, artifact: Path) -> dict[str, Any]:
    """The delegation facts of a CPU or GPU ``.tflite``: the accelerator LiteRT applies at load and the
    artifact's operators."""
    applied = "GPU accelerator (applied at load)" if delegate == "gpu" else "XNNPACK (applied at load)"
    return {SIGNATURE: {"delegates": {applied: 1}, "portable_operators": _operators(artifact)}}


def annotation_key(task: str) -> str | None:
    """What the metadata :func:`annotate` writes for ``task`` depends on (the writer's version), for the
    lowering's cache key; ``None`` when the task has no metadata."""
    from sdkgen.runtimes.litert import metadata

    if task not in metadata.TASKS:
        return None
    return metadata.writer_version() or "unavailable"


#: Why a recipe's artifact gets no metadata: tflite-support 0.4.4 re-serialises the model with its own
#: flatbuffer schema, which predates block-wise quantization, so the int4 blocks' parameters are dropped and
#: LiteRT refuses the file ("Blockwise quantization details are missing", measured).
NO_METADATA = {
    "8da4w": "not written: tflite-support 0.4.4's metadata writer drops block-wise int4 quantization parameters "
    "(its flatbuffer schema predates them), so the int4 model carries no TFLite metadata"
}


def annotate(artifact: Path, task: dict[str, Any], options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the TFLite metadata of ``task`` into ``artifact`` when the task has metadata and
    tflite-support's writers can run on the artifact's recipe (``options["recipe"]``); says what was
    written or why not."""
    from sdkgen.runtimes.litert import metadata

    if task["task"] not in metadata.TASKS:
        return {}
    skip = NO_METADATA.get((options or {}).get("recipe", "none"))
    if skip:
        return {"tflite_metadata": skip}
    why = metadata.problem()
    if why is not None:
        return {"tflite_metadata": f"not written: {why}; {metadata.INSTALL_HINT}"}
    return {"tflite_metadata": metadata.write_metadata(artifact, task)}


def check_annotation(artifact: Path, task: dict[str, Any], options: dict[str, Any] | None = None) -> Check:
    """The metadata read back from ``artifact`` against ``task`` (not executed for a recipe that gets none)."""
    from sdkgen.runtimes.litert.metadata import check_metadata

    skip = NO_METADATA.get((options or {}).get("recipe", "none"))
    if skip:
        return Check("tflite-metadata", "not_executed", skip)
    return check_metadata(artifact, task)


def _operators(path: Path) -> list[str]:
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_path=str(path))
    return sorted({op["op_name"] for op in interp._get_ops_details()})


def _signature(artifact: Path) -> tuple[Any, dict[str, Any], list[str]]:
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(artifact)).get_signature_runner(SIGNATURE)
    details = runner.get_input_details()
    return runner, details, sorted(details, key=lambda n: details[n]["index"])


def check_signature(artifact: Path, cases: Sequence[TensorCase]) -> Check:
    """The signature's input shapes against the golden inputs (int64 inputs may be narrowed to int32)."""
    import numpy as np

    _, details, names = _signature(artifact)
    got = [(str(np.dtype(details[n]["dtype"])), [int(d) for d in details[n]["shape"]]) for n in names]
    want = [(v.dtype, list(v.shape)) for v in cases[0].inputs]
    narrowed = [w[0] for w, g in zip(want, got, strict=False) if w[0] != g[0]]
    same_shapes = [g[1] for g in got] == [w[1] for w in want]
    return Check(
        "io-signature",
        "passed" if same_shapes and len(got) == len(want) else "failed",
        f"{SIGNATURE} takes {got}" + (f"; LiteRT narrowed {narrowed} inputs" if narrowed else ""),
    )


def open_runner(artifact: Path) -> Runner:
    """The ``serving_default`` signature through ``ai_edge_litert`` on the host CPU (a ``litert:gpu``
    artifact is the same file; its GPU numerics are checked by the device tests); inputs are cast to its
    dtypes."""
    import numpy as np

    runner, details, names = _signature(artifact)

    def run(inputs: Sequence[Any]) -> list[Any]:
        outs = runner(**{n: np.asarray(a, dtype=details[n]["dtype"]) for n, a in zip(names, inputs, strict=True)})
        # Signature outputs are named output_0, output_1, ...: order them by number, not as strings.
        return [outs[k] for k in sorted(outs, key=lambda k: int(k.rsplit("_", 1)[-1]))]

    return run
