#!/usr/bin/env python3
"""Train the ``tiny-llm`` sample model (tokenizer + tiny Llama) from scratch.

Usage (from the repository root)::

    .venv/bin/python samples/tiny-llm/train.py --out samples/tiny-llm/model

Everything is offline: the corpus is CPython's own ``pydoc_data.topics`` (see
``corpus.py``), the tokenizer is trained here with ``tokenizers``, the model is
a randomly initialised ``transformers`` ``LlamaForCausalLM``.

Determinism: ``random``/``torch`` are seeded (``--seed``), torch is put in
deterministic-algorithms mode, training windows are drawn from a dedicated
seeded ``torch.Generator``, and the intra-op thread count is fixed with
``torch.set_num_threads(--threads)`` (default 2).  The thread count is fixed
because the summation order of CPU matmul kernels (and thus the last bits of
every update) can depend on it; the same command with the same thread count,
torch version and CPU type reproduces the same weights.  Tokenizer training
(BPE) is deterministic on its own.

Output folder: ``config.json``, ``generation_config.json``,
``model.safetensors`` (float32), ``tokenizer.json``, ``tokenizer_config.json``,
``special_tokens_map.json`` and ``training_info.json`` (hyper-parameters,
corpus fingerprint, timings, losses).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import corpus  # noqa: E402

VOCAB_SIZE = 2048


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- tokenizer

def train_tokenizer(train_docs):
    """Byte-level BPE: ByteLevel pre-tokenizer + ByteLevel decoder, no normalizer,
    no post-processor, ``<|endoftext|>`` as the only special token (id 0)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = None
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=[corpus.EOT],  # -> id 0
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # all 256 bytes -> ids 1..256
        show_progress=False,
    )
    tok.train_from_iterator([text for _, text in train_docs], trainer=trainer)
    if tok.get_vocab_size() != VOCAB_SIZE:
        raise SystemExit("tokenizer has %d tokens, expected %d" % (tok.get_vocab_size(), VOCAB_SIZE))
    return tok


def save_tokenizer(tok, out: str, max_len: int) -> None:
    """Write tokenizer.json (exactly as ``tokenizers`` serialises it: no
    TemplateProcessing post-processor, which ``transformers`` 5 would add if we
    went through ``PreTrainedTokenizerFast.save_pretrained``) plus the two
    small JSON files ``AutoTokenizer`` (transformers 4 and 5) and ExecuTorch's
    C++ HF tokenizer read for BOS/EOS."""
    tok.save(os.path.join(out, "tokenizer.json"))
    eot_id = tok.token_to_id(corpus.EOT)
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": corpus.EOT,
        "eos_token": corpus.EOT,
        "pad_token": corpus.EOT,
        "unk_token": None,
        "add_bos_token": False,
        "add_eos_token": False,
        "add_prefix_space": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": max_len,
        "added_tokens_decoder": {
            str(eot_id): {
                "content": corpus.EOT, "lstrip": False, "normalized": False,
                "rstrip": False, "single_word": False, "special": True,
            }
        },
    }
    special_tokens_map = {"bos_token": corpus.EOT, "eos_token": corpus.EOT, "pad_token": corpus.EOT}
    for name, obj in (("tokenizer_config.json", tokenizer_config),
                      ("special_tokens_map.json", special_tokens_map)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, ensure_ascii=False)
            f.write("\n")


# --------------------------------------------------------------------------- model

def make_config(args, eot_id: int):
    import torch
    from transformers import LlamaConfig

    cfg = LlamaConfig(
        vocab_size=VOCAB_SIZE,
        hidden_size=args.hidden_size,
        intermediate_size=args.intermediate_size,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        hidden_act="silu",
        max_position_embeddings=512,
        rope_theta=10000.0,
        rms_norm_eps=1e-5,
        initializer_range=0.02,
        tie_word_embeddings=True,
        attention_bias=False,
        mlp_bias=False,
        attention_dropout=0.0,
        use_cache=True,
        bos_token_id=eot_id,
        eos_token_id=eot_id,
        pad_token_id=eot_id,
    )
    # transformers 5 reads rope settings from rope_parameters; make sure theta is 10000 there too
    rp = getattr(cfg, "rope_parameters", None)
    if isinstance(rp, dict):
        rp["rope_theta"] = 10000.0
    # ... and also write the classic top-level key that transformers 4 and most
    # converters (e.g. ExecuTorch's) read from config.json
    cfg.rope_theta = 10000.0
    cfg.dtype = torch.float32
    return cfg


