"""Train a tiny BERT topic classifier on a synthetic corpus, offline and deterministically.

Usage (from the repository root)::

    .venv/bin/python samples/text-classifier/train.py

Writes, next to this file: ``model/`` (a ``BertForSequenceClassification`` checkpoint folder saved with
``save_pretrained``: ``config.json`` with ``id2label``, ``model.safetensors``, and the WordPiece tokenizer as
``tokenizer.json``, ``vocab.txt`` and ``tokenizer_config.json``) and ``eval.jsonl`` (held-out texts, one
``{"text": ..., "label": ...}`` object per line). The vocabulary is the training texts' words and characters
(:func:`vocabulary`); nothing is downloaded. Seeds, deterministic algorithms and one intra-op thread make
re-runs write the same bytes (with the same torch version and CPU type).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import torch
from tokenizers.implementations import BertWordPieceTokenizer
from transformers import BertConfig, BertForSequenceClassification

HERE = Path(__file__).resolve().parent
SEED = 0
MAX_LEN = 32
EPOCHS = 12
BATCH_SIZE = 32
LEARNING_RATE = 3e-3

LABELS = ("sports", "weather", "food", "technology")
TOPICS = {
    "sports": (
        ["the match", "our team", "the striker", "the coach", "the final", "the goalkeeper", "the league"],
        ["scored twice", "won the cup", "lost on penalties", "trained all week", "signed a new player",
         "played in the rain", "celebrated the victory"],
    ),
    "weather": (
        ["the forecast", "the storm", "tomorrow", "the wind", "this morning", "the temperature", "the sky"],
        ["brings heavy rain", "turned cold and cloudy", "will be sunny and warm", "dropped below zero",
         "blew from the north", "cleared after the thunder", "warned of snow"],
    ),
    "food": (
        ["the soup", "my grandmother", "the bakery", "this recipe", "the chef", "the pasta", "dinner"],
        ["tastes of garlic and basil", "baked fresh bread", "needs more salt", "was served with rice",
         "cooked a spicy curry", "smelled of cinnamon", "melted the cheese"],
    ),
    "technology": (
        ["the new phone", "the laptop", "the update", "the app", "the server", "the chip", "the software"],
        ["crashed after the install", "runs twice as fast", "ships with more memory", "fixed the battery drain",
         "supports the new network", "uploads photos to the cloud", "compiled without errors"],
    ),
}
OPENERS = ["", "i think ", "apparently ", "yesterday ", "honestly, ", "they say "]
ENDINGS = ["", ".", "!", " again.", " today."]


def sentences(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` (text, label) pairs, labels in turn, phrases drawn by ``rng``."""
    out = []
    for i in range(n):
        label = LABELS[i % len(LABELS)]
        subjects, predicates = TOPICS[label]
        text = rng.choice(OPENERS) + rng.choice(subjects) + " " + rng.choice(predicates) + rng.choice(ENDINGS)
        out.append((text[:1].upper() + text[1:], label))
    return out


def vocabulary(texts: Iterable[str]) -> dict[str, int]:
    """BERT's special tokens, every character alone and as a ``##`` continuation, then every word of ``texts``
    (lower-cased, split at spaces and punctuation), each group sorted: a fixed vocabulary in which any text of
    these characters has a WordPiece tokenization. (``tokenizers``' WordPiece trainer breaks frequency ties in
    hash order, so its vocabulary differs from run to run.)"""
    words = {w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())}
    chars = sorted({c for w in words for c in w})
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars)]
    tokens += sorted(words - set(tokens))
    return {t: i for i, t in enumerate(tokens)}


def main() -> None:
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    rng = random.Random(SEED)
    train, held_out = sentences(800, rng), sentences(120, rng)

    folder = HERE / "model"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    wordpiece = BertWordPieceTokenizer(vocabulary(t for t, _ in train), lowercase=True)
    wordpiece.enable_truncation(MAX_LEN)
    wordpiece.enable_padding(length=MAX_LEN, pad_id=wordpiece.token_to_id("[PAD]"))

    def encode(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        encodings = wordpiece.encode_batch(texts)
        return torch.tensor([e.ids for e in encodings]), torch.tensor([e.attention_mask for e in encodings])

    config = BertConfig(
        vocab_size=wordpiece.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_LEN,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = BertForSequenceClassification(config)
    ids, mask = encode([t for t, _ in train])
    y = torch.tensor([LABELS.index(label) for _, label in train])
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    generator = torch.Generator().manual_seed(SEED)
    start = time.perf_counter()
    model.train()
    for _ in range(EPOCHS):
        for batch in torch.randperm(len(y), generator=generator).split(BATCH_SIZE):
            out = model(input_ids=ids[batch], attention_mask=mask[batch], labels=y[batch])
            optimizer.zero_grad()
            out.loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    model.eval()
    test_ids, test_mask = encode([t for t, _ in held_out])
    with torch.no_grad():
        predicted = model(input_ids=test_ids, attention_mask=test_mask).logits.argmax(-1)
    accuracy = float((predicted == torch.tensor([LABELS.index(label) for _, label in held_out])).float().mean())
    model.save_pretrained(folder)
    wordpiece.no_padding()
    wordpiece.no_truncation()
    wordpiece.save(str(folder / "tokenizer.json"))
    wordpiece.save_model(str(folder))  # vocab.txt
    tokenizer_config = {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": MAX_LEN}
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2) + "\n")
    with (HERE / "eval.jsonl").open("w", encoding="utf-8") as f:
        for text, label in held_out:
            f.write(json.dumps({"text": text, "label": label}) + "\n")
    params = sum(p.numel() for p in model.parameters())
    print(f"{params} parameters, trained in {seconds:.1f}s; held-out accuracy {accuracy:.4f} on {len(held_out)} texts")


if __name__ == "__main__":
    main()
