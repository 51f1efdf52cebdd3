"""LiteRT, same scheme, same runtime: litert-torch's own SmolLM2 converter against ``sdkgen build``.

    .venv/bin/python benchmarks/llm_litert.py            # the SmolLM2-135M-shaped model (minutes)
    .venv/bin/python benchmarks/llm_litert.py --tiny     # a 2-layer model (seconds)

The model is :mod:`_smollm`'s random-weight SmolLM2-135M-shaped Llama (made on the fly, cached). It is
exported twice, each in its own child process (wall time, the child's peak RSS, ``.tflite`` size):

- **reference**: ``litert_torch.generative.examples.smollm.smollm.build_model_v2`` (the example's own model
  and checkpoint loader) converted by ``litert_torch.generative.utilities.converter.convert_to_tflite`` with
  ``quantize="dynamic_int4_block32"``, one prefill signature of the prompt length and the KV cache length;
- **sdkgen**: ``sdkgen build`` for ``litert:cpu`` with ``compress.recipe = "8da4w"``, ``group_size = 32``
  and the same lengths (the whole build: load, reference vectors, lowering, verification, Android SDK and its
  Kotlin compile; its lowering stage alone is reported too).

Then both ``.tflite`` files are loaded in this one process with ``ai_edge_litert``'s ``Interpreter`` (the
default XNNPACK delegate, the same ``num_threads``) and each is driven through its own prefill and decode
signatures (read from ``get_signature_list()``): one prefill of the prompt, then greedy decode steps, the
KV cache fed back from outputs to inputs. Rounds alternate the order of the two models after a warm-up; the
medians are reported with the ratios sdkgen/reference, printed as a table and written to
``benchmarks/results/llm_litert.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _smollm  # noqa: E402

RECIPE = "dynamic_int4_block32"  # litert-torch's name for int4 weights in blocks of 32, int8 dynamic activations
SDKGEN_RECIPE, GROUP_SIZE = "8da4w", 32
SIDES = ("reference", "sdkgen")
TOKENS, INPUT_POS, LOGITS = "tokens", "input_pos", "logits"

FULL = {"shape": _smollm.SMOLLM2_135M, "max_seq_len": 256, "prefill_len": 64, "decode_steps": 64}
TINY = {"shape": _smollm.TINY, "max_seq_len": 64, "prefill_len": 8, "decode_steps": 8}


# --- exports (each in a child process) -------------------------------------------------------------------


def export_reference(checkpoint: Path, out_dir: Path, max_seq_len: int, prefill_len: int) -> dict[str, Any]:
    """litert-torch's SmolLM2 example converted with its own converter; returns the ``.tflite`` path and the
    in-process conversion time."""
    from litert_torch.generative.examples.smollm import smollm
    from litert_torch.generative.utilities import converter, export_config, model_builder

    started = time.perf_counter()
    config = smollm.get_model_config_v2()
    if _example_shape(config) == _checkpoint_shape(checkpoint):
        model = smollm.build_model_v2(str(checkpoint), mask_cache_size=max_seq_len)
    else:  # the tiny test model: the example's config with the checkpoint's sizes (as its fake configs do)
        _resize(config, checkpoint)
        model = model_builder.build_decoder_only_model(
            str(checkpoint), config, smollm.TENSOR_NAMES, smollm.SmolLM2, mask_cache_size=max_seq_len
        )
    path = converter.convert_to_tflite(
        model,
        output_path=str(out_dir),
        output_name_prefix="smollm2",
        prefill_seq_len=[prefill_len],
        kv_cache_max_len=max_seq_len,
        quantize=RECIPE,
        export_config=export_config.ExportConfig(),
    )
    return {"tflite": path, "convert_seconds": time.perf_counter() - started}


def _example_shape(config: Any) -> dict[str, Any]:
    attn, block = config.block_config(0).attn_config, config.block_config(0)
    return {
        "hidden_size": config.embedding_dim,
        "num_hidden_layers": config.num_layers,
        "num_attention_heads": attn.num_heads,
        "num_key_value_heads": attn.num_query_groups,
        "head_dim": attn.head_dim,
        "intermediate_size": block.ff_config.intermediate_size,
        "vocab_size": config.vocab_size,
        "rope_theta": float(attn.rotary_base),
    }


def _checkpoint_shape(checkpoint: Path) -> dict[str, Any]:
    hf = json.loads((checkpoint / "config.json").read_text())
    return {
        "hidden_size": hf["hidden_size"],
        "num_hidden_layers": hf["num_hidden_layers"],
        "num_attention_heads": hf["num_attention_heads"],
        "num_key_value_heads": hf["num_key_value_heads"],
        "head_dim": hf.get("head_dim") or hf["hidden_size"] // hf["num_attention_heads"],
        "intermediate_size": hf["intermediate_size"],
        "vocab_size": hf["vocab_size"],
        "rope_theta": float(hf["rope_theta"]),
    }


def _resize(config: Any, checkpoint: Path) -> None:
    s = _checkpoint_shape(checkpoint)
    attn, block = config.block_config(0).attn_config, config.block_config(0)
    config.embedding_dim, config.num_layers, config.vocab_size = (
        s["hidden_size"],
        s["num_hidden_layers"],
        s["vocab_size"],
    )
    attn.num_heads, attn.num_query_groups, attn.head_dim = (
        s["num_attention_heads"],
        s["num_key_value_heads"],
        s["head_dim"],
    )
    attn.rotary_base = s["rope_theta"]
    block.ff_config.intermediate_size = s["intermediate_size"]


def export_sdkgen(checkpoint: Path, out_dir: Path, max_seq_len: int, prefill_len: int) -> dict[str, Any]:
    """``sdkgen build`` of a ``litert:cpu`` project over ``checkpoint`` (fresh stage cache); returns the
    ``.tflite`` path and the build report's stage times."""
    from sdkgen.cli import main

    project = out_dir / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "sdkgen.toml").write_text(sdkgen_toml(checkpoint, max_seq_len, prefill_len))
    report = out_dir / "report.json"
    argv = ["build", str(project), "--out", str(out_dir / "dist"), "--cache-dir", str(out_dir / "cache"), "--json"]
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(argv)
    report.write_text(buf.getvalue())
    if code != 0:
        raise SystemExit(f"sdkgen build exited {code}; its report is in {report}")
    data = json.loads(buf.getvalue())
    name = next(a["file"] for a in data["artifacts"] if a["target"] == "litert:cpu")
    return {
        "tflite": str(out_dir / "dist" / "smollm2-bench" / name),
        "stages": {s["name"]: s["seconds"] for s in data["stages"]},
        "status": data["status"],
    }


