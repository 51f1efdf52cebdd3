"""Peak host memory of a text-generation build, per target and recipe (the data behind sdkgen.resources).

    python benchmarks/resources.py make-model OUT --params 20e6   # a random Llama of about that size
    python benchmarks/resources.py measure MODEL --target executorch:xnnpack --recipe 8da4w --json results.json

``measure`` writes a one-target ``sdkgen.toml`` beside a fresh stage cache in a temporary folder, runs
``pipeline.build(..., sdks=False)`` in a child process (load, reference, compress, golden, export, lower,
verify: every stage that holds the model) and records

- per stage, the child's peak resident set (``VmHWM``, reset with ``/proc/self/clear_refs`` before each
  stage, so a stage's peak is its own);
- the whole child's peak: the largest stage peak (resetting ``VmHWM`` also resets ``ru_maxrss``, so
  ``wait4``'s figure alone falls short), and the peak of the processes it ran itself (ExecuTorch's runner
  child).

One measurement at a time: the figures are only meaningful on a host that is not swapping.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's sdkgen, whatever the virtualenv installed
TINY = ROOT / "samples" / "tiny-llm"
#: The config.json fields a measurement records (what sdkgen.resources reads besides the parameter count).
SHAPE_KEYS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
)


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def make_model(out: Path, params: float, seed: int = 0) -> int:
    """A random-weight Llama with the tiny-llm tokenizer (vocab 2048) and about ``params`` parameters."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    # hidden, intermediate, layers, heads, kv heads: chosen so that the count lands near the request.
    shapes = {2e6: (192, 512, 4, 4, 2), 20e6: (512, 1536, 6, 8, 4), 60e6: (768, 2048, 8, 12, 4)}
    hidden, inter, layers, heads, kv = shapes[min(shapes, key=lambda p: abs(p - params))]
    cfg = LlamaConfig(
        vocab_size=2048,
        hidden_size=hidden,
        intermediate_size=inter,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv,
        head_dim=hidden // heads,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(cfg)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(TINY / "model" / name, out / name)
    n = sum(p.numel() for p in model.parameters())
    print(f"{out}: {n} parameters")
    return n


def _config(model: Path, targets: list[str], recipe: str) -> str:
    """A build of ``targets``: ``recipe`` for ExecuTorch XNNPACK, fp32 for the others (as in tiny-llm)."""
    others = [t for t in targets if t != "executorch:xnnpack"]
    pairs = ", ".join(f'"{t}" = "none"' for t in others)
    own = f"targets = {{ {pairs} }}\n" if others else ""
    return f"""targets = {json.dumps(targets)}
[model]
source = "{model}"
task = "text-generation"
name = "res"
[compress]
recipe = "{recipe}"
group_size = 32
{own}[export]
max_seq_len = 128
prefill_len = 32
[android]
package = "com.example.res"
[ios]
module = "ResKit"
minimum_ios = "18.0"
[verify]
prompts = ["The list", "A function is"]
max_new_tokens = 8
heldout_text = "{TINY / "heldout.txt"}"
max_perplexity_increase = 100.0
"""


def _child(config: Path, out: Path, cache: Path, result: Path) -> None:
    """Runs in the measured process: the build with a per-stage peak probe around every stage."""
    from sdkgen import stages
    from sdkgen.config import load_config
    from sdkgen.pipeline import build

    peaks: dict[str, int] = {"imports": _kib("VmHWM")}
    original = stages.StageRunner._stage

    def probed(self: Any, name: str, k: str, fn: Any, label: str | None = None) -> Path:
        _reset_peak()
        try:
            return original(self, name, k, fn, label)
        finally:
            peaks[label or name] = max(peaks.get(label or name, 0), _kib("VmHWM"))

    stages.StageRunner._stage = probed  # type: ignore[method-assign]
    status = "passed"
    try:
        build(load_config(config), out, cache_root=cache, sdks=False, log=lambda m: None)
    except Exception as e:  # a failed check on random weights still measured the memory it took
        status = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.write_text(json.dumps({"stages_kib": peaks, "subprocess_kib": children, "status": status}))


def measure(model: Path, target: str, recipe: str) -> dict[str, Any]:
    from sdkgen.models.hf import inspect_checkpoint

    info = inspect_checkpoint(model)
    with tempfile.TemporaryDirectory(prefix="sdkgen-res-") as tmp:
        d = Path(tmp)
        (d / "sdkgen.toml").write_text(_config(model.resolve(), target.split(","), recipe))
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "_child",
                str(d / "sdkgen.toml"),
                str(d / "out"),
                str(d / "cache"),
                str(d / "r.json"),
            ],
            cwd=ROOT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        if not (d / "r.json").is_file():
            raise SystemExit(f"the measured build died (wait status {status})")
        child = json.loads((d / "r.json").read_text())
    return {
        "model": model.name,
        "parameters": info.parameter_count,
        "config": {k: info.config.get(k) for k in SHAPE_KEYS},
        "max_seq_len": 128,
        "target": target,
        "recipe": recipe,
        # clear_refs also lowers what ru_maxrss reports, so the stages' peaks are the process's peak.
        "peak_bytes": max(usage.ru_maxrss, child["subprocess_kib"], *child["stages_kib"].values()) * 1024,
        "process_peak_bytes": usage.ru_maxrss * 1024,
        "stages_peak_bytes": {k: v * 1024 for k, v in child["stages_kib"].items()},
        "status": child["status"],
        "seconds": round(seconds, 1),
    }


