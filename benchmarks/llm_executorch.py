"""ExecuTorch (XNNPACK): ExecuTorch's own LLM exporter against ``sdkgen build``, same model, scheme and runtime.

Run from a clean clone: ``.venv/bin/python benchmarks/llm_executorch.py``. Everything is made on the fly:

1. a SmolLM2-135M-shaped Llama with random weights (``transformers``, fixed seed), saved as a Hugging Face
   checkpoint folder with a deterministic byte-level BPE ``tokenizer.json`` of the same vocabulary size, in
   ``~/.cache/sdkgen/bench/<shape>-random`` (reused when present);
2. exported (a) by ExecuTorch's ``export_llm`` (``executorch.examples.models.llama.export_llama_lib.export_llama``
   with an ``LlmConfig``: model class ``llama3``, the equivalent params JSON, the checkpoint converted to the
   Meta layout, 8da4w group 32, XNNPACK, KV cache, custom SDPA), once as is and once with its own
   ``embedding_quantize`` at 4 bits group 32, and (b) by ``sdkgen build`` (``executorch:xnnpack``, 8da4w group
   32) cold, then rebuilt with nothing changed;
3. every export runs in a child process: wall time measured here, peak memory is the child's ``ru_maxrss``
   (itself and its own children); then all ``.pte`` files are loaded in this one process with ExecuTorch's
   Python runtime and timed on a 64-token prefill (one call) and 64 single-token decode steps, in interleaved
   rounds after a warm-up; medians.

``--perplexity`` adds the quality condition: held-out perplexity of ``samples/tiny-llm`` exported by both
at 8da4w group 32, each ``.pte`` scored token by token through its KV cache.

Results: a table on stdout and ``benchmarks/results/llm_executorch.{json,md}``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TINY_LLM = ROOT / "samples" / "tiny-llm"
GROUP_SIZE = 32


@dataclasses.dataclass(frozen=True)
class Shape:
    """A Llama configuration (Hugging Face names) and the KV-cache length of the export."""

    name: str
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    intermediate_size: int
    vocab_size: int
    max_seq_len: int
    rope_theta: float = 100000.0
    rms_norm_eps: float = 1e-5
    max_position_embeddings: int = 8192


SHAPES = {
    "smollm2-135m": Shape("smollm2-135m", 576, 30, 9, 3, 1536, 49152, 256),
    "tiny": Shape("tiny", 64, 2, 4, 2, 128, 512, 64),
}


# --------------------------------------------------------------------------- the model


def _tokenizer_texts() -> list[str]:
    """Local training text for the tokenizer: the tiny-llm sample's text and CPython's pydoc topics."""
    texts = [(TINY_LLM / n).read_text(encoding="utf-8") for n in ("calibration.txt", "heldout.txt")]
    from pydoc_data.topics import topics

    texts.extend(topics[k] for k in sorted(topics))
    return texts


def make_tokenizer_json(vocab_size: int) -> str:
    """A byte-level BPE ``tokenizer.json`` of exactly ``vocab_size`` entries (id 0 ``<|endoftext|>``).

    Trained with ``tokenizers`` on local text; when the text yields fewer merges than needed, the vocabulary
    is filled deterministically with merges of existing token pairs (valid BPE merges, rarely used)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_tokenizer_texts(), trainer=trainer)
    tj = json.loads(tok.to_str())
    vocab: dict[str, int] = tj["model"]["vocab"]
    merges: list[Any] = tj["model"]["merges"]
    if len(vocab) > vocab_size:  # a tiny vocabulary: keep the first ids (their merges only use earlier ids)
        vocab = {t: i for t, i in vocab.items() if i < vocab_size}
        merges = [m for m in merges if _merge_parts(m)[0] + _merge_parts(m)[1] in vocab]
    base = sorted((t for t in vocab if t != "<|endoftext|>"), key=lambda t: vocab[t])
    i = j = 0
    while len(vocab) < vocab_size:
        a, b = base[i % len(base)], base[j % len(base)]
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
            merges.append([a, b])
        j += 1
        if j % len(base) == 0:
            i += 1
    tj["model"]["vocab"] = vocab
    tj["model"]["merges"] = merges
    return json.dumps(tj, ensure_ascii=False)


