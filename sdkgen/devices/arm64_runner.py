"""Run one LiteRT artifact on golden inputs inside the emulated aarch64 Python (``sdkgen test arm64``).

A standalone script: it runs under ``qemu-aarch64`` with the sysroot's CPython and imports only the
standard library, numpy and the runtime's aarch64 wheel, never sdkgen (whose dependencies have no place
in the sysroot). Usage::

    python3.11 -I arm64_runner.py REQUEST.json

``REQUEST.json``: ``{"runtime": "litert", "artifact": PATH, "inputs": NPZ, "outputs": NPZ, "cases": N}``.
The inputs file holds ``c<i>_i<j>`` (input ``j`` of golden case ``i``, in the model's input order); the
outputs file gets ``c<i>_o<k>`` (output ``k`` of case ``i``, in the model's output order). The last line
on stdout is JSON: the runtime's version, the machine, the seconds to load the model and to run each case.
Comparing the outputs with the golden ones is left to the host, which uses the same measure as its own
verification. Any failure is a traceback on stderr and a non-zero exit.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from importlib import metadata
from typing import Any

#: The signature sdkgen's LiteRT artifacts serve (``sdkgen.runtimes.litert.backend.SIGNATURE``).
SIGNATURE = "serving_default"


def _litert(artifact: str) -> Any:
    """``inputs -> outputs`` through ``ai_edge_litert``'s interpreter, the way the host verification
    calls it: inputs cast to the signature's dtypes, outputs ordered by their number."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=artifact).get_signature_runner(SIGNATURE)
    details = runner.get_input_details()
    names = sorted(details, key=lambda n: details[n]["index"])

    def run(inputs: list[Any]) -> list[Any]:
        outs = runner(**{n: np.asarray(a, dtype=details[n]["dtype"]) for n, a in zip(names, inputs, strict=True)})
        return [outs[k] for k in sorted(outs, key=lambda k: int(k.rsplit("_", 1)[-1]))]

    return run, metadata.version("ai-edge-litert")


RUNTIMES = {"litert": _litert}


def main(request_file: str) -> dict[str, Any]:
    import numpy as np

    with open(request_file, encoding="utf-8") as f:
        request = json.load(f)
    start = time.perf_counter()
    run, version = RUNTIMES[request["runtime"]](request["artifact"])
    loaded = time.perf_counter()
    outputs: dict[str, Any] = {}
    seconds = []
    with np.load(request["inputs"]) as inputs:
        for i in range(request["cases"]):
            arrays = [inputs[f"c{i}_i{j}"] for j in range(sum(1 for k in inputs.files if k.startswith(f"c{i}_i")))]
            t = time.perf_counter()
            for k, out in enumerate(run(arrays)):
                outputs[f"c{i}_o{k}"] = np.asarray(out)
            seconds.append(time.perf_counter() - t)
    np.savez(request["outputs"], **outputs)
    return {
        "runtime_version": version,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_seconds": loaded - start,
        "case_seconds": seconds,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