def sdkgen_toml(checkpoint: Path, max_seq_len: int, prefill_len: int) -> str:
    """The benchmark's build config: the same scheme as the reference (int4 blocks of 32, dynamic int8
    activations), the same KV cache and prompt lengths. The weights are random, so the quantization-error
    gate is opened (the check still runs and is reported)."""
    return f"""\
targets = ["litert:cpu"]

[model]
source = {json.dumps(str(checkpoint))}
task = "text-generation"
name = "smollm2-bench"

[compress]
recipe = "{SDKGEN_RECIPE}"
group_size = {GROUP_SIZE}

[export]
max_seq_len = {max_seq_len}
prefill_len = {prefill_len}

[android]
package = "com.example.smollmbench"

[ios]
module = "SmolLmBench"

[verify]
prompts = ["The list"]
max_new_tokens = 4
quantization_error_tolerance = 1.0
"""


def run_child(side: str, checkpoint: Path, out_dir: Path, max_seq_len: int, prefill_len: int) -> dict[str, Any]:
    """Run one export in a child process; its wall time, peak RSS (``ru_maxrss`` of the child and the
    processes it waited for) and what it returned."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    result = out_dir / "child.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side, "--checkpoint", str(checkpoint)]
    cmd += ["--child-out", str(out_dir), "--max-seq-len", str(max_seq_len), "--prefill-len", str(prefill_len)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(":")}
    log = (out_dir / "child.log").open("w")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=out_dir)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.close()
    if proc.returncode != 0:
        tail = (out_dir / "child.log").read_text()[-3000:]
        raise SystemExit(f"the {side} export failed (exit {proc.returncode}):\n{tail}")
    facts = json.loads(result.read_text())
    tflite = Path(facts["tflite"])
    return {
        **facts,
        "export_seconds": round(seconds, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "bytes": tflite.stat().st_size,
    }


def child_main(args: argparse.Namespace) -> None:
    out = Path(args.child_out)
    fn = export_reference if args.child == "reference" else export_sdkgen
    facts = fn(Path(args.checkpoint), out, args.max_seq_len, args.prefill_len)
    (out / "child.json").write_text(json.dumps(facts, indent=2, default=str))


# --- timing (both models in this process) ----------------------------------------------------------------


class Driver:
    """One ``.tflite``'s prefill and decode signatures over an external KV cache (zeroed per round)."""

    def __init__(self, path: Path, threads: int) -> None:
        import numpy as np
        from ai_edge_litert.interpreter import Interpreter

        self.np = np
        self.interp = Interpreter(model_path=str(path), num_threads=threads)
        sigs = self.interp.get_signature_list()
        self.signatures = {k: {"inputs": v["inputs"], "outputs": v["outputs"]} for k, v in sorted(sigs.items())}
        prefills = [k for k in sigs if k.startswith("prefill")]
        if len(prefills) != 1 or "decode" not in sigs:
            raise SystemExit(f"{path}: expected one prefill and a decode signature, got {sorted(sigs)}")
        self.prefill_name = prefills[0]
        self.prefill = self.interp.get_signature_runner(self.prefill_name)
        self.decode = self.interp.get_signature_runner("decode")
        details = self.decode.get_input_details()
        self.cache_names = sorted(
            (n for n in details if n not in (TOKENS, INPUT_POS)), key=lambda n: details[n]["index"]
        )
        self.cache_spec = {n: (details[n]["shape"], details[n]["dtype"]) for n in self.cache_names}
        self.prefill_len = int(self.prefill.get_input_details()[TOKENS]["shape"][1])
        self.prefill_logits = LOGITS in self.prefill.get_output_details()

    def round(self, prompt: list[int], steps: int) -> dict[str, Any]:
        """Prefill ``prompt`` (exactly the prefill length), then ``steps`` greedy decode steps; seconds of
        each phase, the generated ids and whether every logit was finite."""
        np = self.np
        cache = {n: np.zeros(s, dtype=d) for n, (s, d) in self.cache_spec.items()}
        t0 = time.perf_counter()
        outs = self.prefill(
            **{TOKENS: np.asarray([prompt], np.int32), INPUT_POS: np.arange(len(prompt), dtype=np.int32)}, **cache
        )
        t1 = time.perf_counter()
        cache = {n: outs[n] for n in self.cache_names}
        finite = bool(np.isfinite(outs[LOGITS]).all()) if self.prefill_logits else True
        # The first decoded token: greedy from prefill's last row when it has logits, else the prompt's first
        # token (a decode step costs the same whatever the id; the weights are random anyway).
        token = int(outs[LOGITS][0, -1].argmax()) if self.prefill_logits else prompt[0]
        pos, ids = len(prompt), []
        t2 = time.perf_counter()
        for _ in range(steps):
            outs = self.decode(
                **{TOKENS: np.asarray([[token]], np.int32), INPUT_POS: np.asarray([pos], np.int32)}, **cache
            )
            cache = {n: outs[n] for n in self.cache_names}
            logits = outs[LOGITS][0, -1]
            finite = finite and bool(np.isfinite(logits).all())
            token, pos = int(logits.argmax()), pos + 1
            ids.append(token)
        t3 = time.perf_counter()
        return {"prefill_s": t1 - t0, "decode_s": t3 - t2, "ids": ids, "finite": finite}