def _merge_parts(m: Any) -> tuple[str, str]:
    a, b = m if isinstance(m, list) else m.split(" ", 1)
    return a, b


def make_checkpoint(shape: Shape, folder: Path) -> Path:
    """The random-weight Hugging Face checkpoint of ``shape`` in ``folder`` (made once, then reused)."""
    if (folder / "done").is_file():
        return folder
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    config = LlamaConfig(
        hidden_size=shape.hidden_size,
        num_hidden_layers=shape.num_hidden_layers,
        num_attention_heads=shape.num_attention_heads,
        num_key_value_heads=shape.num_key_value_heads,
        intermediate_size=shape.intermediate_size,
        vocab_size=shape.vocab_size,
        max_position_embeddings=shape.max_position_embeddings,
        rms_norm_eps=shape.rms_norm_eps,
        rope_parameters={"rope_type": "default", "rope_theta": shape.rope_theta},
        tie_word_embeddings=True,
        initializer_range=0.02,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    logits = model(torch.arange(8)[None] % shape.vocab_size).logits
    if not torch.isfinite(logits).all():
        raise RuntimeError("random model produced non-finite logits")
    model.save_pretrained(tmp, safe_serialization=True)
    (tmp / "tokenizer.json").write_text(make_tokenizer_json(shape.vocab_size), encoding="utf-8")
    (tmp / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": "<|endoftext|>",
                "eos_token": "<|endoftext|>",
                "pad_token": "<|endoftext|>",
            }
        )
    )
    (tmp / "done").write_text("")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


# --------------------------------------------------------------------------- the reference: ExecuTorch's export_llm


def params_json(hf: dict[str, Any]) -> dict[str, Any]:
    """ExecuTorch's Llama params (``model_args.ModelArgs``) equivalent to a Hugging Face Llama config."""
    rope = hf.get("rope_parameters") or {}
    return {
        "dim": hf["hidden_size"],
        "n_layers": hf["num_hidden_layers"],
        "n_heads": hf["num_attention_heads"],
        "n_kv_heads": hf.get("num_key_value_heads") or hf["num_attention_heads"],
        "hidden_dim": hf["intermediate_size"],
        "vocab_size": hf["vocab_size"],
        "norm_eps": hf["rms_norm_eps"],
        "rope_theta": float(hf.get("rope_theta") or rope.get("rope_theta") or 10000.0),
        "use_scaled_rope": False,
        "use_hf_rope": False,
        "head_dim": hf.get("head_dim") or hf["hidden_size"] // hf["num_attention_heads"],
    }


