"""benchmarks/llm_litert.py end to end on a tiny model (2 layers, hidden 64, vocab 512, KV cache 64, prompt
8, 8 decode steps): both exports run in their child processes, both ``.tflite`` files run in this process,
and the results files carry every field with finite values. Timings are measured, never asserted."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

for _mod in ("torch", "transformers", "tokenizers", "litert_torch", "ai_edge_litert"):
    pytest.importorskip(_mod)

ROOT = Path(__file__).resolve().parents[2]


def _benchmark():
    spec = importlib.util.spec_from_file_location("llm_litert", ROOT / "benchmarks" / "llm_litert.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tokenizer_has_exactly_the_vocabulary(tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    bench = _benchmark()
    bench._smollm.write_tokenizer(tmp_path / "tokenizer.json", 512)
    tok = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    assert tok.get_vocab_size() == 512
    assert tok.token_to_id(bench._smollm.EOS) == 0
    text = "Hello, wörld!"
    assert tok.decode(tok.encode(text).ids) == text
    assert max(tok.encode(text).ids) < 512


@pytest.mark.slow
def test_tiny_run_writes_complete_results(tmp_path: Path) -> None:
    bench = _benchmark()
    results_dir = tmp_path / "results"
    argv = ["--tiny", "--work-dir", str(tmp_path / "work"), "--results-dir", str(results_dir)]
    bench.main([*argv, "--rounds", "1", "--threads", "1"])

    data = json.loads((results_dir / "llm_litert.json").read_text())
    assert data["settings"]["max_seq_len"] == 64 and data["settings"]["prefill_len"] == 8
    assert data["machine"]["cores"] >= 1 and data["machine"]["versions"]["litert-torch"]
    for side in ("reference", "sdkgen"):
        row = data[side]
        for key in ("export_seconds", "peak_rss_mib", "bytes", "prefill_tok_s", "decode_tok_s"):
            assert math.isfinite(row[key]) and row[key] > 0, (side, key, row[key])
        assert row["finite"] is True
        assert len(row["generated_ids"]) == 8
        assert set(row["signatures"]) == {row["prefill_signature"], "decode"}
    assert data["reference"]["prefill_signature"] == "prefill_8"
    assert data["sdkgen"]["lower_seconds"] > 0
    assert all(math.isfinite(v) and v > 0 for v in data["ratios"].values())
    table = (results_dir / "llm_litert.md").read_text()
    assert "| decode (tok/s) |" in table and "sdkgen/reference" in table
