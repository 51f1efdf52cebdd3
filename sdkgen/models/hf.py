"""Local Hugging Face checkpoint folders.

:func:`inspect_checkpoint` validates a folder without importing torch (config, architecture, weights
header, tokenizer) so bad input fails before any work starts. :func:`load_causal_lm` loads it with
``transformers``.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdkgen.cache import path_digest
from sdkgen.errors import ModelLoadError

#: Architectures the text-generation path supports, as written in ``config.json``'s ``architectures``:
#: Llama (also SmolLM, TinyLlama), Qwen2/2.5, Qwen3, Gemma, Gemma 2, Gemma 3 (text), Phi-3/Phi-4-mini.
#: Each is exported through transformers' static-cache module and checked by tests/models/test_families.py.
SUPPORTED_ARCHITECTURES = (
    "LlamaForCausalLM",
    "Qwen2ForCausalLM",
    "Qwen3ForCausalLM",
    "GemmaForCausalLM",
    "Gemma2ForCausalLM",
    "Gemma3ForCausalLM",
    "Phi3ForCausalLM",
)

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
#: How the input embedding table is named in the checkpoints sdkgen loads (Llama-style decoders, BERT).
_EMBEDDING_TABLES = ("embed_tokens.weight", "word_embeddings.weight")


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint folder holds. ``fingerprint`` is a sha256 over every file's name and bytes."""

    path: Path
    architecture: str
    model_type: str
    config: dict[str, Any]
    weights: Path
    tokenizer: Path
    fingerprint: str

    @property
    def vocab_size(self) -> int:
        return int(self.config["vocab_size"])

    @property
    def max_position_embeddings(self) -> int:
        return int(self.config.get("max_position_embeddings", 2048))

    @property
    def sliding_window(self) -> int | None:
        """The attention window of the model's sliding-window layers, or ``None`` when it has none."""
        window = self.config.get("sliding_window")
        layer_types = self.config.get("layer_types")
        if not isinstance(window, int):
            return None
        if isinstance(layer_types, list):
            return window if "sliding_attention" in layer_types else None
        if self.config.get("use_sliding_window") is False:
            return None
        return window

    @property
    def parameter_count(self) -> int:
        """Parameters counted from the safetensors header (no torch needed); 0 for ``.bin`` weights."""
        if self.weights.suffix != ".safetensors":
            return 0
        _, header = _safetensors_header(self.weights)
        total = 0
        for k, v in header.items():
            if k != "__metadata__":
                n = 1
                for d in v["shape"]:
                    n *= int(d)
                total += n
        return total


def inspect_checkpoint(path: Path) -> CheckpointInfo:
    """Validate a checkpoint folder and fingerprint it; raise :class:`ModelLoadError` with a hint."""
    if not path.exists():
        raise ModelLoadError(
            f"model.source {str(path)!r} does not exist",
            hint="set model.source to a Hugging Face checkpoint folder, relative to sdkgen.toml",
        )
    if not path.is_dir():
        raise ModelLoadError(
            f"model.source {str(path)!r} is a file, not a checkpoint folder",
            hint="point model.source at the folder that holds config.json and model.safetensors",
        )
    cfg_path = path / "config.json"
    config = read_config_json(path)
    archs = config.get("architectures") or []
    arch = archs[0] if archs else None
    if arch not in SUPPORTED_ARCHITECTURES:
        raise ModelLoadError(
            f"unsupported architecture {arch!r} in {cfg_path}",
            choices=SUPPORTED_ARCHITECTURES,
            hint="sdkgen's text-generation path supports the architectures listed; "
            "convert the model to one of them or open an issue for the family",
        )
    for key in ("vocab_size", "hidden_size", "num_hidden_layers"):
        if not isinstance(config.get(key), int):
            raise ModelLoadError(f"{cfg_path}: {key!r} is missing or not an integer", hint="re-save the checkpoint")
    weights = find_weights(path)
    tokenizer = path / "tokenizer.json"
    if not tokenizer.is_file():
        raise ModelLoadError(
            f"no tokenizer.json in {str(path)!r}",
            hint="save the fast tokenizer next to the model: tokenizer.save_pretrained(folder)",
        )
    try:
        tj = json.loads(tokenizer.read_text(encoding="utf-8"))
        if not isinstance(tj, dict):
            raise ValueError("top level is not an object")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelLoadError(f"{tokenizer} is not valid JSON: {e}", hint="re-save the tokenizer") from e
    check_vocabulary(tokenizer, tokenizer_ids(tj), config["vocab_size"], weights)
    return CheckpointInfo(
        path=path,
        architecture=arch,
        model_type=str(config.get("model_type", "")),
        config=config,
        weights=weights,
        tokenizer=tokenizer,
        fingerprint=path_digest(path)[0],
    )


def read_config_json(folder: Path) -> dict[str, Any]:
    """``folder/config.json`` as a dict; :class:`ModelLoadError` when it is missing or not a JSON object."""
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        raise ModelLoadError(
            f"no config.json in {str(folder)!r}",
            hint="a Hugging Face checkpoint folder is written by model.save_pretrained(folder); "
            "point model.source at that folder",
        )
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            raise ValueError("top level is not an object")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelLoadError(
            f"{cfg_path} is not valid JSON: {e}", hint="re-save the checkpoint with save_pretrained"
        ) from e
    return config