def hf_to_meta(state: dict[str, Any], hf: dict[str, Any]) -> dict[str, Any]:
    """The Meta-layout state dict ExecuTorch's Llama reads, from a Hugging Face Llama state dict.

    The names follow ExecuTorch's SmolLM converters (``examples/models/smollm3/convert_weights.py``; the
    SmolLM2 one needs torchtune, which is not installed); q and k are permuted back from the Hugging Face
    half-split RoPE layout to Meta's interleaved one (what torchtune's converter does for SmolLM2), so the
    model runs with ExecuTorch's default RoPE (``use_hf_rope`` false). Tied embeddings become a copy."""
    from executorch.examples.models.smollm3.convert_weights import smollm_to_meta

    heads = hf["num_attention_heads"]
    kv = hf.get("num_key_value_heads") or heads
    out = smollm_to_meta({k: v for k, v in state.items() if k != "lm_head.weight"})
    if "lm_head.weight" in state:
        out["output.weight"] = state["lm_head.weight"]
    for key, n in (("wq", heads), ("wk", kv)):
        for i in range(hf["num_hidden_layers"]):
            name = f"layers.{i}.attention.{key}.weight"
            w = out[name]
            hd = w.shape[0] // n
            out[name] = w.view(n, 2, hd // 2, w.shape[1]).transpose(1, 2).reshape(w.shape).contiguous()
    out["output.weight"] = out["output.weight"].clone()
    return out


def convert_checkpoint(hf_dir: Path, out_dir: Path) -> tuple[Path, Path]:
    """``checkpoint.pth`` and ``params.json`` for ExecuTorch's Llama from the checkpoint folder ``hf_dir``."""
    import torch
    from safetensors.torch import load_file

    hf = json.loads((hf_dir / "config.json").read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt, params = out_dir / "checkpoint.pth", out_dir / "params.json"
    torch.save(hf_to_meta(load_file(hf_dir / "model.safetensors"), hf), ckpt)
    params.write_text(json.dumps(params_json(hf), indent=2))
    return ckpt, params


def check_conversion(hf_dir: Path, ckpt: Path, params: Path, tokens: int = 8) -> float:
    """Max |logits| difference of the Hugging Face model and ExecuTorch's eager Llama on the converted
    checkpoint over ``tokens`` tokens, relative to the largest |logit|."""
    import torch
    from executorch.examples.models.llama.llama_transformer import construct_transformer
    from executorch.examples.models.llama.model_args import ModelArgs
    from transformers import AutoModelForCausalLM

    hf_model = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    args = ModelArgs(**json.loads(params.read_text()), max_seq_len=64, max_context_len=64, generate_full_logits=True)
    et_model = construct_transformer(args).eval()
    et_model.load_state_dict(torch.load(ckpt), strict=False, assign=True)
    ids = (torch.arange(tokens)[None] * 7 + 3) % args.vocab_size
    with torch.no_grad():
        want = hf_model(ids).logits[0]
        got = et_model(ids)
        got = (got[0] if isinstance(got, tuple) else got)[0]
    return float((got - want).abs().max() / want.abs().max())


def reference_export(ckpt: Path, params: Path, out: Path, max_seq_len: int, embedding_quantize: str | None) -> Path:
    """ExecuTorch's own LLM export of the converted checkpoint to ``out`` (a ``.pte`` path)."""
    from executorch.examples.models.llama.export_llama_lib import export_llama
    from executorch.extension.llm.export.config.llm_config import LlmConfig, ModelType

    cfg = LlmConfig()
    cfg.base.model_class = ModelType.llama3
    cfg.base.checkpoint = str(ckpt)
    cfg.base.params = str(params)
    cfg.model.use_kv_cache = True
    cfg.model.use_sdpa_with_kv_cache = True
    cfg.export.max_seq_length = max_seq_len
    cfg.export.max_context_length = max_seq_len
    cfg.export.output_dir = str(out.parent)
    cfg.export.output_name = str(out)  # a name ending in .pte is used as is (relative to the cwd)
    cfg.quantization.qmode = "8da4w"
    cfg.quantization.group_size = GROUP_SIZE
    cfg.quantization.embedding_quantize = embedding_quantize
    cfg.backend.xnnpack.enabled = True
    cfg.backend.xnnpack.extended_ops = True
    out.parent.mkdir(parents=True, exist_ok=True)
    export_llama(cfg)
    if not out.is_file():
        raise RuntimeError(f"export_llama wrote no {out}")
    return out


# --------------------------------------------------------------------------- sdkgen build


SDKGEN_TOML = """\
# Generated by benchmarks/llm_executorch.py.
targets = ["executorch:xnnpack"]

[model]
source = "{source}"
task = "text-generation"
name = "{name}"

[compress]
recipe = "8da4w"
group_size = {group}

[export]
max_seq_len = {max_seq_len}

[android]
package = "com.example.bench"

[ios]
module = "BenchKit"

[verify]
prompts = ["The list"]
max_new_tokens = 4
"""


def sdkgen_build(checkpoint: Path, work: Path, cache: Path, max_seq_len: int) -> dict[str, Any]:
    """``sdkgen build`` (artifacts only, no SDKs) of ``checkpoint`` into ``work/out`` with the cache ``cache``."""
    sys.path.insert(0, str(ROOT))
    from sdkgen.config import load_config
    from sdkgen.pipeline import build

    work.mkdir(parents=True, exist_ok=True)
    toml = work / "sdkgen.toml"
    toml.write_text(
        SDKGEN_TOML.format(source=checkpoint, name="bench", group=GROUP_SIZE, max_seq_len=max_seq_len),
        encoding="utf-8",
    )
    result = build(load_config(toml), work / "out", cache_root=cache, sdks=False, log=lambda m: None)
    ptes = sorted(result.output.rglob("*.pte"))
    if not ptes:
        raise RuntimeError(f"sdkgen build wrote no .pte under {result.output}")
    return {
        "pte": str(ptes[0]),
        "passed": result.passed,
        "stages": {s.name: {"status": s.status, "seconds": round(s.seconds, 3)} for s in result.stages},
    }


# --------------------------------------------------------------------------- child processes


def _sha256(path: Path) -> str:
    import hashlib

    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux: KiB


def _child(job: dict[str, Any]) -> dict[str, Any]:
    kind = job["kind"]
    if kind == "reference":
        pte = reference_export(
            Path(job["ckpt"]), Path(job["params"]), Path(job["out"]), job["max_seq_len"], job["embedding_quantize"]
        )
        res: dict[str, Any] = {"pte": str(pte)}
    elif kind == "sdkgen":
        res = sdkgen_build(Path(job["checkpoint"]), Path(job["work"]), Path(job["cache"]), job["max_seq_len"])
    else:
        raise ValueError(kind)
    res["peak_mb"] = round(_peak_mb(), 1)
    return res


def run_child(job: dict[str, Any], log: Path) -> dict[str, Any]:
    """Run ``job`` in a fresh interpreter; its result plus the wall time measured here."""
    result = log.with_suffix(".json")
    result.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with log.open("w") as f:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job), "--child-result", str(result)],
            stdout=f,
            stderr=subprocess.STDOUT,
            check=False,
        )
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not result.is_file():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"{job['kind']} export failed (exit {proc.returncode}); log {log}:\n{tail}")
    out = json.loads(result.read_text())
    out["export_s"] = round(wall, 2)
    out["size_mb"] = round(Path(out["pte"]).stat().st_size / 1e6, 3)
    return out


