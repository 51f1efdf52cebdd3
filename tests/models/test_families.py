"""Every supported text-generation family exports with a static KV cache, lowers to XNNPACK and matches its
eager model on this host: logits, greedy tokens and the C++ LLM runner (tiny random checkpoints, fp32)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sdkgen.models.hf import SUPPORTED_ARCHITECTURES, inspect_checkpoint, load_causal_lm
from sdkgen.models.text_generation import eager_step, static_cache_module
from sdkgen.runtimes.executorch.export import export_text_generation, runner_bos_count, runner_metadata
from sdkgen.runtimes.executorch.lower import lower_program
from sdkgen.runtimes.executorch.verify import verify_text_generation
from sdkgen.spec import GoldenCase
from sdkgen.verify import Check
from sdkgen.verify.golden import text_generation_golden
from tests.models.tiny import FAMILIES, make_checkpoint

MAX_SEQ_LEN = 48


def test_every_supported_architecture_has_a_tiny_family() -> None:
    assert sorted(model for _, model, _ in FAMILIES.values()) == sorted(SUPPORTED_ARCHITECTURES)


def _export_and_verify(family: str, tmp_path: Path, prompts: list[str]) -> tuple[dict[str, Check], list[GoldenCase]]:
    """A tiny random ``family`` checkpoint exported, lowered to XNNPACK and verified on ``prompts``."""
    import numpy as np
    import torch

    info = inspect_checkpoint(make_checkpoint(family, tmp_path / "model"))
    model, tokenizer = load_causal_lm(info)
    cases, decoded = text_generation_golden(
        eager_step(static_cache_module(model, MAX_SEQ_LEN)),
        tokenizer,
        prompts,
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
        [np.stack(d.step_logits) for d in decoded],
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
    return by_name, cases


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_exports_and_matches_eager(family: str, tmp_path: Path) -> None:
    _export_and_verify(family, tmp_path, ["The list", "In Python,"])


def test_runner_pieces_that_split_utf8_characters_are_checked(tmp_path: Path) -> None:
    """Issue 17, defect 8: on a Qwen2-shaped random model the C++ runner emits byte-level BPE pieces that
    split a UTF-8 character (the tokenizer has single-byte pieces for "é" and "日"; the random model repeats
    them). The Python binding cannot hand such a piece over as text; the check still compares the runner's
    bytes with the eager ones, instead of turning "not executed"."""
    from tokenizers import Tokenizer, decoders

    checks, cases = _export_and_verify("qwen2", tmp_path, ["café", "日本", "The list"])
    results = checks["llm-runner"].data["results"]
    assert sum(r["split_pieces"] for r in results) > 0, results
    # Byte for byte: each token's bytes through the tokenizer's own byte-level table, joined.
    byte_level = Tokenizer.from_file(str(tmp_path / "model" / "tokenizer.json"))
    assert isinstance(byte_level.decoder, decoders.ByteLevel)
    for case, result in zip(cases, results, strict=True):
        eager = b"".join(_token_bytes(byte_level, i) for i in case.output_ids)
        assert bytes.fromhex(result.get("runner_bytes", result["runner"].encode().hex())) == eager, result


def _token_bytes(tokenizer: Any, token_id: int) -> bytes:
    """The raw bytes of one byte-level BPE token (GPT-2's byte-to-character table inverted)."""
    table = {c: b for b, c in _bytes_to_unicode().items()}
    return bytes(table[c] for c in tokenizer.id_to_token(token_id))


def _bytes_to_unicode() -> dict[int, str]:
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {b: chr(b) for b in printable}, 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


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
