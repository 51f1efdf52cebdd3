"""LiteRT text generation: a Llama checkpoint re-authored with litert-torch's generative API becomes a
``.tflite`` with ``prefill``/``decode`` signatures over an external KV cache. Run with ai_edge_litert, it must
pick the same greedy tokens as the eager transformers model (fp32, sdkgen's static-cache step) with logits
within 1e-3 of it, relative to the largest eager logit.

Two checkpoints: the trained tiny-llm sample (tied embeddings, GQA, head_dim 48 != hidden/heads) and a random
variant built here (untied lm_head, attention and MLP biases, Llama 3 RoPE scaling, prefill chunks of 16 in a
cache of 40 so long prompts take the chunked and the decode-tail paths).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sdkgen.errors import ConfigError
from sdkgen.models.text_generation import StepFn, eager_step, greedy, static_cache_module
from sdkgen.runtimes.litert import generative
from tests.models.tiny import _COMMON, SAMPLE

for _mod in ("torch", "transformers", "litert_torch", "ai_edge_litert"):
    pytest.importorskip(_mod)

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ("The list", "A function is", "If the value")
NEW_TOKENS = 12
TOLERANCE = 1e-3


@dataclass
class Built:
    name: str
    checkpoint: Path
    tflite: Path
    facts: dict[str, Any]
    max_seq_len: int
    tokenizer: Any
    eager: StepFn

    def ids(self, prompt: str) -> list[int]:
        return list(self.tokenizer.encode(prompt, add_special_tokens=False))


def _build(name: str, checkpoint: Path, out: Path, max_seq_len: int, prefill_len: int) -> Built:
    from sdkgen.models.hf import inspect_checkpoint, load_causal_lm

    facts = generative.convert_causal_lm(checkpoint, out, max_seq_len=max_seq_len, prefill_len=prefill_len)
    model, tokenizer = load_causal_lm(inspect_checkpoint(checkpoint))
    return Built(
        name, checkpoint, out, facts, max_seq_len, tokenizer, eager_step(static_cache_module(model, max_seq_len))
    )


def _variant_checkpoint(folder: Path) -> Path:
    import torch
    import transformers

    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        **{**_COMMON, "max_position_embeddings": 64},
        tie_word_embeddings=False,
        attention_bias=True,
        mlp_bias=True,
        initializer_range=0.1,  # peakier logits than the default 0.02: clear greedy choices
        rope_parameters={
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 16,
        },
    )
    model = transformers.LlamaForCausalLM(config)
    with torch.no_grad():  # biases start at zero: make them matter
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.normal_(0.0, 0.1)
    model.save_pretrained(folder, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(SAMPLE / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build("tiny-llm", SAMPLE, tmp_path_factory.mktemp("sample") / "tiny-llm.tflite", 128, 32)


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = _variant_checkpoint(tmp_path_factory.mktemp("variant-ckpt"))
    return _build("variant", folder, tmp_path_factory.mktemp("variant") / "variant.tflite", 40, 16)


@pytest.fixture(params=["sample", "variant"])
def built(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


def _rel_err(got: Any, ref: Any) -> float:
    import numpy as np

    return float(np.max(np.abs(got - ref)) / max(float(np.max(np.abs(ref))), 1e-6))


def test_signatures_and_facts(sample: Built) -> None:
    sigs = sample.facts["signatures"]
    assert set(sigs) == {"prefill", "decode"}
    kv = generative.kv_cache_names(4)
    cache = [(n, "float32", [1, 128, 2, 48]) for n in kv]
    rows = {k: {io: sorted((t["name"], t["dtype"], t["shape"]) for t in v[io]) for io in v} for k, v in sigs.items()}
    for name, length in (("prefill", 32), ("decode", 1)):
        tokens, pos = ("tokens", "int32", [1, length]), ("input_pos", "int32", [length])
        assert rows[name]["inputs"] == sorted([tokens, pos, *cache])
        logits = [("logits", "float32", [1, 1, 2048])] if name == "decode" else []  # prefill: the cache only
        assert rows[name]["outputs"] == sorted([*logits, *cache])
    assert sample.facts["kv_cache"] == {"names": kv, "layout": "BTNH", "shape": [1, 128, 2, 48], "dtype": "float32"}
    assert sample.facts["bytes"] == sample.tflite.stat().st_size
    assert {"DYNAMIC_UPDATE_SLICE", "FULLY_CONNECTED", "STABLEHLO_COMPOSITE"} <= set(sample.facts["operators"])
    assert "odml.scaled_dot_product_attention" in sample.facts["composites"]
    assert sample.facts["model"]["tie_word_embeddings"] is True
    assert not list(sample.tflite.parent.glob(".*partial"))


def test_tensor_names_carry_no_module_paths(sample: Built) -> None:
    """litert-torch's module-path locations are left out of the tensor names (the logits tests run this file)."""
    from ai_edge_litert.interpreter import Interpreter

    names = [d["name"] for d in Interpreter(model_path=str(sample.tflite)).get_tensor_details()]
    assert names
    assert not [n for n in names if "litert_torch." in n]


