"""A/B harness for sdkgen's ExecuTorch text-generation lowering against ExecuTorch's own ``export_llm``.

One command: ``.venv/bin/python benchmarks/et_ab.py [--layers 8] [--embeddings int8 --ref-embeddings 8,0]``.

Makes a SmolLM2-proportioned Llama (hidden 576, 9 heads, 3 KV heads, FFN 1536, vocab 49152, tied
embeddings; ``--layers`` of them) with random weights, exports it (a) with ``export_llm`` (``llama3`` model
class, the same weights converted to Meta's layout, 8da4w, XNNPACK, KV cache, custom SDPA) and (b) with
sdkgen's own stages (compress -> export -> lower, the functions ``sdkgen build`` runs), then runs both
``.pte`` files in this process in interleaved rounds: prefill of a ``--prompt``-token prompt and
``--decode`` single-token steps. Prints a table with the ratios sdkgen/reference and writes JSON.

``--checkpoint DIR`` uses an existing Hugging Face Llama checkpoint instead (e.g. samples/tiny-llm/model)
and with ``--heldout FILE`` also reports both artifacts' perplexity on that text.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def make_model(out: Path, layers: int, seed: int = 0) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if (out / "config.json").is_file():
        return out
    torch.manual_seed(seed)
    cfg = LlamaConfig(
        hidden_size=576,
        intermediate_size=1536,
        num_hidden_layers=layers,
        num_attention_heads=9,
        num_key_value_heads=3,
        vocab_size=49152,
        max_position_embeddings=8192,
        rope_theta=100000.0,
        rms_norm_eps=1e-5,
        tie_word_embeddings=True,
        bos_token_id=1,
        eos_token_id=2,
    )
    model = LlamaForCausalLM(cfg).eval()
    model.save_pretrained(out)
    return out


def meta_checkpoint(hf_dir: Path, out: Path) -> tuple[Path, Path]:
    """The HF checkpoint in Meta's layout (q/k rows permuted back to interleaved RoPE) and its params.json."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    ckpt, params = out / "meta.pth", out / "params.json"
    if ckpt.is_file():
        return ckpt, params
    cfg = AutoConfig.from_pretrained(hf_dir)
    sd = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).state_dict()
    heads, kv = cfg.num_attention_heads, cfg.num_key_value_heads

    def unpermute(w: torch.Tensor, n: int) -> torch.Tensor:
        d1, d2 = w.shape
        return w.view(n, 2, d1 // n // 2, d2).transpose(1, 2).reshape(d1, d2)

    meta: dict[str, torch.Tensor] = {
        "tok_embeddings.weight": sd["model.embed_tokens.weight"],
        "norm.weight": sd["model.norm.weight"],
        "output.weight": sd.get("lm_head.weight", sd["model.embed_tokens.weight"]),
    }
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        meta[f"layers.{i}.attention.wq.weight"] = unpermute(sd[p + "self_attn.q_proj.weight"], heads)
        meta[f"layers.{i}.attention.wk.weight"] = unpermute(sd[p + "self_attn.k_proj.weight"], kv)
        meta[f"layers.{i}.attention.wv.weight"] = sd[p + "self_attn.v_proj.weight"]
        meta[f"layers.{i}.attention.wo.weight"] = sd[p + "self_attn.o_proj.weight"]
        meta[f"layers.{i}.attention_norm.weight"] = sd[p + "input_layernorm.weight"]
        meta[f"layers.{i}.ffn_norm.weight"] = sd[p + "post_attention_layernorm.weight"]
        meta[f"layers.{i}.feed_forward.w1.weight"] = sd[p + "mlp.gate_proj.weight"]
        meta[f"layers.{i}.feed_forward.w2.weight"] = sd[p + "mlp.down_proj.weight"]
        meta[f"layers.{i}.feed_forward.w3.weight"] = sd[p + "mlp.up_proj.weight"]
    torch.save({k: v.contiguous().clone() for k, v in meta.items()}, ckpt)
    rope = (getattr(cfg, "rope_parameters", None) or {}).get("rope_theta") or getattr(cfg, "rope_theta", 10000.0)
    params.write_text(
        json.dumps(
            {
                "dim": cfg.hidden_size,
                "hidden_dim": cfg.intermediate_size,
                "n_heads": heads,
                "n_kv_heads": kv,
                "n_layers": cfg.num_hidden_layers,
                "head_dim": cfg.hidden_size // heads,
                "norm_eps": cfg.rms_norm_eps,
                "rope_theta": rope,
                "vocab_size": cfg.vocab_size,
                "use_scaled_rope": False,
            }
        )
    )
    return ckpt, params


def export_reference(
    hf_dir: Path, out: Path, max_seq_len: int, group: int, embedding_quantize: str | None
) -> tuple[Path, float]:
    from executorch.examples.models.llama.export_llama_lib import export_llama
    from executorch.extension.llm.export.config.llm_config import LlmConfig, ModelType

    ckpt, params = meta_checkpoint(hf_dir, out)
    c = LlmConfig()
    c.base.model_class = ModelType("llama3")
    c.base.checkpoint = str(ckpt)
    c.base.params = str(params)
    c.model.use_kv_cache = True
    c.model.use_sdpa_with_kv_cache = True
    c.model.enable_dynamic_shape = True
    c.export.max_seq_length = max_seq_len
    c.export.max_context_length = max_seq_len
    c.export.output_dir = str(out)
    c.export.output_name = str(out / "reference.pte")
    c.quantization.qmode = "8da4w"
    c.quantization.group_size = group
    c.quantization.embedding_quantize = embedding_quantize
    c.backend.xnnpack.enabled = True
    t0 = time.perf_counter()
    export_llama(c)
    return out / "reference.pte", time.perf_counter() - t0


def export_sdkgen(
    hf_dir: Path, out: Path, max_seq_len: int, group: int, embeddings: str, fuse: bool = True
) -> tuple[Path, float]:
    import torch
    from transformers import AutoModelForCausalLM

    from sdkgen.compress import Recipe
    from sdkgen.runtimes.executorch.export import export_text_generation, runner_metadata
    from sdkgen.runtimes.executorch.lower import lower_program
    from sdkgen.runtimes.executorch.quantize import quantize

    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    if fuse:  # what sdkgen's compress stage does for an ExecuTorch text-generation build
        from sdkgen.runtimes.executorch.fuse import fuse_projections

        fuse_projections(model, (torch.arange(8)[None] * 7 + 3) % model.config.vocab_size)
    model, _ = quantize(model, Recipe("8da4w", group, embeddings), float32_io=False)
    ep = export_text_generation(model, max_seq_len)
    torch.export.save(ep, out / "program.pt2")
    cfg = model.config
    md = runner_metadata(max_seq_len, cfg.vocab_size, cfg.bos_token_id, [cfg.eos_token_id])
    pte = out / "sdkgen.pte"
    lower_program(out / "program.pt2", "xnnpack", md, pte)
    return pte, time.perf_counter() - t0


class Runner:
    """One ``.pte``'s forward as ``step(ids, pos) -> last logits``; the reference takes ``input_pos[1]``,
    sdkgen's ``cache_position[seq]``."""

    def __init__(self, pte: Path, kind: str) -> None:
        import executorch.extension.llm.custom_ops.custom_ops
        import executorch.kernels.quantized  # noqa: F401
        from executorch.extension.pybindings.portable_lib import _load_for_executorch

        self.module = _load_for_executorch(str(pte))
        self.kind = kind

    def step(self, ids: list[int], pos: int) -> Any:
        import torch

        tokens = torch.tensor([ids], dtype=torch.long)
        if self.kind == "reference":
            p = torch.tensor([pos], dtype=torch.long)
        else:
            p = torch.arange(pos, pos + len(ids), dtype=torch.long)
        return self.module.forward((tokens, p))[0]


def bench_round(r: Runner, prompt: list[int], decode: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    logits = r.step(prompt, 0)
    t1 = time.perf_counter()
    tok = int(logits.reshape(-1, logits.shape[-1])[-1].argmax())
    pos = len(prompt)
    t2 = time.perf_counter()
    for _ in range(decode):
        logits = r.step([tok], pos)
        tok = int(logits.reshape(-1, logits.shape[-1])[-1].argmax())
        pos += 1
    t3 = time.perf_counter()
    return len(prompt) / (t1 - t0), decode / (t3 - t2)


def teacher_forced_perplexity(r: Runner, windows: list[list[int]]) -> float:
    """Perplexity from single-token steps (the reference returns only the last position's logits)."""
    import math

    import numpy as np

    nll, count = 0.0, 0
    for w in windows:
        for pos in range(len(w) - 1):
            logits = np.asarray(r.step([w[pos]], pos), dtype=np.float64).reshape(-1)
            logits -= logits.max()
            nll -= float(logits[w[pos + 1]] - math.log(np.exp(logits).sum()))
            count += 1
    return math.exp(nll / count)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--checkpoint", type=Path, help="a HF Llama checkpoint instead of random weights")
    ap.add_argument("--heldout", type=Path, help="text for perplexity (with --checkpoint)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/et_ab"))
    ap.add_argument("--max-seq-len", type=int, default=256)
    ap.add_argument("--group-size", type=int, default=32)
    ap.add_argument("--embeddings", default="none", choices=["none", "int8", "int4"], help="sdkgen's recipe option")
    ap.add_argument("--no-fuse", action="store_true", help="sdkgen without fused q/k/v and gate/up projections")
    ap.add_argument("--ref-embeddings", default=None, help="export_llm's embedding_quantize, e.g. 8,0 or 4,32")
    ap.add_argument("--prompt", type=int, default=64)
    ap.add_argument("--decode", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--skip-reference-export", action="store_true", help="reuse work/ref/reference.pte")
    ap.add_argument("--label", default="")
    ap.add_argument("--results", type=Path, help="also write <label>.json and <label>.md here (benchmarks/results)")
    ap.add_argument(
        "--extra", action="append", default=[], metavar="NAME=PTE", help="another sdkgen-signature .pte to run too"
    )
    args = ap.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    hf = args.checkpoint or make_model(args.work / f"hf-{args.layers}", args.layers)
    tag = f"{hf.name}-emb{args.ref_embeddings or 'fp32'}".replace(",", "_")
    ref_dir, sdk_dir = args.work / f"ref-{tag}", args.work / f"sdkgen-{args.embeddings}-{hf.name}"
    ref_dir.mkdir(exist_ok=True)
    sdk_dir.mkdir(exist_ok=True)
    if args.skip_reference_export and (ref_dir / "reference.pte").is_file():
        ref_pte, ref_s = ref_dir / "reference.pte", float("nan")
    else:
        ref_pte, ref_s = export_reference(hf, ref_dir, args.max_seq_len, args.group_size, args.ref_embeddings)
    if args.no_fuse:
        sdk_dir = sdk_dir.with_name(sdk_dir.name + "-nofuse")
        sdk_dir.mkdir(exist_ok=True)
    sdk_pte, sdk_s = export_sdkgen(
        hf, sdk_dir, args.max_seq_len, args.group_size, args.embeddings, fuse=not args.no_fuse
    )

    runners = {"reference": Runner(ref_pte, "reference"), "sdkgen": Runner(sdk_pte, "sdkgen")}
    extra = dict(e.split("=", 1) for e in args.extra)
    runners.update({name: Runner(Path(p), "sdkgen") for name, p in extra.items()})
    import random

    rng = random.Random(0)
    vocab = 49152 if args.checkpoint is None else 2000
    prompt = [rng.randrange(3, vocab) for _ in range(args.prompt)]
    for r in runners.values():  # warm-up
        bench_round(r, prompt[:8], 4)
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in runners}
    for i in range(args.rounds):
        order = list(runners) if i % 2 == 0 else list(reversed(runners))
        for name in order:
            samples[name].append(bench_round(runners[name], prompt, args.decode))
    result: dict[str, Any] = {"label": args.label, "model": str(hf), "date": time.strftime("%Y-%m-%d %H:%M UTC")}
    for name, pte, secs in (("reference", ref_pte, ref_s), ("sdkgen", sdk_pte, sdk_s)):
        result[name] = {
            "bytes": pte.stat().st_size,
            "export_s": round(secs, 1),
            "prefill_tok_s": round(statistics.median(s[0] for s in samples[name]), 1),
            "decode_tok_s": round(statistics.median(s[1] for s in samples[name]), 1),
        }
    if args.heldout:
        from transformers import PreTrainedTokenizerFast

        tok = PreTrainedTokenizerFast(tokenizer_file=str(hf / "tokenizer.json"))
        ids = tok.encode(args.heldout.read_text(encoding="utf-8"), add_special_tokens=False)
        n = args.max_seq_len // 2
        windows = [ids[i : i + n] for i in range(0, len(ids), n) if len(ids[i : i + n]) > 1][:4]
        for name, r in runners.items():
            result[name]["perplexity"] = round(teacher_forced_perplexity(r, windows), 4)
    for name, p in extra.items():
        result[name] = {
            "bytes": Path(p).stat().st_size,
            "prefill_tok_s": round(statistics.median(s[0] for s in samples[name]), 1),
            "decode_tok_s": round(statistics.median(s[1] for s in samples[name]), 1),
        }
        print(name, result[name], {k: round(v / result["reference"][k], 3) for k, v in result[name].items()})
    ref, sdk = result["reference"], result["sdkgen"]
    ratios = {k: round(sdk[k] / ref[k], 3) for k in ref if isinstance(ref[k], (int, float)) and ref[k] == ref[k]}
    result["ratio_sdkgen_over_reference"] = ratios
    print(f"{'':12}{'reference':>14}{'sdkgen':>14}{'ratio':>8}")
    for k in ref:
        print(f"{k:12}{ref[k]:>14}{sdk[k]:>14}{ratios.get(k, float('nan')):>8}")
    (args.work / f"result-{tag}-{args.embeddings}{'-' + args.label if args.label else ''}.json").write_text(
        json.dumps(result, indent=2)
    )
    print(json.dumps(result))
    if args.results:
        write_results(result, args.results / f"et_ab-{args.label or hf.name}")
    return 0


def write_results(result: dict[str, Any], stem: Path) -> None:
    """``stem.json`` and a markdown table ``stem.md`` (every artifact's numbers and its ratio to the reference)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    ref = result["reference"]
    names = [k for k, v in result.items() if isinstance(v, dict) and "bytes" in v and not k.startswith("ratio")]
    keys = [k for k in ref if isinstance(ref[k], (int, float))]
    lines = [
        f"# et_ab {result['label']}: {result['model']}, {result['date']}",
        "",
        "| artifact | " + " | ".join(keys) + " |",
        "|---|" + "---:|" * len(keys),
    ]
    for n in names:
        row = result[n]
        cells = [f"{row[k]} ({row[k] / ref[k]:.2f}x)" if k in row and ref[k] else str(row.get(k, "")) for k in keys]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
