"""A BERT checkpoint folder's WordPiece tokenizer, as the text-embedding and text-classification tasks use it.

The folder holds a ``tokenizer.json`` whose model is WordPiece, or only a ``vocab.txt`` (one token per line
in id order; lower-casing from ``tokenizer_config.json``'s ``do_lower_case``, default true, as
``BertTokenizer``). Every text becomes ``[CLS] ... [SEP]``, padded or truncated to ``max_seq_len`` ids. The
vocabulary ships as ``vocab.txt`` for the SDKs' own WordPiece tokenizer (BERT's pipeline: clean text, CJK split,
NFD + lowercase + accent stripping when lower-casing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError
from sdkgen.models.hf import tokenizer_ids
from sdkgen.spec import TokenizerSpec

VOCAB_FILE = "vocab.txt"


@dataclass(frozen=True)
class WordPiece:
    """``encode(text) -> (input_ids, attention_mask)``, int64 tensors ``[1, max_seq_len]``; ``spec`` and the
    text of the ``vocab.txt`` the SDKs ship."""

    encode: Callable[[str], tuple[Any, Any]]
    spec: TokenizerSpec
    vocab_text: str


def check_wordpiece(folder: Path, task: str) -> None:
    """A clear error when ``folder`` has no WordPiece tokenizer (no torch or tokenizers import)."""
    if (folder / "tokenizer.json").is_file():
        model = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8")).get("model") or {}
        if model.get("type") != "WordPiece":
            raise ModelLoadError(
                f"tokenizer model {model.get('type')!r} is not supported for {task}",
                choices=["WordPiece"],
                hint="BERT-family checkpoints use WordPiece",
            )
    elif not (folder / VOCAB_FILE).is_file():
        raise ModelLoadError(
            f"{folder} has neither tokenizer.json nor vocab.txt",
            hint="save the tokenizer with the model (tokenizer.save_pretrained(folder))",
        )


def wordpiece_ids(folder: Path) -> tuple[Path, dict[str, int]]:
    """The tokenizer file :func:`load_wordpiece` reads and its tokens' ids (no tokenizers import)."""
    if (folder / "tokenizer.json").is_file():
        try:
            return folder / "tokenizer.json", tokenizer_ids(json.loads((folder / "tokenizer.json").read_text("utf-8")))
        except (ValueError, UnicodeDecodeError, AttributeError) as e:
            raise ModelLoadError(f"{folder / 'tokenizer.json'} is not valid JSON: {e}", hint="re-save it") from e
    lines = (folder / VOCAB_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    return folder / VOCAB_FILE, {t: i for i, t in enumerate(lines)}


def load_wordpiece(folder: Path, max_seq_len: int) -> WordPiece:
    """The folder's tokenizer, padded and truncated to ``max_seq_len`` (see the module docstring)."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers.implementations import BertWordPieceTokenizer

    check_wordpiece(folder, "a WordPiece task")
    if (folder / "tokenizer.json").is_file():
        tokenizer: Any = Tokenizer.from_file(str(folder / "tokenizer.json"))
        normalizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8")).get("normalizer") or {}
        lowercase = bool(normalizer.get("lowercase", False))
    else:
        config = folder / "tokenizer_config.json"
        settings = json.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
        lowercase = bool(settings.get("do_lower_case", True))
        tokenizer = BertWordPieceTokenizer(str(folder / VOCAB_FILE), lowercase=lowercase)
    tokenizer.enable_truncation(max_seq_len)
    tokenizer.enable_padding(length=max_seq_len, pad_id=tokenizer.token_to_id("[PAD]") or 0)

    def encode(text: str) -> tuple[Any, Any]:
        enc = tokenizer.encode(text)
        return torch.tensor([enc.ids], dtype=torch.int64), torch.tensor([enc.attention_mask], dtype=torch.int64)

    vocab = tokenizer.get_vocab(with_added_tokens=True)
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))):
        raise ModelLoadError(f"{folder}: the vocabulary ids are not contiguous", hint="re-save the tokenizer")
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls is None or sep is None:
        raise ModelLoadError(f"{folder}: the tokenizer has no [CLS]/[SEP] tokens", hint="use a BERT tokenizer")
    spec = TokenizerSpec(
        kind="wordpiece",
        file=VOCAB_FILE,
        bos_id=cls,
        eos_ids=(sep,),
        bos_token="[CLS]",
        eos_token="[SEP]",
        vocab_size=len(by_id),
        pad_id=tokenizer.token_to_id("[PAD]") or 0,
        lowercase=lowercase,
        max_length=max_seq_len,
    )
    return WordPiece(encode, spec, "".join(f"{t}\n" for t, _ in by_id))
