"""benchmarks/et_ab.py: the results table and the Meta-layout checkpoint it hands to export_llm."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _et_ab() -> ModuleType:
    spec = importlib.util.spec_from_file_location("et_ab", ROOT / "benchmarks" / "et_ab.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_table_has_every_artifact_and_its_ratio(tmp_path: Path) -> None:
    result = {
        "label": "t",
        "model": "m",
        "date": "d",
        "reference": {"bytes": 200, "prefill_tok_s": 10.0, "decode_tok_s": 4.0},
        "sdkgen": {"bytes": 100, "prefill_tok_s": 20.0, "decode_tok_s": 5.0},
        "ratio_sdkgen_over_reference": {"bytes": 0.5, "prefill_tok_s": 2.0, "decode_tok_s": 1.25},
    }
    _et_ab().write_results(result, tmp_path / "r")
    assert json.loads((tmp_path / "r.json").read_text()) == result
    rows = [line for line in (tmp_path / "r.md").read_text().splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0] for r in rows] == ["| artifact", "| reference", "| sdkgen"]
    assert rows[2] == "| sdkgen | 100 (0.50x) | 20.0 (2.00x) | 5.0 (1.25x) |"


def test_meta_checkpoint_undoes_the_rope_permutation(tmp_path: Path) -> None:
    """export_llm's Llama uses interleaved RoPE: q/k rows permuted back from transformers' half-split layout
    give the same first-layer query as transformers' own rotary embedding (checked on one rotated pair)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    cfg = LlamaConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=2,
        vocab_size=64, tie_word_embeddings=True,
    )  # fmt: skip
    LlamaForCausalLM(cfg).save_pretrained(tmp_path / "hf")
    ckpt, params = _et_ab().meta_checkpoint(tmp_path / "hf", tmp_path)
    meta = torch.load(ckpt)
    hf = LlamaForCausalLM.from_pretrained(tmp_path / "hf").state_dict()
    wq, hq = meta["layers.0.attention.wq.weight"], hf["model.layers.0.self_attn.q_proj.weight"]
    head = 32 // 4
    # Meta row 2i / 2i+1 of a head are transformers' rows i / i + head/2.
    assert torch.equal(wq[0], hq[0]) and torch.equal(wq[1], hq[head // 2])
    assert torch.equal(meta["output.weight"], meta["tok_embeddings.weight"])
    assert json.loads(params.read_text())["n_kv_heads"] == 2
