"""The memory roofline of decoding on this host: measured bandwidth, and per artifact the bytes a decode step
reads and the resulting upper bound on decode tokens/s (the model: :mod:`sdkgen.bench.roofline`).

    .venv/bin/python benchmarks/roofline.py dist/tiny-llm                 # a build folder: all its artifacts
    .venv/bin/python benchmarks/roofline.py a.pte b.tflite --measured a.pte=41.5

Each ARTIFACT is a ``.pte``, a ``.tflite`` or a ``sdkgen build`` output folder (its ``report.json`` lists the
artifacts; a ``bench`` section there, from ``sdkgen bench``, gives their measured decode tok/s). Measured
decode tok/s also come from ``--measured ARTIFACT=TOKS`` (ARTIFACT: the path or file name) and from the other
benchmarks' results (``benchmarks/results/*.json``: any object with a ``decode_tok_s`` next to a string naming
the artifact's file). With a measurement the table shows its fraction of the bound.

Prints the bandwidth (one thread and all cores) and a table; writes ``benchmarks/results/roofline.{json,md}``
(``--results`` to change the folder).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sdkgen.bench import roofline  # noqa: E402


def artifacts(arg: Path) -> list[tuple[Path, float | None, str]]:
    """(artifact, measured decode tok/s or None, where the measurement came from) for a file or build folder."""
    if arg.is_file():
        return [(arg, None, "")]
    report_file = arg / "report.json"
    if not report_file.is_file():
        raise SystemExit(f"error: {arg} is neither a .pte/.tflite file nor a sdkgen build folder (no report.json)")
    report = json.loads(report_file.read_text())
    bench = report.get("bench", {}).get("targets", {})
    found = []
    for a in report["artifacts"]:
        path = arg / a["file"]
        if path.suffix in (".pte", ".tflite"):
            tok_s = bench.get(a["target"], {}).get("decode_tok_s")
            found.append((path, tok_s, f"{report_file} (sdkgen bench)" if tok_s else ""))
    return found


def measured_in_results(folder: Path) -> dict[str, tuple[float, str]]:
    """file name -> (decode tok/s, source) from every JSON object in ``folder/*.json`` holding ``decode_tok_s``
    and a string ending in ``.pte`` or ``.tflite``."""
    found: dict[str, tuple[float, str]] = {}

    def walk(node: Any, source: str) -> None:
        if isinstance(node, dict):
            tok_s = node.get("decode_tok_s")
            if isinstance(tok_s, int | float):
                for v in node.values():
                    if isinstance(v, str) and v.endswith((".pte", ".tflite")):
                        found[Path(v).name] = (float(tok_s), source)
            for v in node.values():
                walk(v, source)
        elif isinstance(node, list):
            for v in node:
                walk(v, source)

    for f in sorted(folder.glob("*.json")):
        if f.name != "roofline.json":
            walk(json.loads(f.read_text()), str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f))
    return found


def _kernels(gb_s: dict[str, float]) -> str:
    return ", ".join(f"{k} {v}" for k, v in gb_s.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("artifacts", nargs="*", type=Path, help=".pte / .tflite files or sdkgen build folders")
    ap.add_argument("--measured", action="append", default=[], metavar="ARTIFACT=TOKS", help="measured decode tok/s")
    ap.add_argument("--prompt-len", type=int, default=64, help="prompt tokens before decoding (default: 64)")
    ap.add_argument("--decode-tokens", type=int, default=64, help="decoded tokens averaged over (default: 64)")
    ap.add_argument("--repeats", type=int, default=5, help="bandwidth: best of this many runs (default: 5)")
    ap.add_argument("--array-mib", type=int, help="bandwidth: MiB per array (default: 8x the last-level cache)")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results", help="results folder")
    args = ap.parse_args(argv)

    bw = roofline.host_bandwidth(array_bytes=args.array_mib << 20 if args.array_mib else None, repeats=args.repeats)
    print(
        f"memory bandwidth, GB/s (best of {bw['repeats']}, float64 arrays of {bw['array_mib']} MiB each, LLC "
        f"{bw['last_level_cache_mib']} MiB):"
    )
    for label, key in (("1 thread", "single_thread_gb_s"), (f"{bw['threads']} threads", "all_cores_gb_s")):
        print(f"  {label:<10} " + "  ".join(f"{k} {v:7.2f}" for k, v in bw[key].items()))
    print(f"  bound uses {bw['bound_gb_s']} GB/s ({bw['bound_kernel']}); decode runs on the runtime's thread pool")

    from_results = measured_in_results(args.results) if args.results.is_dir() else {}
    explicit = {}
    for m in args.measured:
        name, _, value = m.rpartition("=")
        if not name:
            raise SystemExit(f"error: --measured {m!r}: expected ARTIFACT=TOKS, e.g. model.pte=41.5")
        explicit[Path(name).name] = (float(value), "--measured")
    rows = []
    for arg in args.artifacts:
        for path, tok_s, source in artifacts(arg):
            traffic = roofline.artifact_traffic(path)
            prompt_len, decode_tokens = args.prompt_len, args.decode_tokens
            if traffic.max_seq_len and prompt_len + decode_tokens > traffic.max_seq_len:
                # The run must fit the cache: half prompt, half decode of what it holds.
                prompt_len = traffic.max_seq_len // 2
                decode_tokens = traffic.max_seq_len - prompt_len
                print(
                    f"note: {path.name}: its cache holds {traffic.max_seq_len} positions; using "
                    f"{prompt_len}+{decode_tokens} tokens"
                )
            b = roofline.bound(traffic, bw["bound_gb_s"], prompt_len=prompt_len, decode_tokens=decode_tokens)
            b["tokens"] = f"{prompt_len}+{decode_tokens}"
            measured = explicit.get(path.name) or from_results.get(path.name) or ((tok_s, source) if tok_s else None)
            row = {"artifact": str(path), "file_bytes": path.stat().st_size, "traffic": traffic.as_dict()} | b
            if measured:
                row |= {
                    "measured_decode_tok_s": measured[0],
                    "measured_from": measured[1],
                    "fraction_of_bound": round(measured[0] / b["bound_tok_s"], 4),
                }
            rows.append(row)

    cols = [
        "artifact",
        "MB",
        "tokens",
        "weights read/token",
        "KV read/token",
        "bytes/token",
        "bound tok/s",
        "measured",
        "of bound",
    ]
    table = ["| " + " | ".join(cols) + " |", "|---|" + "---:|" * (len(cols) - 1)]
    for r in rows:
        flag = " (fits in LLC)" if r["fits_in_cache"] else ""
        table.append(
            f"| {Path(r['artifact']).name} | {r['file_bytes'] / 1e6:.2f} | {r['tokens']} | "
            f"{r['traffic']['weights_read']:,} | "
            f"{r['kv_bytes_per_token']:,} | {r['bytes_per_token']:,} | {r['bound_tok_s']:.1f}{flag} | "
            + (f"{r['measured_decode_tok_s']:.1f} | {r['fraction_of_bound']:.1%} |" if "measured_from" in r else " | |")
        )
    print()
    print("\n".join(table))
    for r in rows:
        if "measured_from" in r:
            print(f"  {Path(r['artifact']).name}: measured decode tok/s from {r['measured_from']}")

    command = "benchmarks/roofline.py " + " ".join(sys.argv[1:] if argv is None else argv)
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = {
        "date": date,
        "command": command,
        "machine": roofline.host_info(),
        "bandwidth": bw,
        "settings": {"prompt_len": args.prompt_len, "decode_tokens": args.decode_tokens},
        "artifacts": rows,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "roofline.json").write_text(json.dumps(data, indent=2) + "\n")
    m = data["machine"]
    md = [
        "# Decode roofline",
        "",
        f"{date} on {m['cpu'] or m['machine']} ({m['cores']} cores, {m['memory_gib']} GiB), `{command}`.",
        "",
        f"Bandwidth (GB/s): 1 thread {_kernels(bw['single_thread_gb_s'])}; {bw['threads']} threads "
        f"{_kernels(bw['all_cores_gb_s'])}; "
        f"bound uses {bw['bound_gb_s']} ({bw['bound_kernel']}). Bytes/token: mean over {args.decode_tokens} "
        f"decode steps after a {args.prompt_len}-token prompt (see sdkgen/bench/roofline.py).",
        "",
        *table,
        "",
    ]
    (args.results / "roofline.md").write_text("\n".join(md))
    print(f"\nwrote {args.results}/roofline.{{json,md}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
