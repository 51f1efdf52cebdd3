"""benchmarks/llm_executorch.py on a tiny Llama: the made-up checkpoint, its conversion to ExecuTorch's
layout, and the whole pipeline end to end (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "llm_executorch.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("llm_executorch", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["llm_executorch"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="module")
def tiny_checkpoint(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench.make_checkpoint(bench.SHAPES["tiny"], tmp_path_factory.mktemp("bench") / "tiny-random")


def test_tokenizer_has_the_model_vocabulary(bench: ModuleType, tiny_checkpoint: Path) -> None:
    from tokenizers import Tokenizer
    from transformers import AutoConfig

    tok = Tokenizer.from_file(str(tiny_checkpoint / "tokenizer.json"))
    assert tok.get_vocab_size() == AutoConfig.from_pretrained(tiny_checkpoint).vocab_size
    text = (ROOT / "samples" / "tiny-llm" / "heldout.txt").read_text(encoding="utf-8")[:2000]
    assert tok.decode(tok.encode(text).ids) == text
    assert tok.token_to_id("<|endoftext|>") == 0


def test_the_full_size_tokenizer_is_deterministic(bench: ModuleType) -> None:
    from tokenizers import Tokenizer

    first = bench.make_tokenizer_json(49152)
    assert Tokenizer.from_str(first).get_vocab_size() == 49152
    assert bench.make_tokenizer_json(49152) == first


def test_converted_checkpoint_reproduces_the_hf_model(bench: ModuleType, tiny_checkpoint: Path, tmp_path: Path) -> None:
    ckpt, params = bench.convert_checkpoint(tiny_checkpoint, tmp_path)
    assert bench.check_conversion(tiny_checkpoint, ckpt, params) < 1e-5


@pytest.mark.slow
def test_pipeline_end_to_end(tmp_path: Path) -> None:
    results = tmp_path / "results"
    cmd = [sys.executable, str(SCRIPT), "--shape", "tiny", "--prompt-len", "8", "--decode-len", "8", "--rounds", "1"]
    cmd += ["--cache-dir", str(tmp_path / "cache"), "--results", str(results), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads((results / "llm_executorch.json").read_text())
    assert (results / "llm_executorch.md").read_text().startswith("## ExecuTorch (XNNPACK), same scheme, same runtime")

    assert set(res["exports"]) == {"reference", "reference_embq", "sdkgen", "sdkgen_rebuild"}
    for name, e in res["exports"].items():
        assert Path(e["pte"]).is_file(), name
        for k in ("export_s", "peak_mb", "size_mb"):
            assert e[k] > 0, (name, k)
    assert res["exports"]["sdkgen"]["passed"]
    assert {s["status"] for s in res["exports"]["sdkgen_rebuild"]["stages"].values()} <= {"cached", "ran"}
    assert res["exports"]["sdkgen_rebuild"]["stages"]["export"]["status"] == "cached"
    # The reference's embedding_quantize shrinks the fp32 embedding table it otherwise keeps.
    assert res["exports"]["reference_embq"]["size_mb"] < res["exports"]["reference"]["size_mb"]
    # sdkgen's 8da4w quantizes the table by default (compress.embeddings = "auto").
    assert res["exports"]["sdkgen"]["size_mb"] < res["exports"]["reference"]["size_mb"]

    assert set(res["runs"]) == {"reference", "reference_embq", "sdkgen"}
    for name, r in res["runs"].items():
        assert r["finite_logits"], name
        assert r["prefill_tok_s"] > 0 and r["decode_tok_s"] > 0, name
        assert len(r["prefill_s_all"]) == len(r["decode_s_all"]) == 1
    assert res["runs"]["reference"]["position_input"] == "start position [1]"
    assert res["runs"]["sdkgen"]["position_input"] == "positions [seq]"
    for ref in ("reference", "reference_embq"):
        q = res["ratios"][ref]
        assert set(q) == {"export_s", "peak_mb", "size_mb", "prefill_tok_s", "decode_tok_s"}
        assert all(math.isfinite(v) and v > 0 for v in q.values())
    assert res["settings"]["conversion_error"] < 1e-5
    assert res["threads"] >= 1
    for k in ("cpu", "cores", "ram_mb", "versions"):
        assert res["machine"][k], k