def time_models(paths: dict[str, Path], prompt: list[int], steps: int, rounds: int, threads: int) -> dict[str, Any]:
    """Interleaved rounds (order alternating, one warm-up round each first); medians per model."""
    drivers = {side: Driver(p, threads) for side, p in paths.items()}
    for d in drivers.values():
        d.round(prompt, steps)
    samples: dict[str, list[dict[str, Any]]] = {side: [] for side in drivers}
    for r in range(rounds):
        order = list(drivers) if r % 2 == 0 else list(reversed(drivers))
        for side in order:
            samples[side].append(drivers[side].round(prompt, steps))
    result = {}
    for side, rows in samples.items():
        prefill = statistics.median(r["prefill_s"] for r in rows)
        decode = statistics.median(r["decode_s"] for r in rows)
        result[side] = {
            "prefill_signature": drivers[side].prefill_name,
            "prefill_outputs_logits": drivers[side].prefill_logits,
            "signatures": drivers[side].signatures,
            "prefill_ms": round(prefill * 1000, 2),
            "prefill_tok_s": round(len(prompt) / prefill, 2),
            "decode_ms_per_token": round(decode * 1000 / steps, 3),
            "decode_tok_s": round(steps / decode, 2),
            "prefill_s_rounds": [round(r["prefill_s"], 5) for r in rows],
            "decode_s_rounds": [round(r["decode_s"], 5) for r in rows],
            "generated_ids": rows[-1]["ids"],
            "finite": all(r["finite"] for r in rows),
        }
    return result


