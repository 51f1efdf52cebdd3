"""A tiny random sentence-transformers folder (BERT encoder, mean pooling, normalisation, WordPiece
tokenizer), made locally with transformers and tokenizers, for the text-embedding task's tests."""

from __future__ import annotations

import json
import string
from pathlib import Path

_WORDS = [
    "the",
    "a",
    "is",
    "on",
    "of",
    "and",
    "to",
    "in",
    "cat",
    "dog",
    "sat",
    "mat",
    "play",
    "music",
    "street",
    "market",
    "fell",
    "how",
    "do",
    "i",
    "reset",
    "my",
    "password",
]


def make_encoder(folder: Path, seed: int = 0, normalize: bool = True) -> Path:
    """Write the folder and return it: config.json, model.safetensors, tokenizer.json, modules.json,
    1_Pooling/config.json. The vocabulary holds BERT's specials, single characters and their ``##`` forms,
    and a few whole words, so every ASCII text tokenizes without [UNK]."""
    import torch
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece
    from transformers import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    chars = string.ascii_lowercase + string.digits + string.punctuation
    vocab_list = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars), *_WORDS]
    vocab = {t: i for i, t in enumerate(dict.fromkeys(vocab_list))}
    tok = Tokenizer(WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=None, handle_chinese_chars=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    tok.save(str(folder / "tokenizer.json"))

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        architectures=["BertModel"],
    )
    BertModel(config).eval().save_pretrained(folder)
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True})
    )
    return folder
