"""``sdkgen bench BUILD``: measure a build's artifacts on this host and write the numbers into its report.

Per target whose artifact runs here (ExecuTorch XNNPACK through the pybindings, LiteRT through
``ai-edge-litert``; :func:`sdkgen.compress.sweep.runs_here`), one child process (:mod:`.child`) loads the
artifact and answers probe requests, so each artifact's load time and peak memory (peak resident set) are its
own. The probes are those of the compression sweep (:mod:`sdkgen.compress.bench`) and run in interleaved
rounds: one probe of every artifact per round, medians kept, so a background job slows every artifact alike.

Text generation: load time, time to first token (the prompt's prefill, which yields the first token:
median warm, and cold = load plus the first prefill), prefill tok/s for ``prompt_len`` tokens, decode tok/s
over ``decode_tokens`` steps, peak memory, and the memory roofline (:mod:`.roofline`): bytes read per decode
step, the tok/s bound at this host's measured bandwidth, and the measured fraction of it. Tensor-shaped
tasks: load time, forward latency, peak memory, and the forward floor (reading the weights once).

Targets this host cannot run (Core ML) are listed as not executed, with the reason. The results go into the
build's ``report.json`` (``bench``) and ``report.md``, and into ``BUILD/bench.html``, each replaced
atomically.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import sdkgen
from sdkgen.cache import write_text_atomic
from sdkgen.errors import ConfigError, StageError, UnknownNameError

Log = Callable[[str], None]


def run_bench(
    build_dir: Path,
    *,
    targets: list[str] | None = None,
    rounds: int = 5,
    prompt_len: int = 64,
    decode_tokens: int = 64,
    log: Log = lambda m: None,
    array_bytes: int | None = None,
) -> dict[str, Any]:
    """Measure ``build_dir``'s artifacts and record them (see the module docstring); returns the ``bench``
    section. ``array_bytes`` sets the bandwidth arrays' size (default: 8x the last-level cache)."""
    from sdkgen.bench import roofline
    from sdkgen.bench.roofline import host_info
    from sdkgen.compress.bench import interleaved
    from sdkgen.compress.sweep import runs_here
    from sdkgen.report import read_build_output

    report, spec = read_build_output(build_dir)
    task = report["task"]
    arts = {a["target"]: a for a in report["artifacts"]}
    chosen = targets or list(arts)
    unknown = [t for t in chosen if t not in arts]
    if unknown:
        raise UnknownNameError(
            f"the build in {str(build_dir)!r} has no artifact for {', '.join(unknown)}",
            choices=arts,
            hint="pass targets the build made (report.json's artifacts), or rebuild with them",
        )
    if rounds < 1 or prompt_len < 1 or decode_tokens < 1:
        raise ConfigError(
            f"--rounds, --prompt-len and --decode-tokens must be at least 1 (got {rounds}, {prompt_len}, "
            f"{decode_tokens})",
            hint="e.g. --rounds 5 --prompt-len 64 --decode-tokens 64",
        )
    generation = spec.get("generation") or {}
    max_seq = int(generation.get("max_seq_len", 0))
    if task == "text-generation" and prompt_len + decode_tokens > max_seq:
        raise ConfigError(
            f"--prompt-len {prompt_len} plus --decode-tokens {decode_tokens} exceed the artifacts' KV cache "
            f"({max_seq} positions, export.max_seq_len)",
            hint=f"pass a prompt and decode length summing to at most {max_seq}, e.g. "
            f"--prompt-len {max_seq // 2} --decode-tokens {max_seq // 2}",
        )

    log("[bench] measuring this host's memory bandwidth")
    bandwidth = roofline.host_bandwidth(array_bytes=array_bytes)
    results: dict[str, dict[str, Any]] = {}
    children: list[tuple[str, _Child]] = []
    try:
        for target in chosen:
            art = arts[target]
            entry: dict[str, Any] = {"file": art["file"], "bytes": art["bytes"]}
            results[target] = entry
            if not runs_here(target):
                entry |= {"status": "not_executed", "reason": _not_run_reason(report, target)}
                continue
            path = build_dir / art["file"]
            try:
                entry["roofline"] = _roofline(path, task, bandwidth["bound_gb_s"], prompt_len, decode_tokens)
            except Exception as e:  # an artifact layout the model does not know must not stop the timing
                entry["roofline"] = {"error": f"{type(e).__name__}: {e}"}
            log(f"[bench] {target}: loading {art['file']} in a child process")
            settings = {
                "artifact": str(path),
                "target": target,
                "task": task,
                "build": str(build_dir),
                "prompt_len": prompt_len,
                "decode_tokens": decode_tokens,
            }
            child = _Child(settings)
            ready = child.read()
            if "error" in ready:
                entry |= {"status": "error", "reason": ready["error"] + child.stderr_tail()}
                child.close()
                continue
            entry |= {
                "status": "measured",
                "load_ms": round(ready["load_s"] * 1e3, 3),
                "cold_first_call_ms": round(ready["first_call_s"] * 1e3, 3),
                "baseline_rss_mb": round(ready["baseline_rss_kb"] / 1024, 1),
            }
            children.append((target, child))
        log(f"[bench] timing {len(children)} artifacts in {rounds} interleaved rounds")
        summaries = interleaved([c.probe for _, c in children], rounds=rounds)
        for (target, child), summary in zip(children, summaries, strict=True):
            entry = results[target]
            entry |= summary
            entry["peak_rss_mb"] = round(child.finish()["peak_rss_kb"] / 1024, 1)
            _derive(entry, task)
    finally:
        for _, child in children:
            child.close()

    bench = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "task": task,
        "settings": {"rounds": rounds, "prompt_len": prompt_len, "decode_tokens": decode_tokens}
        if task == "text-generation"
        else {"rounds": rounds, "forwards_per_round": 10},
        "host": host_info(),
        "bandwidth": bandwidth,
        "targets": results,
    }
    record(build_dir, bench)
    return bench


