"""Export a causal LM with a static KV cache to a ``torch.export`` program for ExecuTorch's LLM runner.

The program has one method, ``forward(input_ids[1, seq], cache_position[seq]) -> logits[1, seq, vocab]``,
with ``seq`` dynamic up to ``max_seq_len - 1``: the runner prefills with the whole prompt and decodes one
token at a time through the same method.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sdkgen.spec import MethodSpec, TensorSpec

#: Part of the export stage's cache key: bump it when :func:`export_text_generation` writes a different
#: program for the same model (2: ExecuTorch's LLM kernels for the KV cache and attention, last-row logits;
#: 3: fused q/k/v and gate/up projections, :mod:`.fuse`).
PROGRAM_VERSION = 3


def export_text_generation(model: Any, max_seq_len: int) -> Any:
    """Export the Hugging Face causal LM ``model`` with a KV cache of ``max_seq_len`` positions.

    Where :func:`.llm_kernels.supported` holds, the KV cache update and the attention are ExecuTorch's LLM
    kernels (``llama::update_cache``, ``llama::custom_sdpa``); otherwise the program is transformers'
    static-cache module (:func:`sdkgen.models.text_generation.static_cache_module`), whose cache update is
    ``index_put`` and whose attention reads the whole cache through a mask."""
    import torch

    from sdkgen.runtimes.executorch import llm_kernels

    ids = torch.tensor([[1, 2, 3]], dtype=torch.long)
    seq = torch.export.Dim("seq_length_dim", max=max_seq_len - 1)
    dynamic = {"input_ids": {1: seq}, "cache_position": {0: seq}}
    positions = torch.arange(3, dtype=torch.long)
    # strict=True: with strict=False torch 2.13 fails inside AOT export (DESIGN.md, measured).
    if llm_kernels.supported(model):
        with llm_kernels.attached(model, max_seq_len) as module:
            return torch.export.export(
                module, (), {"input_ids": ids, "cache_position": positions}, dynamic_shapes=dynamic, strict=True
            )
    from sdkgen.models.text_generation import static_cache_module

    return static_cache_module(model, max_seq_len).export(
        input_ids=ids, cache_position=positions, dynamic_shapes=dynamic, strict=True
    )


def method_specs(vocab_size: int) -> tuple[MethodSpec, ...]:
    """``forward``'s signature. The logits have ``seq`` rows from the ``executorch:coreml`` program and one
    (the last) from the program over ExecuTorch's LLM kernels (:mod:`.llm_kernels`, every family but Gemma 2);
    the runner reads only the last row."""
    return (
        MethodSpec(
            "forward",
            inputs=(TensorSpec("input_ids", "int64", (1, "seq")), TensorSpec("cache_position", "int64", ("seq",))),
            outputs=(TensorSpec("logits", "float32", (1, "seq", vocab_size)),),
        ),
    )


def sentencepiece_to_llama2c(model: Path, out: Path) -> None:
    """Write SentencePiece ``model`` in the llama2.c binary format ExecuTorch's runner reads. Measured with
    ExecuTorch 1.5.1 (pytorch-tokenizers 1.5.0): its SentencePiece tokenizer decodes byte-fallback pieces
    as the text ``<0xC3>``, its ``tokenizer.json`` reader maps them to ``<unk>``; its llama2.c tokenizer
    encodes like SentencePiece and decodes them to the bytes."""
    import contextlib
    import io

    from pytorch_tokenizers.llama2c import Llama2cTokenizer

    with contextlib.redirect_stdout(io.StringIO()):
        Llama2cTokenizer(str(model)).export(str(out))


def runner_bos_count(tokenizer_kind: str) -> int:
    """BOS tokens the LLM runner puts before a prompt; golden vectors and the SDKs' generation configs use
    the same count. Measured with ExecuTorch 1.5.1: its C++ HF tokenizer (``tokenizer.json``, byte-level
    BPE) ignores the runner's ``num_bos`` (``encode(text, bos=1)`` returns the bare ids), so the phone sees
    no BOS; its SentencePiece tokenizer (``tokenizer.model``) honours it, and SentencePiece families
    (Llama 2, TinyLlama, Gemma) are trained with one BOS."""
    return 1 if tokenizer_kind == "sentencepiece" else 0


def runner_metadata(max_seq_len: int, vocab_size: int, bos_id: int, eos_ids: list[int]) -> dict[str, Any]:
    """The constant methods ExecuTorch's LLM runner reads from a ``.pte``."""
    return {
        "get_max_seq_len": max_seq_len,
        "get_max_context_len": max_seq_len,
        "use_kv_cache": True,
        "use_sdpa_with_kv_cache": False,
        "enable_dynamic_shape": True,
        "get_vocab_size": vocab_size,
        "get_bos_id": bos_id,
        "get_eos_ids": eos_ids,
    }
