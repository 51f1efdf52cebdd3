"""Text generation with a SentencePiece tokenizer (TinyLlama, Gemma, Phi-3 style): the SDK core tokenizes from
``tokenizer.json`` (SentencePiece-style BPE) on every runtime; the host check of ExecuTorch's LLM runner reads
the llama2.c conversion of ``tokenizer.model`` and one BOS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdkgen.config import parse_config
from sdkgen.errors import StageError
from sdkgen.pipeline import build
from tests.conftest import host_run
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


def test_sentencepiece_checkpoint_builds_for_executorch_and_litert(project: Path) -> None:
    """One SDK for both runtimes: the SDK core tokenizes from tokenizer.json on each (one BOS at the start of a
    conversation); the host check runs ExecuTorch's LLM runner on the llama2.c conversion of tokenizer.model,
    which is not shipped."""
    cfg = parse_config(_raw(["executorch:xnnpack", "litert:cpu"]), root=project)
    with host_run():
        result = build(cfg, project / "dist", cache_root=project / "cache", log=lambda m: None)
    assert result.passed, result.report
    checks = {c["name"]: c for c in result.report["verification"]["executorch:xnnpack"]}
    assert checks["llm-runner"]["status"] == "passed", checks["llm-runner"]
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert spec["tokenizer"]["kind"] == "sentencepiece" and spec["tokenizer"]["file"] == "tokenizer.json"
    assert spec["generation"]["bos_count"] == 1
    # The golden prompts start with BOS (id 1), then SentencePiece's ids.
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(project / "ckpt" / "tokenizer.model"))
    for case, prompt in zip(spec["golden"], cfg.verify.prompts, strict=True):
        assert case["prompt_ids"] == [1, *sp.encode(prompt)]
    shipped = result.output / "android/src/main/assets/sp-llm/tokenizer.json"
    assert shipped.read_bytes() == (project / "ckpt" / "tokenizer.json").read_bytes()
    assert not list(result.output.rglob("tokenizer.bin"))
    for kt in (result.output / "android/src/main/kotlin/com/example/sp").glob("SpLlm*.kt"):
        if "Executorch" in kt.name or "Litert" in kt.name:
            assert "BOS_COUNT: Int = 1" in kt.read_text(), kt.name
    # The Android core tokenizes >1,000 golden strings as HF tokenizers does, and the library's device tests
    # reproduce the host's greedy continuations through both engines on the JVM.
    android = {c["name"]: c for c in result.report["sdk_checks"]["android"]}
    assert android["kotlin-core-tests"]["status"] == "passed", android["kotlin-core-tests"]["detail"]
    run = android["android-binding-run"]
    assert run["status"] == "passed" and run["data"]["backends"] == ["EXECUTORCH_XNNPACK", "LITERT_CPU"], run


def test_unsupported_sentencepiece_tokenizer_json_is_refused(project: Path, tmp_path: Path) -> None:
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