# --------------------------------------------------------------------------- running the artifacts


def load_runtime() -> Any:
    """ExecuTorch's Python runtime with the kernels both programs use (custom SDPA/KV-cache ops, quantized
    embedding) registered."""
    import executorch.extension.llm.custom_ops.custom_ops
    import executorch.kernels.quantized  # noqa: F401
    from executorch.extension.pybindings import portable_lib

    return portable_lib


class Program:
    """A loaded ``.pte`` whose ``forward`` is ``(tokens[1, n] int64, positions)``: sdkgen's takes the
    positions of all ``n`` tokens (``cache_position[n]``), ExecuTorch's Llama the first (``input_pos[1]``)."""

    def __init__(self, rt: Any, pte: Path) -> None:
        import torch

        self.torch = torch
        self.module = rt._load_for_executorch(str(pte))
        meta = self.module.method_meta("forward")
        self.inputs = [meta.input_tensor_meta(i) for i in range(meta.num_inputs())]
        if len(self.inputs) != 2:
            raise RuntimeError(f"{pte}: forward takes {len(self.inputs)} inputs, expected (tokens, positions)")
        # A dynamic positions input is as long as the tokens; a static one of size 1 is the start position.
        self.position_is_start = list(self.inputs[1].sizes()) == [1]

    def forward(self, ids: list[int], pos: int) -> Any:
        torch = self.torch
        positions = (
            torch.tensor([pos], dtype=torch.long)
            if self.position_is_start
            else torch.arange(pos, pos + len(ids), dtype=torch.long)
        )
        return self.module.forward((torch.tensor([ids], dtype=torch.long), positions))[0]

    def last_logits(self, ids: list[int], pos: int) -> Any:
        out = self.forward(ids, pos)
        return out.reshape(-1, out.shape[-1])[-1]


