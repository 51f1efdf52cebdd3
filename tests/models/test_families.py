"""Every supported text-generation family exports with a static KV cache, lowers to XNNPACK and matches its
eager model on this host: logits, greedy tokens and the C++ LLM runner (tiny random checkpoints, fp32)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdkgen.models.hf import SUPPORTED_ARCHITECTURES, inspect_checkpoint, load_causal_lm
from sdkgen.models.text_generation import eager_step, static_cache_module
from sdkgen.runtimes.executorch.export import export_text_generation, runner_bos_count, runner_metadata
from sdkgen.runtimes.executorch.lower import lower_program
from sdkgen.runtimes.executorch.verify import verify_text_generation
from sdkgen.verify.golden import text_generation_golden
from tests.models.tiny import FAMILIES, make_checkpoint

MAX_SEQ_LEN = 48


def test_every_supported_architecture_has_a_tiny_family() -> None:
    assert sorted(model for _, model, _ in FAMILIES.values()) == sorted(SUPPORTED_ARCHITECTURES)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_exports_and_matches_eager(family: str, tmp_path: Path) -> None:
    import torch

    info = inspect_checkpoint(make_checkpoint(family, tmp_path / "model"))
    model, tokenizer = load_causal_lm(info)
    cases, decoded = text_generation_golden(
        eager_step(static_cache_module(model, MAX_SEQ_LEN)),
        tokenizer,
        ["The list", "In Python,"],
        bos_id=0,
        bos_count=runner_bos_count("byte-level-bpe"),
        eos_ids=[0],
        max_new_tokens=6,
    )
    program = tmp_path / "program.pt2"
    torch.export.save(export_text_generation(model, MAX_SEQ_LEN), program)
    meta = runner_metadata(MAX_SEQ_LEN, info.vocab_size, 0, [0])
    delegation = lower_program(program, "xnnpack", meta, tmp_path / "model.pte")
    assert delegation["forward"]["delegates"].get("XnnpackBackend", 0) > 0
    checks = verify_text_generation(
        tmp_path / "model.pte",
        info.tokenizer,
        cases,
        [__import__("numpy").stack(d.step_logits) for d in decoded],
        meta,
        logits_tolerance=1e-3,
        eos_ids=[0],
        bos_count=runner_bos_count("byte-level-bpe"),
    )
    by_name = {c.name: c for c in checks}
    assert {n: c.status for n, c in by_name.items()} == {
        "runner-metadata": "passed",
        "logits": "passed",
        "greedy-tokens": "passed",
        "llm-runner": "passed",
    }, json.dumps([c.as_dict() for c in checks], indent=1, default=str)[:3000]


def test_sliding_window_limits_max_seq_len(tmp_path: Path) -> None:
    from sdkgen.config import parse_config
    from sdkgen.errors import ConfigError
    from sdkgen.pipeline import build

    make_checkpoint("gemma2", tmp_path / "model")
    raw = {
        "model": {"source": "model"},
        "export": {"max_seq_len": 128},
        "compress": {"recipe": "none"},
        "android": {"package": "com.example.g"},
        "ios": {"module": "G"},
    }
    with pytest.raises(ConfigError, match="sliding window") as e:
        build(parse_config(raw, root=tmp_path), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    assert "64" in (e.value.hint or "")
    assert not (tmp_path / "dist").exists() and not (tmp_path / "cache").exists()


def test_non_llama_family_builds_end_to_end_in_fp32(tmp_path: Path) -> None:
    """Qwen3 through the whole pipeline with recipe "none" (the fp32 path), SDKs and checks included."""
    from sdkgen.config import parse_config
    from sdkgen.pipeline import build

    make_checkpoint("qwen3", tmp_path / "model")
    raw = {
        "model": {"source": "model", "name": "qwen3-tiny"},
        "export": {"max_seq_len": MAX_SEQ_LEN},
        "compress": {"recipe": "none"},
        "verify": {"prompts": ["The list"], "max_new_tokens": 6, "logits_tolerance": 1e-3},
        "android": {"package": "com.example.qwen"},
        "ios": {"module": "QwenKit"},
    }
    result = build(
        parse_config(raw, root=tmp_path), tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None
    )
    assert result.passed, json.dumps(result.report["verification"], indent=1)[:3000]
    assert (result.output / "android/src/main/kotlin/com/example/qwen/Qwen3Tiny.kt").is_file()
    assert result.report["compression"]["recipe"] == "none"
