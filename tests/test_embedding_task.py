"""The text-embedding task end to end on a tiny random sentence encoder, and its bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sdkgen.config import parse_config
from sdkgen.errors import ConfigError, ModelLoadError
from sdkgen.models.embedding import inspect_encoder
from sdkgen.pipeline import build
from tests.models.tiny_encoder import make_encoder

TARGETS = ["executorch:xnnpack", "litert:cpu", "executorch:coreml", "coreml:ane"]


def _raw(source: str, targets: list[str] = TARGETS) -> dict[str, Any]:
    return {
        "targets": targets,
        "model": {"source": source, "task": "text-embedding", "name": "tiny-embedder"},
        "compress": {"recipe": "none"},
        "export": {"max_seq_len": 16},
        "android": {"package": "com.example.embed"},
        "ios": {"module": "Embed"},
        "verify": {"sentences": ["The cat sat on the mat.", "How do I reset my password?", "é 🙂 ¿?"]},
    }


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_encoder(tmp_path_factory.mktemp("enc") / "model")


def test_embedding_builds_on_every_runtime(encoder: Path, tmp_path: Path) -> None:
    cfg = parse_config(_raw(str(encoder)), root=tmp_path)
    result = build(cfg, tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    assert result.passed
    r = result.report
    assert [a["target"] for a in r["artifacts"]] == TARGETS
    by_target = {t: {c["name"]: c for c in cs} for t, cs in r["verification"].items()}
    for t in ("executorch:xnnpack", "litert:cpu"):  # the runtimes this host executes
        assert by_target[t]["outputs"]["status"] == "passed"
        assert by_target[t]["cosine"]["status"] == "passed"
        assert by_target[t]["cosine"]["data"]["min_cosine"] >= 0.9999
        assert by_target[t]["cosine"]["data"]["texts"] == 3
    for t in ("executorch:coreml", "coreml:ane"):
        assert by_target[t]["cosine"]["status"] == "not_executed"
    assert by_target["coreml:ane"]["structure"]["status"] == "passed"
    # TFLite metadata: the BERT tokenizer and its vocabulary, read back by tflite-support itself.
    from tensorflow_lite_support.metadata.python.metadata import MetadataDisplayer

    assert by_target["litert:cpu"]["tflite-metadata"]["status"] == "passed"
    shown = MetadataDisplayer.with_model_file(str(result.output / "tiny-embedder-cpu.tflite"))
    md = json.loads(shown.get_metadata_json())
    unit = md["subgraph_metadata"][0]["input_process_units"][0]
    assert unit["options_type"] == "BertTokenizerOptions"
    assert unit["options"]["vocab_file"][0]["name"] == "vocab.txt"
    assert [t["name"] for t in md["subgraph_metadata"][0]["input_tensor_metadata"]] == ["ids", "mask"]
    packed = shown.get_associated_file_buffer("vocab.txt").decode()
    assert packed == (result.output / "android/src/main/assets/tiny-embedder/vocab.txt").read_text()
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert spec["task"] == "text-embedding"
    assert spec["embedding"] == {"dim": 32, "pooling": "mean", "normalized": True, "min_cosine": 0.99}
    assert spec["tokenizer"]["kind"] == "wordpiece" and spec["tokenizer"]["max_length"] == 16
    assert spec["texts"][0] == "The cat sat on the mat."
    vocab = (result.output / "android/src/main/assets/tiny-embedder/vocab.txt").read_text().splitlines()
    assert vocab[:3] == ["[PAD]", "[UNK]", "[CLS]"]
    assert (result.output / "ios/Sources/Embed/Resources/vocab.txt").is_file()
    kt = (result.output / "android/src/main/kotlin/com/example/embed/TinyEmbedder.kt").read_text()
    assert "suspend fun embed(text: String): FloatArray" in kt and "const val DIMENSION: Int = 32" in kt
    swift = (result.output / "ios/Sources/Embed/TinyEmbedder.swift").read_text()
    assert "public func embed(_ text: String) async throws -> [Float]" in swift


def test_unnormalised_encoder_is_built_without_normalisation(tmp_path: Path) -> None:
    folder = make_encoder(tmp_path / "m", normalize=False)
    assert inspect_encoder(folder).normalized is False


def test_bad_encoders_are_refused(encoder: Path, tmp_path: Path) -> None:
    config = json.loads((encoder / "config.json").read_text())
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({**config, "architectures": ["GPT2Model"]}))
    with pytest.raises(ModelLoadError, match="'GPT2Model' is not supported") as e:
        inspect_encoder(bad)
    assert e.value.choices == ["BertModel"]
    (bad / "config.json").write_text(json.dumps(config))
    (bad / "tokenizer.json").write_text(json.dumps({"model": {"type": "BPE"}}))
    with pytest.raises(ModelLoadError, match="'BPE' is not supported"):
        inspect_encoder(bad)


def test_embedding_needs_a_folder_and_a_known_package(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a Python factory"):
        parse_config(_raw("model:make"), root=tmp_path)
    cfg = parse_config(_raw("pkg:no_such_package_here/model"), root=tmp_path)
    with pytest.raises(ModelLoadError, match="'no_such_package_here' is not installed") as e:
        _ = cfg.model_source
    assert "pip install" in (e.value.hint or "")
