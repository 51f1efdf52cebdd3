#!/usr/bin/env python3
"""Held-out perplexity and greedy samples for the ``tiny-llm`` sample model.

Usage (from the repository root)::

    .venv/bin/python samples/tiny-llm/evaluate.py                 # human-readable
    .venv/bin/python samples/tiny-llm/evaluate.py --json          # one JSON object
    .venv/bin/python samples/tiny-llm/evaluate.py --model DIR     # another folder

The folder is loaded with ``transformers`` only (``AutoTokenizer``,
``AutoModelForCausalLM``); the held-out split is recomputed by ``corpus.py``.

Perplexity definition (token level): the held-out token stream (see
``corpus.token_stream``) is cut into consecutive, non-overlapping windows of
``SEQ_LEN`` (= 128, the training length) tokens; the last window may be
shorter.  Inside each window every token except the first one is scored given
the preceding tokens of that window (the first token of a window has no
context, so it is the only thing not scored; the ``<|endoftext|>`` document
separators *are* scored).  perplexity = exp(total NLL / number of scored
tokens).

The module is importable: :func:`windowed_nll` and :func:`heldout_ids` are
used by ``train.py`` for progress reports.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from typing import Dict, List, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import corpus  # noqa: E402

DEFAULT_MODEL_DIR = os.path.join(HERE, "model")
DEFAULT_PROMPTS = ("The list", "Return the", "A dictionary")


def heldout_ids(tokenizer) -> List[int]:
    """Token ids of the held-out part, laid out exactly like training data."""
    _, heldout = corpus.split_documents()
    eot_id = tokenizer.convert_tokens_to_ids(corpus.EOT)
    return corpus.token_stream(
        heldout, lambda s: tokenizer.encode(s, add_special_tokens=False, verbose=False), eot_id
    )


def windowed_nll(model, ids: Sequence[int], seq_len: int = corpus.SEQ_LEN,
                 batch_size: int = 16) -> Tuple[float, int]:
    """Sum of NLL (nats) and number of scored tokens, non-overlapping windows."""
    import torch
    import torch.nn.functional as F

    windows = [list(ids[i:i + seq_len]) for i in range(0, len(ids), seq_len)]
    windows = [w for w in windows if len(w) >= 2]
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for b in range(0, len(windows), batch_size):
            batch = windows[b:b + batch_size]
            width = max(len(w) for w in batch)
            x = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for r, w in enumerate(batch):
                x[r, :len(w)] = torch.tensor(w)
                mask[r, :len(w)] = 1
            logits = model(input_ids=x, attention_mask=mask).logits.float()
            logp = F.log_softmax(logits[:, :-1], dim=-1)
            tgt = x[:, 1:]
            nll = -logp.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)
            m = mask[:, 1:].bool()
            total += nll[m].sum().item()
            count += int(m.sum().item())
    if was_training:
        model.train()
    return total, count


def greedy(model, tokenizer, prompt: str, max_new_tokens: int = 40, bos: bool = False) -> str:
    """Greedy continuation of ``prompt``; returns only the new text.

    By default the prompt is *not* prefixed with ``<|endoftext|>``: that is what
    ExecuTorch's C++ HF tokenizer produces for ``encode(prompt, bos=1, eos=0)``
    with this tokenizer.json (it has no post-processor, and pytorch-tokenizers
    only inserts BOS through the post-processor), so these strings are the
    reference for an on-device greedy run.  ``bos=True`` prefixes it.
    """
    import torch

    eot_id = tokenizer.convert_tokens_to_ids(corpus.EOT)
    ids = ([eot_id] if bos else []) + tokenizer.encode(prompt, add_special_tokens=False)
    x = torch.tensor([ids])
    with torch.no_grad():
        out = model.generate(
            x, attention_mask=torch.ones_like(x), max_new_tokens=max_new_tokens,
            do_sample=False, eos_token_id=eot_id, pad_token_id=eot_id,
        )
    new = out[0, len(ids):].tolist()
    return tokenizer.decode(new, skip_special_tokens=True)


def evaluate(model_dir: str = DEFAULT_MODEL_DIR, prompts: Sequence[str] = DEFAULT_PROMPTS,
             max_new_tokens: int = 40, bos: bool = False) -> Dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()

    result: Dict = {"model_dir": os.path.abspath(model_dir)}
    info_path = os.path.join(model_dir, "training_info.json")
    fingerprint = corpus.corpus_fingerprint()
    result["corpus_fingerprint"] = fingerprint
    result["python_version"] = corpus.python_version()
    if os.path.exists(info_path):
        with open(info_path, encoding="utf-8") as f:
            info = json.load(f)
        result["corpus_matches_training"] = info.get("corpus_fingerprint") == fingerprint
        if not result["corpus_matches_training"]:
            warnings.warn(
                "pydoc_data.topics of this Python (%s) differs from the one the model was "
                "trained on (%s); the held-out perplexity is not comparable."
                % (corpus.python_version(), info.get("python_version")))

    ids = heldout_ids(tokenizer)
    nll, n = windowed_nll(model, ids)
    result.update({
        "seq_len": corpus.SEQ_LEN,
        "heldout_tokens": len(ids),
        "scored_tokens": n,
        "heldout_nll_per_token": nll / n,
        "heldout_perplexity": math.exp(nll / n),
        "parameters": sum(p.numel() for p in model.parameters()),
        "greedy_bos": bos,
        "max_new_tokens": max_new_tokens,
        "samples": [{"prompt": p, "greedy": greedy(model, tokenizer, p, max_new_tokens, bos)}
                    for p in prompts],
    })
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL_DIR, help="model folder (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--prompt", action="append", help="greedy prompt (repeatable)")
    ap.add_argument("--max-new-tokens", type=int, default=40)
    ap.add_argument("--bos", action="store_true",
                    help="prefix greedy prompts with <|endoftext|> (default: no BOS, like the C++ tokenizer)")
    args = ap.parse_args(argv)

    res = evaluate(args.model, tuple(args.prompt) if args.prompt else DEFAULT_PROMPTS,
                   args.max_new_tokens, args.bos)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    print("model: %s (%d parameters)" % (res["model_dir"], res["parameters"]))
    print("held-out tokens: %d (scored: %d, windows of %d)"
          % (res["heldout_tokens"], res["scored_tokens"], res["seq_len"]))
    print("held-out perplexity: %.2f" % res["heldout_perplexity"])
    for s in res["samples"]:
        print("greedy %r -> %r" % (s["prompt"], s["greedy"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