def find_weights(folder: Path) -> Path:
    """The folder's weights file (:data:`WEIGHT_FILES`); a safetensors file's header and length are checked
    here, so a missing, truncated or placeholder file is refused before torch reads it."""
    weights = next((folder / w for w in WEIGHT_FILES if (folder / w).is_file()), None)
    if weights is None:
        raise ModelLoadError(
            f"no weights in {str(folder)!r}",
            choices=WEIGHT_FILES,
            hint="save the model with save_pretrained(folder, safe_serialization=True)",
        )
    if weights.suffix == ".safetensors":
        _check_safetensors(weights)
    return weights


def tokenizer_ids(tokenizer_json: dict[str, Any]) -> dict[str, int]:
    """Every token of a ``tokenizer.json`` and its id: the model's vocabulary and the added tokens."""
    model = tokenizer_json.get("model") or {}
    vocab = model.get("vocab") if isinstance(model, dict) else None
    ids: dict[str, int] = {}
    if isinstance(vocab, dict):
        ids.update({str(k): v for k, v in vocab.items() if isinstance(v, int)})
    elif isinstance(vocab, list):  # Unigram: [piece, score] pairs in id order
        ids.update({str(p[0]) if isinstance(p, list) and p else str(p): i for i, p in enumerate(vocab)})
    for t in tokenizer_json.get("added_tokens") or []:
        if isinstance(t, dict) and isinstance(t.get("id"), int):
            ids[str(t.get("content"))] = t["id"]
    return ids


def check_vocabulary(tokenizer: Path, ids: dict[str, int], vocab_size: int, weights: Path) -> None:
    """The tokenizer, ``config.json``'s ``vocab_size`` and the embedding table must fit: the table has
    ``vocab_size`` rows, and no token id is past them (on the phone it would read outside the table). A
    tokenizer with fewer ids than rows is fine: checkpoints pad the table (Qwen2.5: 151,936 rows for 151,665
    tokens) and the spare rows are never looked up."""
    table = embedding_rows(weights)
    if table is not None and table[1] != vocab_size:
        raise ModelLoadError(
            f"config.json has vocab_size {vocab_size} but {weights.name}'s {table[0]} has {table[1]} rows",
            hint="config.json and the weights come from different checkpoints; save both again with save_pretrained",
        )
    if ids:
        token, top = max(ids.items(), key=lambda kv: kv[1])
        if top >= vocab_size:
            raise ModelLoadError(
                f"{tokenizer} has token id {top} ({token!r}) but the model's vocab_size {vocab_size} gives "
                f"embedding rows 0 .. {vocab_size - 1}",
                hint="use the tokenizer the model was trained with, or resize the embeddings "
                "(model.resize_token_embeddings(len(tokenizer))) and save the model again",
            )


def embedding_rows(weights: Path) -> tuple[str, int] | None:
    """The input embedding table's tensor name and row count, from a safetensors header (``None`` for
    ``.bin`` weights or when no tensor has a known embedding name)."""
    if weights.suffix != ".safetensors":
        return None
    _, header = _safetensors_header(weights)
    for name, v in sorted(header.items()):
        shape = v.get("shape") if isinstance(v, dict) else None
        if name.endswith(_EMBEDDING_TABLES) and isinstance(shape, list) and len(shape) == 2:
            return name, int(shape[0])
    return None


def _safetensors_header(path: Path) -> tuple[int, dict[str, Any]]:
    """The header's byte length and the header (tensor name -> dtype, shape, data_offsets)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if n <= 0 or n > size - 8:
            raise ValueError(f"header length {n} does not fit a {size}-byte file")
        header = json.loads(f.read(n))
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    return n, header


def _check_safetensors(path: Path) -> None:
    """Check the safetensors header and that the file is as long as the header says."""
    size = path.stat().st_size
    try:
        n, header = _safetensors_header(path)
        end = max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
        if 8 + n + end != size:
            raise ValueError(f"tensors need {8 + n + end} bytes, the file has {size}")
    except (ValueError, struct.error, KeyError, TypeError) as e:
        raise ModelLoadError(
            f"{path} is corrupt or truncated: {e}",
            hint="copy the checkpoint again (an interrupted download or a Git LFS pointer file looks like this)",
        ) from e


def load_causal_lm(info: CheckpointInfo) -> tuple[Any, Any]:
    """Load the model (float32, eval mode) and its fast tokenizer with ``transformers``."""
    import torch
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    model = from_pretrained(AutoModelForCausalLM, info.path, dtype=torch.float32, local_files_only=True)
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(info.tokenizer))
    return model, tokenizer


def from_pretrained(auto_class: Any, folder: Path, **kwargs: Any) -> Any:
    """``auto_class.from_pretrained(folder, **kwargs)`` in eval mode; any failure is a :class:`ModelLoadError`
    naming the folder (transformers raises many exception types for a checkpoint it cannot read)."""
    try:
        return auto_class.from_pretrained(folder, **kwargs).eval()
    except Exception as e:
        raise ModelLoadError(
            f"transformers could not load {str(folder)!r}: {e}",
            hint=f"check that the checkpoint loads with {auto_class.__name__}.from_pretrained(folder)",
        ) from e