def footprint_key(target: str, recipe: str) -> str:
    """The key of sdkgen.resources.FOOTPRINTS a one-target measurement belongs to."""
    if target == "executorch:coreml":
        return "executorch:coreml"
    if target.startswith("executorch:"):
        return "executorch:fp32" if recipe == "none" else "executorch:quantized"
    return target.split(":")[0]


def fit(rows: list[dict[str, Any]], min_slope: float = 2.0) -> dict[str, dict[str, float]]:
    """Per footprint key: the least-squares slope of peak over fp32 bytes (weights + KV cache, as
    sdkgen.resources.estimate counts them), at least ``min_slope`` (the eager model and one more copy), and
    the smallest base that puts every measured peak on or under the line."""
    MiB = 1024**2
    groups: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        if "," in r["target"]:
            continue
        c = r["config"]
        heads = c["num_attention_heads"]
        kv = 2 * c["num_hidden_layers"] * (c["num_key_value_heads"] or heads) * c["head_dim"] * r["max_seq_len"] * 4
        groups.setdefault(footprint_key(r["target"], r["recipe"]), []).append(
            (4 * r["parameters"] + kv, r["peak_bytes"])
        )
    out = {}
    for k, pts in sorted(groups.items()):
        n = len(pts)
        mx, my = sum(x for x, _ in pts) / n, sum(y for _, y in pts) / n
        var = sum((x - mx) ** 2 for x, _ in pts)
        slope = sum((x - mx) * (y - my) for x, y in pts) / var if var else min_slope
        slope = max(min_slope, slope)
        base = max(y - slope * x for x, y in pts)
        out[k] = {"base_mib": round(base / MiB + 0.5), "per_byte": round(slope, 2), "points": n}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make-model")
    m.add_argument("out", type=Path)
    m.add_argument("--params", type=float, default=20e6)
    r = sub.add_parser("measure")
    r.add_argument("model", type=Path)
    r.add_argument("--target", required=True, help="a target, or several separated by commas")
    r.add_argument("--recipe", default="none")
    r.add_argument("--json", type=Path, help="append the result to this JSON list")
    f = sub.add_parser("fit", help="fit sdkgen.resources.FOOTPRINTS to measured rows")
    f.add_argument("json", type=Path)
    c = sub.add_parser("_child")
    c.add_argument("paths", nargs=4, type=Path)
    a = p.parse_args()
    if a.cmd == "make-model":
        make_model(a.out, a.params)
    elif a.cmd == "fit":
        print(json.dumps(fit(json.loads(a.json.read_text())), indent=1))
    elif a.cmd == "_child":
        _child(*a.paths)
    else:
        row = measure(a.model, a.target, a.recipe)
        print(json.dumps(row, indent=1))
        if a.json:
            rows = json.loads(a.json.read_text()) if a.json.is_file() else []
            a.json.write_text(json.dumps([*rows, row], indent=1) + "\n")


if __name__ == "__main__":
    main()