def test_greedy_tokens_match_eager(built: Built) -> None:
    for prompt in PROMPTS:
        ids = built.ids(prompt)
        want = greedy(built.eager, ids, NEW_TOKENS, ()).output_ids
        got = generative.greedy_generate(built.tflite, ids, NEW_TOKENS, ())
        assert len(want) == NEW_TOKENS
        assert got == want, prompt


def test_logits_match_eager(built: Built, record_property: Any) -> None:
    import numpy as np

    worst = 0.0
    for prompt in PROMPTS:
        ids = built.ids(prompt)
        d = greedy(built.eager, ids, NEW_TOKENS, ())
        ref = np.stack(d.step_logits)
        got = generative.teacher_forced_logits(built.tflite, ids, d.output_ids[: len(ref) - 1])
        assert got.shape == ref.shape == (NEW_TOKENS, 2048)
        assert got.dtype == np.float32
        worst = max(worst, _rel_err(got, ref))
    record_property("max_relative_logits_error", worst)
    print(f"\n{built.name}: max |tflite - eager| / max |eager| = {worst:.3g}")
    assert worst < TOLERANCE


def test_long_prompts_take_chunked_prefill_and_decode_tail(variant: Built) -> None:
    """Cache 40, prefill 16: of 20 prompt tokens the first 19 are two prefill calls (the second padded) and
    the last a decode; of 36, 32 are two full chunks and the 3 after them go through decode (a third padded
    chunk would run past the cache), then the last one."""
    import numpy as np

    words = "In Python, the list of values is sorted by a key function when the value is not a number " * 4
    all_ids = variant.ids(words)
    for n, new in ((20, 8), (36, 4)):
        ids = all_ids[:n]
        d = greedy(variant.eager, ids, new, ())
        assert generative.greedy_generate(variant.tflite, ids, new, ()) == d.output_ids
        ref = np.stack(d.step_logits)
        assert _rel_err(generative.teacher_forced_logits(variant.tflite, ids, d.output_ids[: len(ref) - 1]), ref) < (
            TOLERANCE
        )
        eager = variant.eager(ids, 0)
        last = generative.litert_step(variant.tflite)(ids, 0)
        assert last.shape == (1, eager.shape[1])
        assert _rel_err(last, eager[-1:]) < TOLERANCE
        # every_row (perplexity): every position through decode against the eager forward.
        assert _rel_err(generative.litert_step(variant.tflite, every_row=True)(ids, 0), eager) < TOLERANCE


def test_stops_at_eos(sample: Built) -> None:
    ids = sample.ids(PROMPTS[0])
    free = greedy(sample.eager, ids, NEW_TOKENS, ()).output_ids
    eos = (free[3],)
    want = greedy(sample.eager, ids, NEW_TOKENS, eos)
    assert want.stopped_at_eos
    assert want.output_ids == free[: free.index(eos[0])]
    assert generative.greedy_generate(sample.tflite, ids, NEW_TOKENS, eos) == want.output_ids


def test_running_past_the_cache_is_an_error(variant: Built) -> None:
    ids = variant.ids("In Python, the list of values is sorted by a key function when the value " * 3)[:36]
    with pytest.raises(ConfigError, match="exceed the KV cache of 40"):
        generative.greedy_generate(variant.tflite, ids, 12, ())


def test_bad_inputs_fail_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "m.tflite"
    with pytest.raises(ConfigError, match="prefill_len"):
        generative.convert_causal_lm(SAMPLE, out, max_seq_len=16, prefill_len=32)
    ckpt = tmp_path / "gpt2"
    shutil.copytree(SAMPLE, ckpt)
    (ckpt / "config.json").write_text('{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"}')
    with pytest.raises(ConfigError, match="GPT2LMHeadModel") as e:
        generative.convert_causal_lm(ckpt, out, max_seq_len=64, prefill_len=8)
    assert e.value.hint
    assert not list(tmp_path.glob("*.tflite"))


def test_module_imports_without_torch() -> None:
    code = (
        "import sys\n"
        "for m in ('torch', 'litert_torch', 'ai_edge_litert', 'transformers', 'numpy'):\n"
        "    sys.modules[m] = None\n"
        "import sdkgen.runtimes.litert.generative as g\n"
        "assert g.kv_cache_names(1) == ['kv_cache_k_0', 'kv_cache_v_0']\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