def _roofline(path: Path, task: str, gb_s: float, prompt_len: int, decode_tokens: int) -> dict[str, Any]:
    from sdkgen.bench import roofline

    traffic = roofline.artifact_traffic(path)
    if task == "text-generation":
        return {"model": traffic.as_dict()} | roofline.bound(
            traffic, gb_s, prompt_len=prompt_len, decode_tokens=decode_tokens
        )
    return {
        "weight_bytes": traffic.weight_bytes,
        "bandwidth_gb_s": gb_s,
        "forward_floor_ms": roofline.forward_floor_ms(traffic.weight_bytes, gb_s),
        "fits_in_cache": traffic.weight_bytes <= roofline.last_level_cache_bytes(),
    }


def _derive(entry: dict[str, Any], task: str) -> None:
    """Time to first token and the fraction of the roofline from the medians."""
    roof = entry["roofline"]
    if task == "text-generation":
        entry["ttft_ms"] = entry["prefill_ms"]
        entry["cold_ttft_ms"] = round(entry["load_ms"] + entry["cold_first_call_ms"], 3)
    if "error" in roof:
        return
    if task == "text-generation":
        roof["fraction_of_bound"] = round(entry["decode_tok_s"] / roof["bound_tok_s"], 4)
    else:
        roof["fraction_of_bound"] = round(roof["forward_floor_ms"] / entry["forward_ms"], 4)


def _not_run_reason(report: dict[str, Any], target: str) -> str:
    """Why ``target`` does not run here: the build's own not-executed reason for it, or the runtime's."""
    for n in report.get("not_executed", []):
        if n["check"].startswith(f"{target}:"):
            return str(n["reason"])
    if target.startswith("coreml") or target == "executorch:coreml":
        return "not executed here: Core ML predictions run only on macOS and iOS"
    return f"not executed here: {target}'s delegate runs only on its device"


class _Child:
    """A :mod:`.child` process and its JSON-lines protocol; its stderr goes to a temporary file (read on
    error) so a chatty runtime cannot fill a pipe."""

    def __init__(self, settings: dict[str, Any]) -> None:
        root = str(Path(sdkgen.__file__).resolve().parents[1])
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.err: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115  (closed by close())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sdkgen.bench.child", json.dumps(settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            text=True,
            env=env,
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            return {"error": f"the measuring process exited with {self.proc.returncode}"}
        return dict(json.loads(line))

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def probe(self) -> dict[str, float]:
        self.send("probe")
        sample = self.read()
        if "error" in sample:
            raise StageError(f"benchmark child failed: {sample['error']}{self.stderr_tail()}")
        return sample

    def finish(self) -> dict[str, Any]:
        self.send("done")
        return self.read()

    def stderr_tail(self) -> str:
        self.err.seek(0)
        tail = self.err.read()[-1500:].strip()
        return f"\n{tail}" if tail else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.err.close()