def lr_at(step: int, args) -> float:
    """Linear warm-up, then cosine decay to 10% of the peak."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    p = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * p)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Train the tiny-llm sample model.")
    ap.add_argument("--out", default=os.path.join(HERE, "model"), help="output folder (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=1400)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seq-len", type=int, default=corpus.SEQ_LEN)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--hidden-size", type=int, default=192, choices=(128, 192))
    ap.add_argument("--intermediate-size", type=int, default=512)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2,
                    help="torch intra-op threads; fixed for reproducibility (default: %(default)s)")
    ap.add_argument("--eval-every", type=int, default=250,
                    help="print held-out perplexity every N steps (monitoring only; 0 = never)")
    args = ap.parse_args(argv)
    if args.intermediate_size % 64:
        ap.error("--intermediate-size must be a multiple of 64")

    t_start = time.time()
    random.seed(args.seed)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    import torch
    from transformers import GenerationConfig, LlamaForCausalLM

    import evaluate as ev  # local module (perplexity definition shared with evaluate.py)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    os.makedirs(args.out, exist_ok=True)

    # ---- data + tokenizer
    docs = corpus.load_documents()
    train_docs, heldout_docs = corpus.split_documents(docs)
    log("python %s, torch %s, %d threads" % (corpus.python_version(), torch.__version__, args.threads))
    log("corpus: pydoc_data.topics + docstrings of %s/*.py, %d documents (fingerprint %s...)"
        % (corpus.stdlib_dir(), len(docs), corpus.corpus_fingerprint(docs)[:16]))
    log("split: %d train documents (%d chars), %d held-out documents (%d chars): %s"
        % (len(train_docs), sum(len(t) for _, t in train_docs), len(heldout_docs),
           sum(len(t) for _, t in heldout_docs), ", ".join(n for n, _ in heldout_docs)))

    raw_tok = train_tokenizer(train_docs)
    eot_id = raw_tok.token_to_id(corpus.EOT)
    save_tokenizer(raw_tok, args.out, 512)

    def encode(s):
        return raw_tok.encode(s, add_special_tokens=False).ids

    train_ids = torch.tensor(corpus.token_stream(train_docs, encode, eot_id), dtype=torch.long)
    heldout = corpus.token_stream(heldout_docs, encode, eot_id)
    log("tokenizer: vocab %d, <|endoftext|> id %d; train tokens %d, held-out tokens %d (%.2f chars/token)"
        % (raw_tok.get_vocab_size(), eot_id, len(train_ids), len(heldout),
           sum(len(t) for _, t in train_docs) / len(train_ids)))

    # ---- model
    cfg = make_config(args, eot_id)
    model = LlamaForCausalLM(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    log("model: LlamaForCausalLM hidden %d, intermediate %d, 4 layers, 4 heads / 2 kv heads, "
        "%d parameters (tied embeddings)" % (args.hidden_size, args.intermediate_size, n_params))

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay},
         {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.95), eps=1e-8,
    )
    gen = torch.Generator().manual_seed(args.seed)
    max_start = len(train_ids) - args.seq_len
    history = []

    # ---- train
    model.train()
    t_train = time.time()
    ema = None
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        starts = torch.randint(0, max_start + 1, (args.batch_size,), generator=gen)
        x = torch.stack([train_ids[s:s + args.seq_len] for s in starts.tolist()])
        loss = model(input_ids=x, labels=x).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        last = step + 1 == args.steps
        if (step + 1) % 50 == 0 or last:
            log("step %5d/%d  lr %.2e  train loss %.3f (ema %.3f, ppl %.1f)  %.0fs"
                % (step + 1, args.steps, lr_at(step, args), loss.item(), ema, math.exp(ema),
                   time.time() - t_train))
        if args.eval_every and ((step + 1) % args.eval_every == 0 or last):
            nll, n = ev.windowed_nll(model, heldout, args.seq_len)
            history.append({"step": step + 1, "train_loss_ema": ema, "heldout_ppl": math.exp(nll / n)})
            log("step %5d  held-out perplexity %.2f (monitoring only)" % (step + 1, math.exp(nll / n)))
    train_seconds = time.time() - t_train

    # ---- save
    model.eval()
    model.generation_config = GenerationConfig(
        bos_token_id=eot_id, eos_token_id=eot_id, pad_token_id=eot_id, do_sample=False,
        max_new_tokens=64,
    )
    model.save_pretrained(args.out, safe_serialization=True)
    nll, n = ev.windowed_nll(model, heldout, args.seq_len)
    info = {
        "description": "tiny-llm sample: Llama-architecture causal LM trained on CPython's "
                       "pydoc_data.topics + stdlib docstrings (see corpus.py)",
        "python_version": corpus.python_version(),
        "torch_version": torch.__version__,
        "corpus": "Lib/pydoc_data/topics.py topics (train + held-out) and docstrings of "
                  "<stdlib>/*.py (train only), paragraph-deduplicated; see corpus.py",
        "corpus_fingerprint": corpus.corpus_fingerprint(docs),
        "train_documents": len(train_docs),
        "heldout_documents": [name for name, _ in heldout_docs],
        "train_tokens": len(train_ids),
        "heldout_tokens": len(heldout),
        "hyperparameters": {k: v for k, v in vars(args).items() if k != "out"},
        "parameters": n_params,
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.time() - t_start, 1),
        "final_train_loss_ema": ema,
        "heldout_perplexity": math.exp(nll / n),
        "history": history,
    }
    with open(os.path.join(args.out, "training_info.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    log("saved %s (%.2f MB): %s" % (args.out, size / 1e6, ", ".join(sorted(os.listdir(args.out)))))
    log("training %.0fs, total %.0fs; held-out perplexity %.2f"
        % (train_seconds, time.time() - t_start, math.exp(nll / n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