def time_programs(
    programs: dict[str, Program], prompt_len: int, decode_len: int, rounds: int, vocab: int
) -> dict[str, dict[str, Any]]:
    """Prefill (one call of ``prompt_len`` tokens) and greedy decode (``decode_len`` single-token calls) per
    program, in interleaved rounds after one warm-up round; medians, and whether every logit was finite."""
    import torch

    prompt = [(i * 7 + 3) % vocab for i in range(prompt_len)]
    times: dict[str, dict[str, list[float]]] = {n: {"prefill": [], "decode": []} for n in programs}
    finite = dict.fromkeys(programs, True)
    for r in range(rounds + 1):
        for name, p in programs.items():
            t0 = time.perf_counter()
            logits = p.last_logits(prompt, 0)
            t1 = time.perf_counter()
            ok = bool(torch.isfinite(logits).all())
            tok = int(logits.argmax())
            t2 = time.perf_counter()
            for k in range(decode_len):
                logits = p.last_logits([tok], prompt_len + k)
                tok = int(logits.argmax())
            t3 = time.perf_counter()
            finite[name] = finite[name] and ok and bool(torch.isfinite(logits).all())
            if r:  # round 0 is the warm-up
                times[name]["prefill"].append(t1 - t0)
                times[name]["decode"].append(t3 - t2)
    return {
        n: {
            "prefill_tok_s": round(prompt_len / statistics.median(t["prefill"]), 1),
            "decode_tok_s": round(decode_len / statistics.median(t["decode"]), 1),
            "prefill_s_all": [round(x, 5) for x in t["prefill"]],
            "decode_s_all": [round(x, 5) for x in t["decode"]],
            "finite_logits": finite[n],
        }
        for n, t in times.items()
    }


# --------------------------------------------------------------------------- perplexity (tiny-llm)


def heldout_windows(checkpoint: Path, window: int) -> list[list[int]]:
    """All of ``samples/tiny-llm/heldout.txt`` in sdkgen's held-out windows (BOS, then ``window - 1`` tokens;
    sdkgen's own build scores at most ``sdkgen.verify.perplexity.MAX_WINDOWS`` of them)."""
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(tokenizer_file=str(checkpoint / "tokenizer.json"))
    bos = json.loads((checkpoint / "config.json").read_text())["bos_token_id"]
    ids = tok.encode((TINY_LLM / "heldout.txt").read_text(encoding="utf-8"), add_special_tokens=False)
    size = window - 1
    return [w for w in ([bos, *ids[i : i + size]] for i in range(0, len(ids), size)) if len(w) > 1]


def token_perplexity(program: Program, windows: list[list[int]]) -> dict[str, float]:
    """exp(mean NLL) of every window token but the first, each predicted by one KV-cache step."""
    import math

    import torch

    nll, count = 0.0, 0
    for w in windows:
        for i in range(len(w) - 1):
            logp = torch.log_softmax(program.last_logits([w[i]], i).double(), -1)
            nll -= float(logp[w[i + 1]])
            count += 1
    return {"perplexity": round(math.exp(nll / count), 4), "tokens": count}


# --------------------------------------------------------------------------- machine and report


