"""Text generation with a SentencePiece tokenizer (TinyLlama, Gemma, Phi-3 style): ExecuTorch's runner
reads the llama2.c conversion of ``tokenizer.model`` and honours one BOS; for LiteRT the SDK core tokenizes from
``tokenizer.json`` (SentencePiece-style BPE); one SDK does not mix both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdkgen.config import parse_config
from sdkgen.errors import StageError
from sdkgen.pipeline import build
from tests.models.tiny import make_sentencepiece_checkpoint


def _raw(targets: list[str]) -> dict[str, object]:
    return {
        "targets": targets,
        "model": {"source": "ckpt", "task": "text-generation", "name": "sp-llm"},
        "compress": {"recipe": "none"},
        "export": {"max_seq_len": 64},
        "android": {"package": "com.example.sp"},
        "ios": {"module": "SpKit", "minimum_ios": "18.0"},
        "verify": {"prompts": ["The config file", "Targets are", "A model"], "max_new_tokens": 6},
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sp")
    make_sentencepiece_checkpoint("llama", root / "ckpt")
    return root


def test_sentencepiece_checkpoint_builds_for_executorch(project: Path) -> None:
    cfg = parse_config(_raw(["executorch:xnnpack"]), root=project)
    result = build(cfg, project / "dist", cache_root=project / "cache", log=lambda m: None)
    assert result.passed
    checks = {c["name"]: c for c in result.report["verification"]["executorch:xnnpack"]}
    assert checks["llm-runner"]["status"] == "passed", checks["llm-runner"]
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert spec["tokenizer"]["kind"] == "sentencepiece" and spec["tokenizer"]["file"] == "tokenizer.bin"
    assert spec["generation"]["bos_count"] == 1
    # The golden prompts start with BOS (id 1), then SentencePiece's ids.
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(project / "ckpt" / "tokenizer.model"))
    for case, prompt in zip(spec["golden"], cfg.verify.prompts, strict=True):
        assert case["prompt_ids"] == [1, *sp.encode(prompt)]
    # The runner reads the llama2.c conversion of tokenizer.model, which the SDKs ship.
    shipped = result.output / "android/src/main/assets/sp-llm/tokenizer.bin"
    import pytorch_tokenizers

    cpp = pytorch_tokenizers.CppLlama2cTokenizer()
    cpp.load(str(shipped))
    rare = "naïve ¿"  # not in the vocabulary: byte-fallback pieces
    assert any(sp.id_to_piece(i).startswith("<0x") for i in sp.encode(rare))
    assert cpp.encode(rare, 1, 0) == [1, *sp.encode(rare)]
    kt = next((result.output / "android/src/main/kotlin/com/example/sp").glob("*Executorch*.kt")).read_text()
    assert "BOS_COUNT: Int = 1" in kt and '"tokenizer.bin"' in kt


def test_sentencepiece_mixing_runner_and_sdk_tokenizers_is_refused(project: Path) -> None:
    cfg = parse_config(_raw(["executorch:xnnpack", "litert:cpu"]), root=project)
    with pytest.raises(StageError, match=r"targets \['litert:cpu'\] generate with the SDK's own tokenizer") as e:
        build(cfg, project / "dist2", cache_root=project / "cache", log=lambda m: None)
    assert "two models" in (e.value.hint or "")
    assert not (project / "dist2").exists()


def test_sentencepiece_checkpoint_builds_for_litert(project: Path) -> None:
    """The SDK core tokenizes (SentencePiece-style BPE from tokenizer.json): the build ships the checkpoint's
    tokenizer.json, of the form ``spm-converted-not-legacy`` in tests/sdk/test_sentencepiece_bpe.py checks."""
    cfg = parse_config(_raw(["litert:cpu"]), root=project)
    result = build(cfg, project / "dist3", cache_root=project / "cache", log=lambda m: None)
    assert result.passed, result.report
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert spec["tokenizer"]["kind"] == "sentencepiece" and spec["tokenizer"]["file"] == "tokenizer.json"
    assert spec["generation"]["bos_count"] == 1
    shipped = result.output / "android/src/main/assets/sp-llm/tokenizer.json"
    assert shipped.read_bytes() == (project / "ckpt" / "tokenizer.json").read_bytes()
    assert not list(result.output.rglob("tokenizer.bin"))
    # The Android core's unit tests tokenize >1,000 golden strings with that file, as HF tokenizers does
    # (LiteRT serves Android only, so there is no iOS SDK).
    check = {c["name"]: c for c in result.report["sdk_checks"]["android"]}["kotlin-core-tests"]
    assert check["status"] == "passed" and "bpe-tokenizer.jsonl" in check["detail"], check["detail"]


def test_unsupported_sentencepiece_tokenizer_json_is_refused_for_litert(project: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(project / "ckpt", tmp_path / "ckpt")
    path = tmp_path / "ckpt" / "tokenizer.json"
    tj = json.loads(path.read_text(encoding="utf-8"))
    tj["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}]}
    path.write_text(json.dumps(tj, ensure_ascii=False), encoding="utf-8")
    cfg = parse_config(_raw(["litert:cpu"]), root=tmp_path)
    with pytest.raises(StageError, match=r"does not support this SentencePiece-style tokenizer.json: normalizer NFKC"):
        build(cfg, tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)


def test_sentencepiece_without_tokenizer_model_is_refused(project: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(project / "ckpt", tmp_path / "ckpt")
    (tmp_path / "ckpt" / "tokenizer.model").unlink()
    cfg = parse_config(_raw(["executorch:xnnpack"]), root=tmp_path)
    with pytest.raises(StageError, match=r"has no tokenizer\.model") as e:
        build(cfg, tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    assert "tokenizer.model" in (e.value.hint or "")
