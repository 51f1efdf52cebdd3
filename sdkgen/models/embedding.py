"""Text embedding: a sentence-transformers style checkpoint folder (a BERT encoder, pooling, L2
normalisation) as one fixed-shape ``forward(input_ids, attention_mask) -> embedding``.

Pooling and normalisation come from the folder's ``modules.json`` and ``1_Pooling/config.json`` (mean
pooling is supported). The tokenizer must be a BERT WordPiece ``tokenizer.json``; its vocabulary ships as
``vocab.txt`` for the SDKs' own tokenizer. Every text is padded or truncated to ``max_seq_len`` ids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdkgen.cache import path_digest
from sdkgen.errors import ModelLoadError
from sdkgen.models.hf import check_vocabulary, find_weights, from_pretrained, read_config_json
from sdkgen.models.tensor import TensorModel
from sdkgen.models.wordpiece import VOCAB_FILE, load_wordpiece, wordpiece_ids
from sdkgen.spec import EmbeddingSpec, TensorCase
from sdkgen.verify import Check, Runner

#: ``config.json`` architectures the embedding path loads with ``transformers.AutoModel``.
SUPPORTED_ENCODERS = ("BertModel",)


@dataclass(frozen=True)
class EncoderInfo:
    path: Path
    architecture: str
    pooling: str
    normalized: bool
    hidden_size: int


def inspect_encoder(folder: Path) -> EncoderInfo:
    """Validate a sentence-embedding folder without importing torch."""
    if not (folder / "config.json").is_file():
        raise ModelLoadError(
            f"model.source {str(folder)!r} has no config.json",
            hint="point model.source at a Hugging Face sentence-transformers folder",
        )
    config = read_config_json(folder)
    arch = (config.get("architectures") or ["?"])[0]
    if arch not in SUPPORTED_ENCODERS:
        raise ModelLoadError(
            f"encoder architecture {arch!r} is not supported for text embedding",
            choices=list(SUPPORTED_ENCODERS),
            hint="use a BERT-family sentence-transformers checkpoint such as all-MiniLM-L6-v2",
        )
    modules = json.loads((folder / "modules.json").read_text()) if (folder / "modules.json").is_file() else []
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling = "mean"
    pool_module = next((m for m in modules if m["type"].endswith(".Pooling")), None)
    if pool_module is not None:
        pool_cfg = json.loads((folder / pool_module["path"] / "config.json").read_text())
        modes = [k.removeprefix("pooling_mode_").removesuffix("_tokens") for k, v in pool_cfg.items() if v is True]
        if modes != ["mean"]:
            raise ModelLoadError(
                f"pooling {modes} is not supported", choices=["mean"], hint="use a mean-pooling checkpoint"
            )
    if not (folder / "tokenizer.json").is_file():
        raise ModelLoadError(f"{folder} has no tokenizer.json", hint="save the tokenizer with the model")
    tok = json.loads((folder / "tokenizer.json").read_text())
    if (tok.get("model") or {}).get("type") != "WordPiece":
        raise ModelLoadError(
            f"tokenizer model {(tok.get('model') or {}).get('type')!r} is not supported for text embedding",
            choices=["WordPiece"],
            hint="BERT-family checkpoints use WordPiece",
        )
    weights = find_weights(folder)
    if isinstance(config.get("vocab_size"), int):
        check_vocabulary(*wordpiece_ids(folder), config["vocab_size"], weights)
    return EncoderInfo(folder, arch, pooling, "Normalize" in kinds, int(config["hidden_size"]))


class SentenceEmbedder:
    """Builds the exported module: encoder, masked mean pooling, optional L2 normalisation."""

    @staticmethod
    def build(encoder: Any, normalized: bool) -> Any:
        import torch

        class Embedder(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = encoder

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
                states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, p=2.0, dim=1) if normalized else pooled

        return Embedder().eval()


def load_embedder(folder: Path, max_seq_len: int, sentences: Sequence[str], min_cosine: float) -> TensorModel:
    from transformers import AutoModel

    info = inspect_encoder(folder)
    tokenizer = load_wordpiece(folder, max_seq_len)
    encoder = from_pretrained(AutoModel, folder, attn_implementation="sdpa")
    encoder.requires_grad_(False)
    module = SentenceEmbedder.build(encoder, info.normalized)

    def calibrate(path: Path) -> list[tuple[Any, ...]]:
        return [tokenizer.encode(line) for line in read_calibration_text(path)]

    cases = [tokenizer.encode(text) for text in sentences]
    spec_fields = {
        "tokenizer": tokenizer.spec,
        "embedding": EmbeddingSpec(info.hidden_size, info.pooling, info.normalized, min_cosine),
        "texts": tuple(sentences),
    }
    return TensorModel(
        module=module,
        inputs=cases[0],
        input_names=["input_ids", "attention_mask"],
        fingerprint=path_digest(folder)[0],
        cases=cases,
        spec_fields=spec_fields,
        files={VOCAB_FILE: tokenizer.vocab_text},
        quality=CosineQuality(min_cosine),
        strict_export=False,
        calibrate=calibrate,
    )


def read_calibration_text(path: Path, limit: int = 256) -> list[str]:
    """The non-empty lines of a calibration text file (at most ``limit``); a clear error when it has none."""
    if not path.is_file():
        raise ModelLoadError(
            f"compress.calibration {str(path)!r} not found", hint="a UTF-8 text file, one text per line"
        )
    if path.suffix == ".npz":
        raise ModelLoadError(
            f"compress.calibration {str(path)!r} is an .npz archive (image arrays); this task calibrates on text",
            hint="a UTF-8 text file, one text per line (.npz images calibrate image classification)",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ModelLoadError(
            f"compress.calibration {str(path)!r} is not UTF-8 text: byte {e.object[e.start]:#04x} at offset {e.start}",
            hint="a UTF-8 text file, one text per line",
        ) from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ModelLoadError(f"compress.calibration {str(path)!r} has no text", hint="one text per line")
    return lines[:limit]


@dataclass(frozen=True)
class CosineQuality:
    """Cosine similarity of each text's embedding to the fp32 eager model's embedding of the same text."""

    min_cosine: float
    name: str = "cosine"

    def measure(self, run: Runner, reference: Sequence[TensorCase]) -> dict[str, float]:
        import numpy as np

        from sdkgen.verify.tensor import case_arrays

        sims = []
        for case in reference:
            got = np.asarray(run(case_arrays(case))[0], dtype=np.float64).reshape(-1)
            want = np.asarray(case.outputs[0].values, dtype=np.float64)
            norm = float(np.linalg.norm(got) * np.linalg.norm(want))
            sims.append(float(got @ want) / max(norm, 1e-12))
        return {"mean_cosine": round(float(np.mean(sims)), 6), "min_cosine": round(min(sims), 6), "texts": len(sims)}

    def check(self, got: dict[str, float], fp32: dict[str, float]) -> Check:
        ok = got["min_cosine"] >= self.min_cosine
        return Check(
            self.name,
            "passed" if ok else "failed",
            f"cosine similarity to the fp32 eager embeddings over {int(got['texts'])} texts: mean "
            f"{got['mean_cosine']:.6f}, min {got['min_cosine']:.6f} (verify.min_cosine {self.min_cosine})",
            {**got, "min_allowed": self.min_cosine},
            gate="verify.min_cosine",
        )
