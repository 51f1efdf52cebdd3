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


def make_sentencepiece_tokenizer(folder: Path, vocab_size: int = 2048) -> Path:
    """Train a SentencePiece BPE model with byte fallback (the Llama 2 / TinyLlama / Gemma style: ``▁``
    word marker, ``<0xNN>`` byte pieces, ids 0/1/2 = ``<unk>``/``<s>``/``</s>``) on this repository's text,
    and write ``tokenizer.model`` with the ``tokenizer.json`` transformers converts it to."""
    import io
    import json

    import sentencepiece as spm
    from transformers.convert_slow_tokenizer import SpmConverter, import_protobuf

    root = Path(__file__).resolve().parents[2]
    lines = [
        line
        for f in (root / "README.md", root / "sdkgen" / "config.py", root / "samples" / "tiny-llm" / "README.md")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        normalization_rule_name="identity",
        num_threads=1,
        minloglevel=2,
        hard_vocab_limit=False,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.model").write_bytes(model.getvalue())
    proto = import_protobuf().ModelProto()
    proto.ParseFromString(model.getvalue())
    vocab = {p.piece: i for i, p in enumerate(proto.pieces)}
    SpmConverter.build_tokenizer_from_spm_proto(proto, vocab, legacy=False).save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True})
    )
    return folder


def make_sentencepiece_checkpoint(family: str, folder: Path, seed: int = 0) -> Path:
    """A random ``family`` checkpoint with a SentencePiece tokenizer (BOS 1, EOS 2)."""
    import torch
    import transformers

    make_sentencepiece_tokenizer(folder)
    config_cls, model_cls, extra = FAMILIES[family]
    torch.manual_seed(seed)
    settings = {**_COMMON, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}
    model = getattr(transformers, model_cls)(getattr(transformers, config_cls)(**settings, **extra))
    model.save_pretrained(folder, safe_serialization=True)
    return folder
