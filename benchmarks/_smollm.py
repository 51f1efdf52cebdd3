"""The benchmark model: a SmolLM2-135M-shaped Llama with random weights, made locally (nothing downloaded).

:func:`make_checkpoint` writes a Hugging Face checkpoint folder (``config.json``, ``model.safetensors``,
``generation_config.json``, ``tokenizer.json``) that every exporter under ``benchmarks/`` reads. The weights
come from ``transformers``' own initialisation under a fixed seed; the tokenizer is a deterministic
byte-level BPE whose vocabulary has exactly ``vocab_size`` entries (id 0 is ``<|endoftext|>``, as in
SmolLM2), so ``sdkgen build`` accepts the folder. The folder is reused when its ``bench.json`` records the
same config and seed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

#: SmolLM2-135M's shape (HuggingFaceTB/SmolLM2-135M config.json).
SMOLLM2_135M: dict[str, Any] = {
    "hidden_size": 576,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "intermediate_size": 1536,
    "vocab_size": 49152,
    "tie_word_embeddings": True,
    "rope_theta": 100000.0,
    "rms_norm_eps": 1e-5,
    "max_position_embeddings": 8192,
}

#: A tiny model of the same family, for tests (seconds, not minutes).
TINY: dict[str, Any] = {
    **SMOLLM2_135M,
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "vocab_size": 512,
}

SEED = 0
EOS = "<|endoftext|>"
DEFAULT_DIR = Path.home() / ".cache" / "sdkgen" / "bench" / "smollm2-135m-random"


def make_checkpoint(folder: Path = DEFAULT_DIR, shape: dict[str, Any] | None = None, seed: int = SEED) -> Path:
    """Write (or reuse) the random-weight checkpoint of ``shape`` (default :data:`SMOLLM2_135M`) in
    ``folder`` and return ``folder``."""
    shape = dict(shape or SMOLLM2_135M)
    folder = Path(folder)
    stamp = {"shape": shape, "seed": seed, "version": 1}
    marker = folder / "bench.json"
    if marker.is_file() and json.loads(marker.read_text()) == stamp:
        return folder
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    config = LlamaConfig(
        **shape,
        bos_token_id=0,
        eos_token_id=0,
        # No pad_token_id: a padding row would be zeroed, and an all-zero int4 block gets a zero scale.
        pad_token_id=None,
        architectures=["LlamaForCausalLM"],
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    GenerationConfig(bos_token_id=0, eos_token_id=0, do_sample=False).save_pretrained(folder)
    # Older readers (litert-torch's and ExecuTorch's loaders) look for a top-level rope_theta.
    cfg = json.loads((folder / "config.json").read_text())
    cfg.setdefault("rope_theta", shape["rope_theta"])
    (folder / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    write_tokenizer(folder / "tokenizer.json", int(shape["vocab_size"]))
    marker.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    return folder


def write_tokenizer(path: Path, vocab_size: int) -> None:
    """A byte-level BPE ``tokenizer.json`` with exactly ``vocab_size`` ids: ``<|endoftext|>`` (0), the 256
    byte symbols, then merges of two byte symbols in a fixed order (so every merge's parts exist)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    need = vocab_size - 1 - len(alphabet)
    if need < 0 or need > len(alphabet) ** 2:
        raise ValueError(f"vocab_size {vocab_size} does not fit a byte-level BPE of two-symbol merges")
    vocab = {EOS: 0}
    for ch in alphabet:
        vocab[ch] = len(vocab)
    merges = []
    for a in alphabet:
        for b in alphabet:
            if len(merges) == need:
                break
            merges.append((a, b))
            vocab[a + b] = len(vocab)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(EOS, special=True)])
    if tok.get_vocab_size() != vocab_size:
        raise ValueError(f"made {tok.get_vocab_size()} ids, wanted {vocab_size}")
    tok.save(str(path))
