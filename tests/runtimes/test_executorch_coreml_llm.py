"""ExecuTorch Core ML text generation: a tiny Llama lowers to one ``.pte`` whose ``forward`` is a single
``CoreMLBackend`` delegate call with the KV cache as Core ML state, keeps the LLM runner's signature and
constant methods, and its exported program generates the Hugging Face model's greedy tokens (the Core ML
delegate itself cannot run on this host)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("coremltools")
pytest.importorskip("executorch.backends.apple.coreml.partition")
pytest.importorskip("transformers")

from sdkgen.errors import ConfigError, OutputPathError
from sdkgen.runtimes.executorch import coreml_llm
from sdkgen.runtimes.executorch.export import method_specs, runner_metadata
from tests.models.tiny import SAMPLE, make_checkpoint

MAX_SEQ_LEN = 64
VOCAB = 2048
NEW_TOKENS = 8
#: One token (the prompt itself goes through the one-token path), a short and a longer prompt.
PROMPT_LENGTHS = (1, 5, 30)
#: tiny.py's Llama: 2 layers, 2 KV heads, head_dim 64 / 4 = 16.
CACHE_SHAPE = [2, 1, 2, MAX_SEQ_LEN, 16]


def _prompts() -> list[list[int]]:
    from tokenizers import Tokenizer

    text = (
        "The list data type has some more methods. Here are all of the methods of list objects. "
        "In Python, a dictionary maps keys to values, and a for loop iterates over the items of any sequence."
    )
    ids = Tokenizer.from_file(str(SAMPLE / "tokenizer.json")).encode(text).ids
    assert len(ids) >= max(PROMPT_LENGTHS)
    return [ids[:n] for n in PROMPT_LENGTHS]


@pytest.fixture(scope="module")
def lowered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    root = tmp_path_factory.mktemp("et-coreml-llm")
    checkpoint = make_checkpoint("llama", root / "model")
    out = root / "out" / "model.pte"
    meta = runner_metadata(MAX_SEQ_LEN, VOCAB, 0, [0])
    facts = coreml_llm.lower_text_generation_coreml(
        checkpoint,
        out,
        max_seq_len=MAX_SEQ_LEN,
        compute_units="CPU_AND_NE",
        metadata=meta,
        check_prompts=_prompts(),
        check_tokens=NEW_TOKENS,
    )
    return out, facts, meta


def test_the_coreml_delegate_owns_the_whole_forward(lowered: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    out, facts, _ = lowered
    assert out.is_file() and facts["size_bytes"] == out.stat().st_size
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".coreml-llm-")], "temporary file left behind"
    forward = facts["delegation"]["forward"]
    assert forward["delegates"] == {"CoreMLBackend": 1}
    assert forward["portable_operators"] == [] and forward["portable_calls"] == {}
    assert facts["delegated_call_share"] == forward["delegated_call_share"] == 1.0
    assert facts["portable_operators"] == []
    assert facts["seconds"] > 0 and facts["compute_units"] == "CPU_AND_NE"


def test_the_delegate_is_a_stateful_ios18_program_accepting_one_token(
    lowered: tuple[Path, dict[str, Any], dict[str, Any]],
) -> None:
    _, facts, _ = lowered
    (partition,) = facts["coreml"]
    assert partition["method"] == "forward"
    assert partition["specification_version"] == 9  # iOS 18 / macOS 15: states
    assert partition["states"] == [
        {"name": name, "dtype": "float16", "shape": CACHE_SHAPE} for name in coreml_llm.STATE_NAMES
    ]
    assert [i["name"] for i in partition["inputs"]] == list(coreml_llm.INPUT_NAMES)
    # The edge re-trace narrows seq to [2, ...]; the partitioner restores 1 so decode calls are accepted.
    assert partition["input_ranges"] == {
        "input_ids": [[1, 1], [1, MAX_SEQ_LEN - 1]],
        "cache_position": [[1, MAX_SEQ_LEN - 1]],
    }
    assert {"read_state", "write_state", "slice_update", "linear", "softmax", "gather"} <= set(partition["operations"])


def test_methods_keep_the_runner_signature_and_metadata(lowered: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, facts, meta = lowered
    methods = facts["methods"]
    assert set(methods) == {"forward", *meta}
    for name, value in meta.items():
        expected = value[0] if isinstance(value, list) and len(value) == 1 else value
        assert methods[name] == {"value": expected}, name
    (spec,) = method_specs(VOCAB)
    forward = methods["forward"]
    assert [(t["name"], t["dtype"]) for t in forward["inputs"]] == [(t.name, t.dtype) for t in spec.inputs]
    assert [t["shape"] for t in forward["inputs"]] == [[1, MAX_SEQ_LEN - 1], [MAX_SEQ_LEN - 1]]
    assert [(t["dtype"], t["shape"]) for t in forward["outputs"]] == [("float32", [1, MAX_SEQ_LEN - 1, VOCAB])]


def test_exported_program_generates_the_hf_greedy_tokens(lowered: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, facts, _ = lowered
    check = facts["host_check"]
    assert check["passed"], check
    assert [r["prompt_len"] for r in check["prompts"]] == list(PROMPT_LENGTHS)
    for r in check["prompts"]:
        assert r["program"] == r["hf"] and len(r["program"]) == NEW_TOKENS
        assert r["max_abs_logit_diff"] < 1e-3


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"compute_units": "NPU"}, ConfigError, "compute_units"),
        ({"compute_precision": "INT8"}, ConfigError, "compute_precision"),
        ({"metadata": runner_metadata(32, VOCAB, 0, [0])}, ConfigError, "get_max_seq_len"),
        ({"out": "model.mlpackage"}, OutputPathError, r"\.pte"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(
    tmp_path: Path, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    args: dict[str, Any] = {
        "max_seq_len": MAX_SEQ_LEN,
        "compute_units": "ALL",
        "metadata": runner_metadata(MAX_SEQ_LEN, VOCAB, 0, [0]),
        **kwargs,
    }
    out = tmp_path / args.pop("out", "model.pte")
    with pytest.raises(error, match=match):
        coreml_llm.lower_text_generation_coreml(tmp_path / "missing-checkpoint", out, **args)
    assert not out.exists()
