"""Tiny random checkpoints of each supported text-generation family, made locally with transformers.

They share the tiny-llm sample's byte-level BPE tokenizer (vocab 2048), so the whole pipeline, including
ExecuTorch's C++ runner, can run on them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny-llm" / "model"

_COMMON: dict[str, Any] = dict(
    vocab_size=2048,
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=256,
    bos_token_id=0,
    eos_token_id=0,
    pad_token_id=0,
)

#: family -> (config class, model class, family-specific settings: GQA everywhere, tied embeddings, RoPE
#: variants such as Phi-3's partial rotary, and sliding windows in Gemma 2/3).
FAMILIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "llama": ("LlamaConfig", "LlamaForCausalLM", {"tie_word_embeddings": True}),
    "qwen2": ("Qwen2Config", "Qwen2ForCausalLM", {"tie_word_embeddings": True}),
    "qwen3": ("Qwen3Config", "Qwen3ForCausalLM", {"tie_word_embeddings": True, "head_dim": 16}),
    "gemma": ("GemmaConfig", "GemmaForCausalLM", {"head_dim": 16}),
    "gemma2": ("Gemma2Config", "Gemma2ForCausalLM", {"head_dim": 16, "sliding_window": 64}),
    "gemma3": ("Gemma3TextConfig", "Gemma3ForCausalLM", {"head_dim": 16, "sliding_window": 64}),
    "phi3": ("Phi3Config", "Phi3ForCausalLM", {"partial_rotary_factor": 0.75}),
}


def make_checkpoint(family: str, folder: Path, seed: int = 0) -> Path:
    """Write a random ``family`` checkpoint with the sample's tokenizer into ``folder``."""
    import torch
    import transformers

    config_cls, model_cls, extra = FAMILIES[family]
    torch.manual_seed(seed)
    config = getattr(transformers, config_cls)(**_COMMON, **extra)
    model = getattr(transformers, model_cls)(config)
    model.save_pretrained(folder, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(SAMPLE / name, folder / name)
    return folder
