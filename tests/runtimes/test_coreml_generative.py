"""Core ML text generation: a tiny Llama becomes one stateful iOS 18 ``.mlpackage`` with ``prefill`` and
``decode``; its structure is read back from the saved spec, and the converted torch graphs generate the same
greedy tokens as the plain Hugging Face model (Core ML predictions cannot run on this host)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("coremltools")
pytest.importorskip("transformers")

from sdkgen.errors import ConfigError, OutputPathError
from sdkgen.runtimes.coreml import generative
from tests.models.tiny import SAMPLE, make_checkpoint

MAX_SEQ_LEN = 64
PREFILL_LEN = 24
NEW_TOKENS = 12
#: Shorter than one prefill chunk, exactly one chunk, and two chunks plus a decode tail (48 + 24 > 64).
PROMPT_LENGTHS = (5, PREFILL_LEN, 50)
#: tiny.py's Llama: 2 layers, 2 KV heads, head_dim 64 / 4 = 16.
CACHE_SHAPE = [2, 1, 2, MAX_SEQ_LEN, 16]


def _prompts() -> list[list[int]]:
    from tokenizers import Tokenizer

    text = (
        "The list data type has some more methods. Here are all of the methods of list objects. "
        "In Python, a dictionary maps keys to values, and a for loop iterates over the items of any sequence. "
        "A function is defined with the def statement; its body is indented, and it may return a value."
    )
    ids = Tokenizer.from_file(str(SAMPLE / "tokenizer.json")).encode(text).ids
    assert len(ids) >= max(PROMPT_LENGTHS)
    return [ids[:n] for n in PROMPT_LENGTHS]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("coreml-gen")
    checkpoint = make_checkpoint("llama", root / "model")
    out = root / "out" / "tiny.mlpackage"
    facts = generative.convert_causal_lm(
        checkpoint,
        out,
        max_seq_len=MAX_SEQ_LEN,
        prefill_len=PREFILL_LEN,
        check_prompts=_prompts(),
        check_tokens=NEW_TOKENS,
    )
    return out, facts


def _feature(name: str, dtype: str, shape: list[int]) -> dict[str, Any]:
    return {"name": name, "dtype": dtype, "shape": shape}


def test_package_is_a_stateful_ios18_multifunction_program(converted: tuple[Path, dict[str, Any]]) -> None:
    out, facts = converted
    assert out.is_dir() and (out / "Manifest.json").is_file()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".coreml-")], "temporary folder left behind"
    assert facts["specification_version"] == 9  # iOS 18 / macOS 15
    assert facts["default_function"] == "decode"
    assert sorted(facts["functions"]) == ["decode", "prefill"]
    states = [_feature("k_cache", "float16", CACHE_SHAPE), _feature("v_cache", "float16", CACHE_SHAPE)]
    for name, length in (("prefill", PREFILL_LEN), ("decode", 1)):
        fn = facts["functions"][name]
        assert fn["inputs"] == [_feature("input_ids", "int32", [1, length]), _feature("input_pos", "int32", [1])]
        assert fn["outputs"] == [_feature("logits", "float16", [1, length, 2048])]
        assert fn["states"] == states
        assert fn["opset"] == "CoreML8"
        assert {"read_state", "write_state", "slice_update", "linear", "softmax"} <= set(fn["operations"])
    meta = facts["metadata"]
    assert meta["sdkgen.max_seq_len"] == str(MAX_SEQ_LEN)
    assert meta["sdkgen.prefill_len"] == str(PREFILL_LEN)
    assert meta["sdkgen.compute_units"] == "CPU_AND_NE"
    assert meta["sdkgen.eos_token_ids"] == "0"
    assert facts["size_bytes"] > 0
    assert facts["frontend"].startswith("torch.export")


def test_describe_reads_the_same_facts_back(converted: tuple[Path, dict[str, Any]]) -> None:
    out, facts = converted
    read = generative.describe(out)
    made = ("conversion_seconds", "frontend", "host_check", "compression")  # what the conversion adds
    assert read == {k: v for k, v in facts.items() if k not in made}
    assert facts["compression"] == {"recipe": "none", "weights": "float16"}


def test_converted_graphs_generate_the_hf_models_greedy_tokens(converted: tuple[Path, dict[str, Any]]) -> None:
    _, facts = converted
    check = facts["host_check"]
    assert [p["prompt_len"] for p in check["prompts"]] == list(PROMPT_LENGTHS)
    for prompt in check["prompts"]:
        assert len(prompt["hf"]) == NEW_TOKENS
        assert prompt["wrapper"] == prompt["hf"], prompt
        assert prompt["exported"] == prompt["hf"], prompt
        assert prompt["max_abs_logit_diff"] < 1e-4
    assert check["passed"] is True
    assert "not_executed" in check


def test_a_different_cache_changes_the_output() -> None:
    """The decode graph reads the cache: without the prefilled state it predicts something else."""
    import numpy as np

    model = generative.load_model(SAMPLE, MAX_SEQ_LEN)
    wrapper = generative.stateful_module(model, MAX_SEQ_LEN)
    call = generative.wrapper_call(wrapper)
    prompt = _prompts()[1]
    ids = np.array([prompt], dtype=np.int32)
    pos = np.array([0], dtype=np.int32)
    call("prefill", ids, pos)
    step = np.array([[prompt[-1]]], dtype=np.int32), np.array([len(prompt)], dtype=np.int32)
    with_cache = call("decode", *step)
    wrapper.reset()
    without = call("decode", *step)
    assert not np.allclose(with_cache, without)


def test_bad_arguments_fail_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "x.mlpackage"
    with pytest.raises(ConfigError, match="prefill_len"):
        generative.convert_causal_lm(SAMPLE, out, max_seq_len=16, prefill_len=32)
    with pytest.raises(ConfigError, match="compute_units"):
        generative.convert_causal_lm(SAMPLE, out, max_seq_len=16, prefill_len=8, compute_units="GPU")
    with pytest.raises(OutputPathError):
        generative.convert_causal_lm(SAMPLE, tmp_path / "x.mlmodel", max_seq_len=16, prefill_len=8)
    gemma2 = make_checkpoint("gemma2", tmp_path / "gemma2")  # sliding window 64
    with pytest.raises(ConfigError, match="sliding window"):
        generative.convert_causal_lm(gemma2, out, max_seq_len=128, prefill_len=8)
    assert not out.exists()