# ------------------------------------------------------------------------------------------------ output


def record(build_dir: Path, bench: dict[str, Any]) -> None:
    """Merge ``bench`` into the build's report (``report.json``, ``report.md``) and write ``bench.html``;
    each file is replaced atomically."""
    from sdkgen.bench.chart import render_html
    from sdkgen.report import render_markdown

    report_file = build_dir / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    report["bench"] = bench
    write_text_atomic(report_file, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(build_dir / "report.md", render_markdown(report))
    write_text_atomic(build_dir / "bench.html", render_html(report["name"], bench))


#: (column title, entry key or roofline key, format) per task kind
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "text-generation": [
        ("load ms", "load_ms", ".1f"),
        ("TTFT ms", "ttft_ms", ".2f"),
        ("cold TTFT ms", "cold_ttft_ms", ".1f"),
        ("prefill tok/s", "prefill_tok_s", ".1f"),
        ("decode tok/s", "decode_tok_s", ".1f"),
        ("peak MB", "peak_rss_mb", ".1f"),
        ("bytes/token", "roofline.bytes_per_token", ",.0f"),
        ("bound tok/s", "roofline.bound_tok_s", ".1f"),
        ("of bound", "roofline.fraction_of_bound", ".1%"),
    ],
    "tensor": [
        ("load ms", "load_ms", ".1f"),
        ("forward ms", "forward_ms", ".4f"),
        ("peak MB", "peak_rss_mb", ".1f"),
        ("weight bytes", "roofline.weight_bytes", ",.0f"),
        ("floor ms", "roofline.forward_floor_ms", ".4f"),
        ("of floor", "roofline.fraction_of_bound", ".1%"),
    ],
}


def columns(task: str) -> list[tuple[str, str, str]]:
    return COLUMNS["text-generation" if task == "text-generation" else "tensor"]


def value(entry: dict[str, Any], key: str) -> float | None:
    """``entry``'s number at ``key`` (``roofline.x`` reaches into the roofline), or ``None``."""
    v: Any = entry
    for part in key.split("."):
        v = v.get(part) if isinstance(v, dict) else None
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else None


def render_markdown(bench: dict[str, Any]) -> list[str]:
    """The report.md section of a ``bench`` result."""
    cols = columns(bench["task"])
    bw = bench["bandwidth"]
    lines = [
        "",
        "## Host benchmark (`sdkgen bench`)",
        "",
        f"Measured {bench['date']} on {bench['host'].get('cpu') or bench['host']['machine']} "
        f"({bench['host']['cores']} cores, {bench['host']['memory_gib']} GiB); "
        + ", ".join(f"{k} {v}" for k, v in bench["settings"].items())
        + ". Memory bandwidth (GB/s, best of "
        f"{bw['repeats']}, {bw['array_mib']} MiB arrays): one thread "
        + ", ".join(f"{k} {v}" for k, v in bw["single_thread_gb_s"].items())
        + f"; {bw['threads']} threads "
        + ", ".join(f"{k} {v}" for k, v in bw["all_cores_gb_s"].items())
        + f"; the bound uses {bw['bound_gb_s']} ({bw['bound_kernel']}).",
        "",
        "| target | status | " + " | ".join(c[0] for c in cols) + " |",
        "|---|---|" + "---:|" * len(cols),
    ]
    for target, e in bench["targets"].items():
        cells = [format(v, fmt) if (v := value(e, key)) is not None else "" for _, key, fmt in cols]
        lines.append(f"| `{target}` | {e['status']} | " + " | ".join(cells) + " |")
    lines += [
        f"- `{t}`: {' '.join(str(e['reason']).split())[:300]}" for t, e in bench["targets"].items() if "reason" in e
    ]
    cached = [t for t, e in bench["targets"].items() if e.get("roofline", {}).get("fits_in_cache")]
    if cached:
        lines.append(
            f"- {', '.join(f'`{t}`' for t in cached)}: the bytes a step reads fit in the last-level cache "
            f"({bw['last_level_cache_mib']} MiB), so memory bandwidth does not bound it; the bound is not a limit here."
        )
    return lines
