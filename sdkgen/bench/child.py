"""One artifact's measurements in a process of its own (``python -m sdkgen.bench.child SETTINGS_JSON``), so its
peak memory is its own and one runtime's allocations or thread pools do not slow another's.

Protocol (JSON lines on the process's original stdout; anything the runtimes print goes to stderr):

1. after importing the runtime, loading the artifact and running the first prompt, one line
   ``{"baseline_rss_kb", "load_s", "first_call_s"}``: resident memory before the load, the load's seconds and
   the first prefill's (or forward's) seconds, cold;
2. for each line ``probe`` on stdin, one probe's sample (:mod:`sdkgen.compress.bench`);
3. on ``done``, ``{"peak_rss_kb"}`` (this process's peak resident memory, :func:`_rss_kb`) and exit.

A failure prints ``{"error": "..."}`` and exits 1.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _rss_kb() -> int:
    """This process's peak resident memory in KiB: ``VmHWM`` of its own address space where /proc has it.
    Linux's ``ru_maxrss`` keeps the peak of the image ``execve`` replaced (the parent's copy, measured: the
    children of an 800 MB parent all reported 800 MB), so it is the fallback only (macOS: bytes)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024 if sys.platform == "darwin" else peak)


def _import_runtime(target: str, task: str) -> None:
    """Import what loading the artifact needs, so the load time is the load's alone."""
    import numpy  # noqa: F401

    if target.startswith("executorch"):
        import executorch.kernels.quantized  # noqa: F401
        import torch  # noqa: F401
        from executorch.extension.pybindings import portable_lib  # noqa: F401
    else:
        from ai_edge_litert import interpreter  # noqa: F401
    if task == "text-generation":
        from sdkgen.runtimes.executorch import verify  # noqa: F401
        from sdkgen.runtimes.litert import generative  # noqa: F401
    else:
        from sdkgen import stages
        from sdkgen.runtimes import TARGETS, load_runtimes

        load_runtimes()
        stages.backend(TARGETS.get(target))


def main(settings: dict[str, Any], out: Any) -> int:
    from sdkgen.compress.sweep import artifact_probe

    def send(obj: dict[str, Any]) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    try:
        _import_runtime(settings["target"], settings["task"])
        baseline = _rss_kb()
        t0 = time.perf_counter()
        probe = artifact_probe(
            Path(settings["artifact"]),
            settings["target"],
            settings["task"],
            Path(settings["build"]),
            prompt_len=settings["prompt_len"],
            decode_tokens=settings["decode_tokens"],
        )
        load = time.perf_counter() - t0
        if probe is None:
            raise RuntimeError(f"{settings['target']} does not run on this host")
        first = probe()  # cold: the first prefill (or forwards) after the load
    except Exception as e:
        send({"error": f"{type(e).__name__}: {e}"})
        return 1
    cold = first["prefill"] if "prefill" in first else first["forward"]
    send({"baseline_rss_kb": baseline, "load_s": load, "first_call_s": cold})
    for line in sys.stdin:
        if line.strip() == "probe":
            send(probe())
        elif line.strip() == "done":
            break
    send({"peak_rss_kb": _rss_kb()})
    return 0


if __name__ == "__main__":
    # The protocol keeps the original stdout; fd 1 becomes stderr so native code's prints cannot corrupt it.
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.exit(main(json.loads(sys.argv[1]), protocol))