def machine() -> dict[str, Any]:
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln),
        platform.processor(),
    )
    mem = next(
        (
            int(ln.split()[1]) // 1024
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        ),
        0,
    )
    versions: dict[str, str | None] = {}
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("executorch", "torch", "torchao", "transformers", "tokenizers"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    sys.path.insert(0, str(ROOT))
    from sdkgen import __version__

    versions["sdkgen"] = __version__
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_mb": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


ROWS = (
    ("reference", "reference (export_llm)"),
    ("reference_embq", "reference + embedding_quantize 4,32"),
    ("sdkgen", "sdkgen build"),
)


def table(res: dict[str, Any]) -> str:
    lines = [
        "| | export s | peak MB | size MB | prefill tok/s | decode tok/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in ROWS:
        e, r = res["exports"][key], res["runs"][key]
        lines.append(
            f"| {label} | {e['export_s']:.1f} | {e['peak_mb']:.0f} | {e['size_mb']:.2f} | "
            f"{r['prefill_tok_s']:.1f} | {r['decode_tok_s']:.1f} |"
        )
    for key, label in (("reference", "sdkgen / reference"), ("reference_embq", "sdkgen / reference+embq")):
        q = res["ratios"][key]
        lines.append(
            f"| **{label}** | {q['export_s']:.2f}x | {q['peak_mb']:.2f}x | {q['size_mb']:.2f}x | "
            f"{q['prefill_tok_s']:.2f}x | {q['decode_tok_s']:.2f}x |"
        )
    lines.append(
        f"| sdkgen rebuild, nothing changed | {res['exports']['sdkgen_rebuild']['export_s']:.1f} | "
        f"{res['exports']['sdkgen_rebuild']['peak_mb']:.0f} | | | |"
    )
    return "\n".join(lines)


def markdown(res: dict[str, Any]) -> str:
    m = res["machine"]
    s = res["settings"]
    out = [
        "## ExecuTorch (XNNPACK), same scheme, same runtime",
        "",
        f"Model: `{s['shape']['name']}` (random weights; hidden {s['shape']['hidden_size']}, "
        f"{s['shape']['num_hidden_layers']} layers, {s['shape']['num_attention_heads']} heads, "
        f"{s['shape']['num_key_value_heads']} KV heads, FFN {s['shape']['intermediate_size']}, vocab "
        f"{s['shape']['vocab_size']}, tied embeddings); 8da4w group {GROUP_SIZE}, XNNPACK, KV cache "
        f"{s['shape']['max_seq_len']}; prefill {s['prompt_len']} tokens in one call, decode {s['decode_len']} "
        f"single-token calls; median of {s['rounds']} interleaved rounds after a warm-up, ExecuTorch threadpool "
        f"{res['threads']} threads (its default) for every program.",
        "",
        table(res),
        "",
    ]
    reused = {k: e.get("date", "?") for k, e in res["exports"].items() if e.get("reused")}
    if reused:
        out += [
            "Reference exports reused (`--reuse-reference`): "
            + ", ".join(f"{k} exported {d}" for k, d in reused.items())
            + "; their export time and peak memory are from that run, the rest of the table from this one.",
            "",
        ]
    if "perplexity" in res:
        p = res["perplexity"]
        out += [
            f"Quality (`samples/tiny-llm`, held-out text, {p['reference']['tokens']} tokens, KV cache "
            f"{p['max_seq_len']}): perplexity eager fp32 {p['eager_fp32']['perplexity']:.3f}, reference 8da4w "
            f"{p['reference']['perplexity']:.3f} (fp32 embeddings), reference 8da4w + embedding_quantize "
            f"4,{GROUP_SIZE} {p['reference_embq']['perplexity']:.3f}, sdkgen 8da4w (int4 embeddings) "
            f"{p['sdkgen']['perplexity']:.3f} (sdkgen / reference with the same scheme {p['ratio']:.4f}; "
            f"/ reference default {p['ratio_to_reference_default']:.4f}).",
            "",
        ]
    out += [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_mb']} MB RAM, {m['os']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + f". Measured {res['date']}.",
        "",
        f"Command: `{res['command']}`",
        "",
    ]
    return "\n".join(out)


def _ratios(exports: dict[str, Any], runs: dict[str, Any], ref: str) -> dict[str, float]:
    q = {k: exports["sdkgen"][k] / exports[ref][k] for k in ("export_s", "peak_mb", "size_mb")}
    q |= {k: runs["sdkgen"][k] / runs[ref][k] for k in ("prefill_tok_s", "decode_tok_s")}
    return {k: round(v, 3) for k, v in q.items()}


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> dict[str, Any]:
    shape = SHAPES[args.shape]
    cache = Path(args.cache_dir).expanduser()
    work = cache / f"run-{shape.name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = print if not args.quiet else (lambda *a, **k: None)

    log(f"model: {shape.name} (checkpoint in {cache / (shape.name + '-random')})")
    hf_dir = make_checkpoint(shape, cache / f"{shape.name}-random")
    ckpt, params = convert_checkpoint(hf_dir, work / "meta")
    conversion_error = check_conversion(hf_dir, ckpt, params)
    log(f"conversion HF -> Meta layout: max |logits diff| / max |logit| = {conversion_error:.2e}")
    if conversion_error > 1e-4:
        raise RuntimeError(f"converted checkpoint does not reproduce the HF model ({conversion_error:.2e})")

    exports: dict[str, Any] = {}
    jobs: dict[str, dict[str, Any]] = {
        "reference": {"kind": "reference", "embedding_quantize": None},
        "reference_embq": {"kind": "reference", "embedding_quantize": f"4,{GROUP_SIZE}"},
    }
    # The reference exports are kept beside the checkpoint (not in the per-run folder): the reference does not
    # change when sdkgen does, and each takes tens of minutes on 2 cores. --reuse-reference takes them from there.
    kept = cache / f"{shape.name}-reference"
    kept.mkdir(parents=True, exist_ok=True)
    weights = _sha256(hf_dir / "model.safetensors")
    for name, job in jobs.items():
        stats = kept / f"{name}.json"
        earlier = json.loads(stats.read_text()) if stats.is_file() else {}
        if args.reuse_reference and earlier.get("weights") == weights and Path(earlier["pte"]).is_file():
            exports[name] = json.loads(stats.read_text()) | {"reused": True}
            log(f"export: {name} reused from {stats} (measured {exports[name].get('date', '?')})")
            continue
        log(f"export: {name} ...")
        job |= {
            "ckpt": str(ckpt),
            "params": str(params),
            "out": str(kept / f"{name}.pte"),
            "max_seq_len": shape.max_seq_len,
        }
        exports[name] = run_child(job, work / f"{name}.log") | {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "weights": weights,  # the checkpoint it was exported from (a reuse must match it)
        }
        stats.write_text(json.dumps(exports[name], indent=2))
    sd_job = {
        "kind": "sdkgen",
        "checkpoint": str(hf_dir),
        "work": str(work / "sdkgen"),
        "cache": str(work / "sdkgen-cache"),
        "max_seq_len": shape.max_seq_len,
    }
    log("export: sdkgen (cold cache) ...")
    exports["sdkgen"] = run_child(sd_job, work / "sdkgen.log")
    log("export: sdkgen rebuild (nothing changed) ...")
    exports["sdkgen_rebuild"] = run_child(sd_job, work / "sdkgen-rebuild.log")
    for name, e in exports.items():
        log(f"  {name}: {e['export_s']} s, peak {e['peak_mb']} MB, {e['size_mb']} MB")

    rt = load_runtime()
    programs = {n: Program(rt, Path(exports[n]["pte"])) for n in ("reference", "reference_embq", "sdkgen")}
    threads = rt._threadpool_get_thread_count()
    log(f"timing: {args.rounds} rounds, threadpool {threads} threads ...")
    runs = time_programs(programs, args.prompt_len, args.decode_len, args.rounds, shape.vocab_size)
    for name, p in programs.items():
        runs[name]["position_input"] = "start position [1]" if p.position_is_start else "positions [seq]"
    res: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python", "benchmarks/llm_executorch.py", *sys.argv[1:]]),
        "machine": machine(),
        "threads": threads,
        "settings": {
            "shape": dataclasses.asdict(shape),
            "prompt_len": args.prompt_len,
            "decode_len": args.decode_len,
            "rounds": args.rounds,
            "group_size": GROUP_SIZE,
            "conversion_error": conversion_error,
        },
        "exports": exports,
        "runs": runs,
        "ratios": {ref: _ratios(exports, runs, ref) for ref in ("reference", "reference_embq")},
    }
    del programs
    if args.perplexity:
        res["perplexity"] = perplexity_section(args, work, rt, log)
    return res


def perplexity_section(args: argparse.Namespace, work: Path, rt: Any, log: Any) -> dict[str, Any]:
    """Held-out perplexity of tiny-llm's 8da4w exports by both exporters (and its fp32 eager model)."""
    import torch
    from transformers import AutoModelForCausalLM

    max_seq_len = 128
    ckpt, params = convert_checkpoint(TINY_LLM / "model", work / "tiny-llm-meta")
    err = check_conversion(TINY_LLM / "model", ckpt, params)
    log(f"perplexity: tiny-llm conversion error {err:.2e}; exporting both ...")
    # sdkgen's 8da4w quantizes the embedding table to int4 blocks (compress.embeddings = "auto"): the same
    # scheme is export_llm with embedding_quantize "4,<group>"; its default (fp32 table) is scored too.
    refs = {
        name: run_child(
            {
                "kind": "reference",
                "embedding_quantize": embq,
                "ckpt": str(ckpt),
                "params": str(params),
                "out": str(work / f"tiny-llm-{name}.pte"),
                "max_seq_len": max_seq_len,
            },
            work / f"tiny-llm-{name}.log",
        )
        for name, embq in (("reference", None), ("reference_embq", f"4,{GROUP_SIZE}"))
    }
    sd = run_child(
        {
            "kind": "sdkgen",
            "checkpoint": str(TINY_LLM / "model"),
            "work": str(work / "tiny-llm-sdkgen"),
            "cache": str(work / "tiny-llm-sdkgen-cache"),
            "max_seq_len": max_seq_len,
        },
        work / "tiny-llm-sdkgen.log",
    )
    windows = heldout_windows(TINY_LLM / "model", max_seq_len)
    model = AutoModelForCausalLM.from_pretrained(TINY_LLM / "model", dtype=torch.float32).eval()
    nll, count = 0.0, 0
    with torch.no_grad():
        for w in windows:
            logp = torch.log_softmax(model(torch.tensor([w])).logits[0, :-1].double(), -1)
            nll -= float(logp[torch.arange(len(w) - 1), torch.tensor(w[1:])].sum())
            count += len(w) - 1
    import math

    eager = {"perplexity": round(math.exp(nll / count), 4), "tokens": count}
    got = {name: token_perplexity(Program(rt, Path(r["pte"])), windows) for name, r in refs.items()}
    got["sdkgen"] = token_perplexity(Program(rt, Path(sd["pte"])), windows)
    log(f"  perplexity: eager {eager}, {got}")
    return {
        "max_seq_len": max_seq_len,
        "conversion_error": err,
        "eager_fp32": eager,
        **got,
        "ratio": round(got["sdkgen"]["perplexity"] / got["reference_embq"]["perplexity"], 5),
        "ratio_to_reference_default": round(got["sdkgen"]["perplexity"] / got["reference"]["perplexity"], 5),
        "sizes_mb": {**{n: r["size_mb"] for n, r in refs.items()}, "sdkgen": sd["size_mb"]},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="smollm2-135m")
    ap.add_argument("--prompt-len", type=int, default=64)
    ap.add_argument("--decode-len", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (after one warm-up round)")
    ap.add_argument("--perplexity", action="store_true", help="also compare held-out perplexity on samples/tiny-llm")
    ap.add_argument(
        "--reuse-reference",
        action="store_true",
        help="take export_llm's .pte files and their export time/memory from an earlier run of the same shape",
    )
    ap.add_argument("--cache-dir", default="~/.cache/sdkgen/bench")
    ap.add_argument("--results", default=str(ROOT / "benchmarks" / "results"), help="folder for the .json/.md")
    ap.add_argument("--name", default="llm_executorch", help="results file stem")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--child-result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        res = _child(json.loads(args.child))
        Path(args.child_result).write_text(json.dumps(res))
        return 0
    res = run(args)
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.name}.json").write_text(json.dumps(res, indent=2) + "\n")
    md = markdown(res)
    (out / f"{args.name}.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