# --- report ---------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM and the versions that matter here."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) // 1024
    versions = {}
    for dist in ("torch", "litert-torch", "ai-edge-litert", "ai-edge-quantizer", "transformers", "tokenizers"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    versions["sdkgen"] = commit.stdout.strip() or "unknown"
    versions["python"] = platform.python_version()
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_mib": ram, "os": platform.platform(), "versions": versions}


ROWS = (
    ("export_seconds", "export wall time (s)", "lower"),
    ("peak_rss_mib", "peak export memory (MiB)", "lower"),
    ("bytes", ".tflite size (bytes)", "lower"),
    ("prefill_tok_s", "prefill (tok/s)", "higher"),
    ("decode_tok_s", "decode (tok/s)", "higher"),
)


def table(results: dict[str, Any]) -> str:
    """The markdown table: one row per measurement, both sides, the ratio sdkgen/reference."""
    lines = [
        "| measurement | litert-torch example | sdkgen build | sdkgen/reference | better |",
        "|---|---:|---:|---:|---|",
    ]
    for key, label, better in ROWS:
        ref, ours = results["reference"][key], results["sdkgen"][key]
        lines.append(f"| {label} | {ref:,} | {ours:,} | {ours / ref:.3f}x | {better} |")
    return "\n".join(lines) + "\n"


def markdown(results: dict[str, Any]) -> str:
    m, s = results["machine"], results["settings"]
    v = ", ".join(f"{k} {x}" for k, x in m["versions"].items())
    return (
        f"# LiteRT (CPU, XNNPACK): litert-torch's SmolLM2 example vs sdkgen build\n\n"
        f"{results['date']}; `{results['command']}`\n\n"
        f"Model: {s['model']}; int4 weights in blocks of {GROUP_SIZE}, dynamic int8 activations; KV cache "
        f"{s['max_seq_len']}; prefill of {s['prefill_len']} tokens, {s['decode_steps']} decode steps; "
        f"{s['rounds']} interleaved rounds after a warm-up, medians; ai_edge_litert Interpreter, XNNPACK "
        f"(default delegate), num_threads={s['threads']}.\n\n"
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_mib']} MiB RAM; {v}.\n\n"
        + table(results)
        + f"\nsdkgen's lowering stage alone: {results['sdkgen'].get('lower_seconds', '?')} s; the reference's "
        f"conversion alone: {results['reference']['convert_seconds']} s (both inside their child's wall time).\n"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="a 2-layer model, KV 64, prompt 8, 8 decode steps")
    p.add_argument("--work-dir", type=Path, default=Path.home() / ".cache" / "sdkgen" / "bench" / "litert")
    p.add_argument("--checkpoint", type=Path, default=None, help="where the random checkpoint is made")
    p.add_argument("--results-dir", type=Path, default=HERE / "results")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 1))
    p.add_argument(
        "--reuse-exports",
        nargs="*",
        choices=SIDES,
        help="reuse the last run's export of these sides (all when none is named) and time it again",
    )
    p.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    p.add_argument("--max-seq-len", type=int, help=argparse.SUPPRESS)
    p.add_argument("--prefill-len", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child_main(args)
        return {}

    setup = TINY if args.tiny else FULL
    # Under the work dir: another benchmark making its own model in a shared folder at the same time would
    # replace the files under this one (it happened).
    checkpoint = args.checkpoint or args.work_dir / ("smollm2-tiny-random" if args.tiny else "smollm2-135m-random")
    _smollm.make_checkpoint(checkpoint, setup["shape"])
    kv, prefill_len, steps = setup["max_seq_len"], setup["prefill_len"], setup["decode_steps"]
    exports = {}
    for side in SIDES:
        out = args.work_dir / ("tiny" if args.tiny else "full") / side
        reuse = args.reuse_exports is not None and (not args.reuse_exports or side in args.reuse_exports)
        if reuse and (out / "export.json").is_file():
            exports[side] = json.loads((out / "export.json").read_text())
        else:
            print(f"[{side}] exporting ...", file=sys.stderr, flush=True)
            exports[side] = run_child(side, checkpoint, out, kv, prefill_len)
            (out / "export.json").write_text(json.dumps(exports[side], indent=2))
        print(f"[{side}] {exports[side]['export_seconds']} s, {exports[side]['bytes']:,} bytes", file=sys.stderr)

    import numpy as np

    vocab = int(setup["shape"]["vocab_size"])
    prompt = [int(t) for t in np.random.default_rng(0).integers(1, vocab, size=prefill_len)]
    timing = time_models({s: Path(exports[s]["tflite"]) for s in SIDES}, prompt, steps, args.rounds, args.threads)
    results: dict[str, Any] = {
        "benchmark": "llm_litert",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(
            [".venv/bin/python", "benchmarks/llm_litert.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "settings": {
            "model": "SmolLM2-135M-shaped Llama, random weights" if not args.tiny else "tiny Llama (2 layers), random",
            "shape": setup["shape"],
            "max_seq_len": kv,
            "prefill_len": prefill_len,
            "decode_steps": steps,
            "rounds": args.rounds,
            "threads": args.threads,
            "reference_recipe": RECIPE,
            "sdkgen_recipe": f"{SDKGEN_RECIPE}, group_size {GROUP_SIZE}",
        },
        "machine": machine(),
    }
    for side in SIDES:
        e = exports[side]
        results[side] = {
            "export_seconds": e["export_seconds"],
            "peak_rss_mib": e["peak_rss_mib"],
            "bytes": e["bytes"],
            **({"convert_seconds": round(e["convert_seconds"], 2)} if "convert_seconds" in e else {}),
            **({"lower_seconds": e["stages"].get("lower litert:cpu"), "stages": e["stages"]} if "stages" in e else {}),
            **timing[side],
        }
    results["ratios"] = {k: round(results["sdkgen"][k] / results["reference"][k], 3) for k, _, _ in ROWS}
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "llm_litert.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.results_dir / "llm_litert.md").write_text(markdown(results))
    print(table(results))
    return results


if __name__ == "__main__":
    main()
