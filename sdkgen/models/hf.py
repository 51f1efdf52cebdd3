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

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


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
    if not cfg_path.is_file():
        raise ModelLoadError(
            f"no config.json in {str(path)!r}",
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
    weights = next((path / w for w in _WEIGHT_FILES if (path / w).is_file()), None)
    if weights is None:
        raise ModelLoadError(
            f"no weights in {str(path)!r}",
            choices=_WEIGHT_FILES,
            hint="save the model with save_pretrained(folder, safe_serialization=True)",
        )
    if weights.suffix == ".safetensors":
        _check_safetensors(weights)
    tokenizer = path / "tokenizer.json"
    if not tokenizer.is_file():
        raise ModelLoadError(
            f"no tokenizer.json in {str(path)!r}",
            hint="save the fast tokenizer next to the model: tokenizer.save_pretrained(folder)",
        )
    try:
        json.loads(tokenizer.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelLoadError(f"{tokenizer} is not valid JSON: {e}", hint="re-save the tokenizer") from e
    return CheckpointInfo(
        path=path,
        architecture=arch,
        model_type=str(config.get("model_type", "")),
        config=config,
        weights=weights,
        tokenizer=tokenizer,
        fingerprint=path_digest(path)[0],
    )


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

    try:
        model = AutoModelForCausalLM.from_pretrained(info.path, dtype=torch.float32, local_files_only=True)
    except Exception as e:  # transformers raises many types here
        raise ModelLoadError(
            f"transformers could not load {str(info.path)!r}: {e}",
            hint="check that the checkpoint loads with AutoModelForCausalLM.from_pretrained(folder)",
        ) from e
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(info.tokenizer))
    return model.eval(), tokenizer
