"""Ahead-of-time NPU compilation of a ``.tflite`` with ``ai_edge_litert.aot`` and a vendor's compiler plugin.

The plugins ship in the ai-edge-litert wheel; each needs its vendor's SDK libraries, which the vendor SDK
distributions (``ai-edge-litert-sdk-qualcomm``, ``-mediatek``) download while they install. Without them
the target is skipped before lowering (``TargetInfo.modules``); with them a failed compilation is a
:class:`~sdkgen.errors.StageError` carrying the plugin's own error text. The compiled ``.tflite`` holds the
NPU bytecode and runs on the device through ``CompiledModel`` with ``Accelerator.NPU``; the host cannot
run it.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from sdkgen.errors import StageError


def compile_for_npu(model: Path, delegate: str, soc: str | None, out: Path) -> str:
    """Compile ``model`` for ``delegate`` (a key of :data:`sdkgen.runtimes.litert.NPUS`) and SoC ``soc``
    (default: the vendor's flagship in NPUS) into ``out``; returns the SoC compiled for."""
    from ai_edge_litert.aot import aot_compile

    from sdkgen.runtimes.litert import NPUS

    vendor, default_soc, _, _ = NPUS[delegate]
    target_lib = importlib.import_module(f"ai_edge_litert.aot.vendors.{vendor}.target")
    socs = [m.name for m in target_lib.SocModel if m.name != "ALL"]
    name = soc or default_soc
    if name not in socs:
        raise StageError(
            f"litert:{delegate}: litert.soc = {name!r} is not a {vendor} SoC that ai-edge-litert compiles for",
            choices=socs,
            hint="set [litert] soc to the phone's SoC, or leave it out for " + default_soc,
        )
    with tempfile.TemporaryDirectory() as tmp:
        result = aot_compile.aot_compile(
            str(model), output_dir=tmp, target=target_lib.Target(target_lib.SocModel[name]), keep_going=True
        )
        if not result.models_with_backend:
            reasons = "; ".join(_error_text(msg) for _, msg in result.failed_backends) or "no model produced"
            raise StageError(
                f"litert:{delegate}: the {vendor} NPU compiler failed for {name}: {reasons}",
                hint=f"check that the {vendor} SDK is installed completely (reinstall its ai-edge-litert-sdk "
                "package) or remove the target",
            )
        _, compiled = result.models_with_backend[0]
        out.write_bytes(compiled.model_bytes if compiled.in_memory else compiled.path.read_bytes())
    return name


def _error_text(message: str) -> str:
    """The plugin's message, with the error file it points to read in (the file is temporary)."""
    marker = "See "
    if marker in message:
        path = Path(message.split(marker, 1)[1].split(" for details", 1)[0])
        if path.is_file():
            return f"{message} -- {path.read_text(errors='replace').strip()[:2000]}"
    return message
