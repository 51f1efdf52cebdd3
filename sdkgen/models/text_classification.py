"""Text classification: a Hugging Face ``*ForSequenceClassification`` checkpoint folder (a BERT-family encoder
with a WordPiece tokenizer, :mod:`sdkgen.models.wordpiece`) as one fixed-shape
``forward(input_ids, attention_mask) -> probabilities``, the softmax over the classifier's logits.

The class names come from ``config.json``'s ``id2label`` (ids ``0 .. num_labels - 1``), or from
``model.labels``, a text file with one name per line in output order, when the config sets it. Quality is
measured on ``verify.eval_data``, a JSON Lines file with one ``{"text": ..., "label": ...}`` object per line
(``label`` is a class name or its index): top-1 accuracy against the labels, gated by
``verify.max_accuracy_drop`` below the fp32 eager model's, and the share of texts whose top-1 label equals
the fp32 eager model's (over ``verify.sentences`` and the evaluation texts), at least
``verify.min_label_agreement``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError
from sdkgen.models.embedding import read_calibration_text
from sdkgen.models.hf import check_vocabulary, find_weights, from_pretrained, read_config_json
from sdkgen.models.tensor import TensorModel
from sdkgen.models.wordpiece import VOCAB_FILE, check_wordpiece, load_wordpiece, wordpiece_ids
from sdkgen.spec import TensorCase
from sdkgen.verify import Check, Runner

#: ``config.json`` architectures the task loads with ``transformers.AutoModelForSequenceClassification``.
SUPPORTED_CLASSIFIERS = ("BertForSequenceClassification",)
#: Evaluation texts that also become golden cases (device tests), after ``verify.sentences``.
GOLDEN_EVAL_TEXTS = 3


@dataclass(frozen=True)
class ClassifierInfo:
    architecture: str
    num_labels: int
    labels: tuple[str, ...]


def inspect_classifier(folder: Path, labels_file: Path | None = None) -> ClassifierInfo:
    """Validate a sequence-classification folder and read its class names, without importing torch."""
    if not (folder / "config.json").is_file():
        raise ModelLoadError(
            f"model.source {str(folder)!r} has no config.json",
            hint="point model.source at a Hugging Face *ForSequenceClassification checkpoint folder",
        )
    config = read_config_json(folder)
    arch = (config.get("architectures") or ["?"])[0]
    if arch not in SUPPORTED_CLASSIFIERS:
        raise ModelLoadError(
            f"architecture {arch!r} is not supported for text classification",
            choices=list(SUPPORTED_CLASSIFIERS),
            hint="use a BERT-family sequence classifier saved with save_pretrained",
        )
    check_wordpiece(folder, "text classification")
    labels = _class_names(folder, config, labels_file)
    weights = find_weights(folder)
    if isinstance(config.get("vocab_size"), int):
        check_vocabulary(*wordpiece_ids(folder), config["vocab_size"], weights)
    return ClassifierInfo(arch, len(labels), labels)


def _class_names(folder: Path, config: dict[str, Any], labels_file: Path | None) -> tuple[str, ...]:
    """The class names in output order: ``labels_file``'s lines, else ``config.json``'s ``id2label``."""
    id2label = config.get("id2label")
    num_labels = len(id2label) if isinstance(id2label, dict) else int(config.get("num_labels", 0) or 0)
    if labels_file is not None:
        if not labels_file.is_file():
            raise ModelLoadError(f"model.labels file {str(labels_file)!r} not found", hint="one class name per line")
        names = [line.strip() for line in labels_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        if num_labels and len(names) != num_labels:
            raise ModelLoadError(
                f"model.labels has {len(names)} names but the classifier has {num_labels} outputs",
                hint="write one label per output class, in output order",
            )
        return tuple(names)
    if not isinstance(id2label, dict) or not id2label:
        raise ModelLoadError(
            f"{folder / 'config.json'} has no id2label, so the class names are unknown",
            hint="save the model with id2label={0: 'negative', 1: 'positive', ...}, or set model.labels to a "
            "text file with one class name per line in output order",
        )
    try:
        by_id = {int(k): str(v) for k, v in id2label.items()}
    except ValueError:
        raise ModelLoadError(
            f"{folder / 'config.json'}: id2label keys {sorted(id2label)} are not class indices",
            hint="id2label maps output indices 0 .. num_labels - 1 to class names",
        ) from None
    if sorted(by_id) != list(range(len(by_id))):
        raise ModelLoadError(
            f"{folder / 'config.json'}: id2label has indices {sorted(by_id)}, not 0 .. {len(by_id) - 1}",
            hint="id2label maps every output index 0 .. num_labels - 1 to a class name",
        )
    declared = config.get("num_labels")
    if declared is not None and int(declared) != len(by_id):
        raise ModelLoadError(
            f"{folder / 'config.json'}: num_labels is {declared} but id2label names {len(by_id)} classes",
            hint="give id2label one entry per output class",
        )
    return tuple(by_id[i] for i in range(len(by_id)))


def read_eval_texts(path: Path, labels: Sequence[str]) -> tuple[list[str], list[int]]:
    """``verify.eval_data``: JSON Lines of ``{"text": str, "label": name or index}`` -> texts, label indices."""
    if not path.is_file():
        raise ModelLoadError(
            f"verify.eval_data {str(path)!r} not found", hint='a .jsonl file: {"text": ..., "label": ...}'
        )
    texts: list[str] = []
    targets: list[int] = []
    index = {name: i for i, name in enumerate(labels)}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text, label = record["text"], record["label"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ModelLoadError(
                f"verify.eval_data {str(path)!r} line {n} is not a JSON object with 'text' and 'label'",
                hint='write one object per line: {"text": "great film", "label": "positive"}',
            ) from None
        if isinstance(label, bool) or not isinstance(text, str):
            label = None
        target = label if isinstance(label, int) and 0 <= label < len(labels) else index.get(label)  # type: ignore[arg-type]
        if target is None:
            raise ModelLoadError(
                f"verify.eval_data {str(path)!r} line {n}: label {label!r} is not one of the model's classes",
                choices=list(labels),
                hint="use a class name from id2label (or model.labels) or its index",
            )
        texts.append(text)
        targets.append(target)
    if not texts:
        raise ModelLoadError(f"verify.eval_data {str(path)!r} has no texts", hint="one JSON object per line")
    return texts, targets


def load_text_classifier(
    folder: Path,
    max_seq_len: int,
    sentences: Sequence[str],
    labels_file: Path | None,
    eval_data: Path | None,
    max_accuracy_drop: float,
    min_label_agreement: float,
) -> TensorModel:
    import torch
    from transformers import AutoModelForSequenceClassification

    info = inspect_classifier(folder, labels_file)
    tokenizer = load_wordpiece(folder, max_seq_len)
    model = from_pretrained(AutoModelForSequenceClassification, folder, attn_implementation="sdpa")
    model.requires_grad_(False)
    n_out = int(model.config.num_labels)
    if n_out != info.num_labels:
        raise ModelLoadError(
            f"the classifier has {n_out} outputs but {info.num_labels} class names",
            hint="give one class name per output (id2label or model.labels)",
        )
    module = _softmax(model)
    texts, targets = list(sentences), list[int]()
    h = hashlib.sha256(repr((info, max_seq_len)).encode())
    from sdkgen.cache import path_digest

    h.update(path_digest(folder)[0].encode())
    if eval_data is not None:
        eval_texts, targets = read_eval_texts(eval_data, info.labels)
        texts += eval_texts
        h.update(eval_data.read_bytes())
    inputs = [tokenizer.encode(t) for t in texts]
    with torch.no_grad():
        fp32_top1 = [int(module(*x).argmax(-1)) for x in inputs]
    golden = len(sentences) + min(GOLDEN_EVAL_TEXTS, len(targets))
    quality = TextClassificationQuality(
        [tuple(x.numpy() for x in pair) for pair in inputs],
        fp32_top1,
        targets,
        max_accuracy_drop,
        min_label_agreement,
        name="accuracy" if targets else "label-agreement",
    )

    def calibrate(path: Path) -> list[tuple[Any, ...]]:
        return [tokenizer.encode(line) for line in read_calibration_text(path)]

    return TensorModel(
        module=module,
        inputs=inputs[0],
        input_names=["input_ids", "attention_mask"],
        fingerprint=h.hexdigest(),
        cases=inputs[:golden],
        spec_fields={
            "tokenizer": tokenizer.spec,
            "labels": info.labels,
            "texts": tuple(texts[:golden]),
            "min_label_agreement": min_label_agreement,
        },
        files={VOCAB_FILE: tokenizer.vocab_text},
        quality=quality,
        strict_export=False,
        calibrate=calibrate,
    )


def _softmax(model: Any) -> Any:
    import torch

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
            return torch.softmax(logits, dim=-1)

    return Classifier().eval()


@dataclass(frozen=True)
class TextClassificationQuality:
    """Each text run once: top-1 accuracy over the labelled evaluation texts (the last ``len(targets)``
    inputs) and top-1 agreement with the fp32 eager model over all of them."""

    inputs: list[tuple[Any, ...]] = field(repr=False)
    fp32_top1: list[int] = field(repr=False)
    targets: list[int] = field(repr=False)
    max_drop: float = 0.01
    min_agreement: float = 0.95
    name: str = "accuracy"

    def measure(self, run: Runner, reference: Sequence[TensorCase]) -> dict[str, float]:
        import numpy as np

        top1 = [int(np.argmax(run(list(x))[0])) for x in self.inputs]
        agree = sum(int(a == b) for a, b in zip(top1, self.fp32_top1, strict=True))
        got: dict[str, float] = {"label_agreement": round(agree / len(top1), 6), "texts": len(top1)}
        if self.targets:
            labelled = top1[len(top1) - len(self.targets) :]
            hits = sum(int(a == b) for a, b in zip(labelled, self.targets, strict=True))
            got.update(accuracy=round(hits / len(self.targets), 6), eval_texts=len(self.targets))
        return got

    def check(self, got: dict[str, float], fp32: dict[str, float]) -> Check:
        agreement_ok = got["label_agreement"] >= self.min_agreement - 1e-12
        detail = (
            f"top-1 label equals the fp32 eager model's on {got['label_agreement']:.4f} of {int(got['texts'])} "
            f"texts (verify.min_label_agreement {self.min_agreement})"
        )
        data: dict[str, Any] = {**got, "min_label_agreement": self.min_agreement}
        ok, gate = agreement_ok, "verify.min_label_agreement"
        if "accuracy" in got:
            floor = fp32["accuracy"] - self.max_drop
            ok = ok and got["accuracy"] >= floor - 1e-12
            detail = (
                f"top-1 accuracy {got['accuracy']:.4f} on {int(got['eval_texts'])} labelled texts; fp32 eager "
                f"{fp32['accuracy']:.4f} (verify.max_accuracy_drop {self.max_drop}); " + detail
            )
            data.update(fp32_accuracy=fp32["accuracy"], max_drop=self.max_drop)
            gate += ", verify.max_accuracy_drop"
        return Check(self.name, "passed" if ok else "failed", detail, data, gate=gate)
