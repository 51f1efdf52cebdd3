"""The text-classification task end to end on a tiny random BERT classifier, and its bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sdkgen.config import parse_config
from sdkgen.errors import ConfigError, ModelLoadError
from sdkgen.models.text_classification import inspect_classifier, load_text_classifier, read_eval_texts
from sdkgen.pipeline import build

TARGETS = ["executorch:xnnpack", "litert:cpu", "coreml:ane"]
LABELS = ["négatif", '"quoted" $label', "neutral"]
WORDS = ["the", "film", "was", "great", "awful", "fine", "plot", "actors", "music", "boring", "loved", "hated", "okay"]
MAX_LEN = 16


def _raw(**verify: Any) -> dict[str, Any]:
    return {
        "targets": TARGETS,
        "model": {"source": "model", "task": "text-classification", "name": "tiny-text"},
        "compress": {"recipe": "none"},
        "export": {"max_seq_len": MAX_LEN},
        "android": {"package": "com.example.texts"},
        "ios": {"module": "Texts"},
        "verify": {"eval_data": "eval.jsonl", "output_tolerance": 1e-4, "sentences": ["the film was great"], **verify},
    }


def _save_classifier(folder: Path, num_labels: int = len(LABELS)) -> None:
    """A random 2-layer BERT classifier with a WordPiece tokenizer over ``WORDS``, saved as Hugging Face does."""
    import torch
    from tokenizers.implementations import BertWordPieceTokenizer
    from transformers import BertConfig, BertForSequenceClassification

    chars = sorted({c for w in WORDS for c in w})
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars), *sorted(WORDS)]
    tokenizer = BertWordPieceTokenizer({t: i for i, t in enumerate(tokens)}, lowercase=True)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokens),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=MAX_LEN,
        num_labels=num_labels,
        id2label=dict(enumerate(LABELS[:num_labels])),
        label2id={label: i for i, label in enumerate(LABELS[:num_labels])},
    )
    BertForSequenceClassification(config).save_pretrained(folder)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The classifier and 30 evaluation texts labelled by the fp32 model itself (so an artifact must agree
    with it on every text to score 1.0)."""
    import random

    _save_classifier(tmp_path / "model")
    rng = random.Random(0)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9))) for _ in range(30)]
    model = load_text_classifier(tmp_path / "model", MAX_LEN, ["x"], None, None, 0.01, 0.95)
    from sdkgen.models.wordpiece import load_wordpiece

    tokenizer = load_wordpiece(tmp_path / "model", MAX_LEN)
    with (tmp_path / "eval.jsonl").open("w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            top = int(model.module(*tokenizer.encode(text)).argmax(-1))
            f.write(json.dumps({"text": text, "label": LABELS[top] if i % 2 else top}, ensure_ascii=False) + "\n")
    return tmp_path


def test_text_classifier_builds_on_every_runtime(project: Path) -> None:
    cfg = parse_config(_raw(), root=project)
    result = build(cfg, project / "dist", cache_root=project / "cache", log=lambda m: None)
    assert result.passed
    by_target = {t: {c["name"]: c for c in cs} for t, cs in result.report["verification"].items()}
    for t in ("executorch:xnnpack", "litert:cpu"):
        assert by_target[t]["outputs"]["status"] == "passed"
        acc = by_target[t]["accuracy"]
        assert acc["status"] == "passed", acc
        assert acc["data"]["accuracy"] == 1.0 and acc["data"]["eval_texts"] == 30
        assert acc["data"]["label_agreement"] == 1.0 and acc["data"]["texts"] == 31
    assert by_target["coreml:ane"]["structure"]["status"] == "passed"
    assert by_target["coreml:ane"]["accuracy"]["status"] == "not_executed"
    # TFLite metadata: the BERT tokenizer on the input and the labels on the output, read back by tflite-support.
    assert by_target["litert:cpu"]["tflite-metadata"]["status"] == "passed"
    from tensorflow_lite_support.metadata.python.metadata import MetadataDisplayer

    shown = MetadataDisplayer.with_model_file(str(result.output / "tiny-text-cpu.tflite"))
    assert shown.get_associated_file_buffer("labels.txt").decode().splitlines() == LABELS
    md = json.loads(shown.get_metadata_json())["subgraph_metadata"][0]
    assert md["input_process_units"][0]["options_type"] == "BertTokenizerOptions"
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert spec["task"] == "text-classification" and spec["labels"] == LABELS
    assert spec["tokenizer"]["kind"] == "wordpiece" and spec["tokenizer"]["max_length"] == MAX_LEN
    assert [i["shape"] for i in spec["methods"][0]["inputs"]] == [[1, MAX_LEN], [1, MAX_LEN]]
    assert len(spec["tensor_golden"]) == len(spec["texts"]) == 4  # the sentence and 3 evaluation texts
    # Probabilities: every golden output sums to 1.
    assert all(abs(sum(c["outputs"][0]["values"]) - 1) < 1e-5 for c in spec["tensor_golden"])
    kt = (result.output / "android/src/main/kotlin/com/example/texts/TinyText.kt").read_text()
    assert 'listOf("négatif", "\\"quoted\\" \\$label", "neutral")' in kt
    assert "suspend fun classify(text: String, topK: Int = 3): List<Classification>" in kt
    swift = (result.output / "ios/Sources/Texts/TinyText.swift").read_text()
    assert "public func classify(_ text: String, topK: Int = 3) async throws -> [Classification]" in swift
    checks = {(p, c["name"]): c["status"] for p, cs in result.report["sdk_checks"].items() for c in cs}
    assert checks[("android", "kotlin-core-tests")] in ("passed", "not_executed")
    assert checks[("ios", "swift-core-tests")] in ("passed", "not_executed")


def test_text_classification_config_errors(project: Path) -> None:
    raw = _raw()
    raw["model"] = {**raw["model"], "source": "model:make"}
    with pytest.raises(ConfigError, match="is a Python factory") as e:
        parse_config(raw, root=project)
    assert "checkpoint folder" in e.value.hint
    raw = _raw()
    raw["model"] = {**raw["model"], "task": "text-embedding", "labels": "labels.txt"}
    with pytest.raises(ConfigError, match=r"model\.labels is read by task 'text-classification' only"):
        parse_config(raw, root=project)


def test_missing_id2label_is_explained(tmp_path: Path) -> None:
    _save_classifier(tmp_path / "model")
    config = json.loads((tmp_path / "model/config.json").read_text())
    del config["id2label"], config["label2id"]
    (tmp_path / "model/config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="has no id2label") as e:
        inspect_classifier(tmp_path / "model")
    assert "model.labels" in e.value.hint and "id2label=" in e.value.hint
    # A labels file names them instead; it must have one name per output.
    (tmp_path / "labels.txt").write_text("bad\ngood\n")
    assert inspect_classifier(tmp_path / "model", tmp_path / "labels.txt").labels == ("bad", "good")


def test_label_count_mismatch_is_explained(tmp_path: Path) -> None:
    _save_classifier(tmp_path / "model")
    (tmp_path / "two.txt").write_text("a\nb\n")
    with pytest.raises(ModelLoadError, match=r"model\.labels has 2 names but the classifier has 3 outputs") as e:
        inspect_classifier(tmp_path / "model", tmp_path / "two.txt")
    assert "one label per output class" in e.value.hint
    config = json.loads((tmp_path / "model/config.json").read_text())
    config["id2label"] = {"0": "a", "2": "c", "3": "d"}
    (tmp_path / "model/config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match=r"id2label has indices \[0, 2, 3\], not 0 .. 2") as e:
        inspect_classifier(tmp_path / "model")
    assert "every output index" in e.value.hint


def test_unsupported_checkpoints_and_eval_files_are_explained(tmp_path: Path) -> None:
    _save_classifier(tmp_path / "model")
    config = json.loads((tmp_path / "model/config.json").read_text())
    (tmp_path / "model/config.json").write_text(
        json.dumps({**config, "architectures": ["GPT2ForSequenceClassification"]})
    )
    with pytest.raises(ModelLoadError, match="'GPT2ForSequenceClassification' is not supported") as e:
        inspect_classifier(tmp_path / "model")
    assert e.value.choices == ["BertForSequenceClassification"]
    (tmp_path / "eval.jsonl").write_text('{"text": "fine", "label": "neutral"}\n{"text": "x", "label": "happy"}\n')
    with pytest.raises(ModelLoadError, match="line 2: label 'happy' is not one of the model's classes") as e:
        read_eval_texts(tmp_path / "eval.jsonl", LABELS)
    assert e.value.choices == sorted(LABELS)
    (tmp_path / "eval.jsonl").write_text("text,label\n")
    with pytest.raises(ModelLoadError, match="line 1 is not a JSON object with 'text' and 'label'"):
        read_eval_texts(tmp_path / "eval.jsonl", LABELS)
    # Labels by name or index; blank lines are skipped.
    (tmp_path / "ok.jsonl").write_text('{"text": "fine", "label": "neutral"}\n\n{"text": "great", "label": 0}\n')
    assert read_eval_texts(tmp_path / "ok.jsonl", LABELS) == (["fine", "great"], [2, 0])
