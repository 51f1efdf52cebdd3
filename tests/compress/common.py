"""Shared by the compression tests: tiny models, calibration ids, and the export -> XNNPACK -> pybindings check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tests.models.tiny import SAMPLE, make_checkpoint

MAX_SEQ_LEN = 32
TINY_LLM_DIR = SAMPLE.parent


def tiny_model(family: str, folder: Path) -> Any:
    """A random ``family`` checkpoint from :mod:`tests.models.tiny`, written to ``folder`` and loaded (fp32, eval)."""
    from transformers import AutoModelForCausalLM

    make_checkpoint(family, folder)
    return AutoModelForCausalLM.from_pretrained(folder).eval()


def tiny_llm() -> Any:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(SAMPLE).eval()


def random_calibration(n: int = 4, length: int = 48, vocab: int = 2048, seed: int = 0) -> list[list[int]]:
    import torch

    g = torch.Generator().manual_seed(seed)
    return [torch.randint(1, vocab, (length,), generator=g).tolist() for _ in range(n)]


def heldout_ids() -> list[int]:
    """The tiny-llm sample's held-out token stream (``samples/tiny-llm/corpus.py``)."""
    from transformers import AutoTokenizer

    sys.path.insert(0, str(TINY_LLM_DIR))
    try:
        import corpus  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(TINY_LLM_DIR))
    tok = AutoTokenizer.from_pretrained(SAMPLE)
    _, held = corpus.split_documents()
    return list(corpus.token_stream(held, lambda s: tok.encode(s, add_special_tokens=False), 0))


def windows(ids: list[int], n: int, length: int = 128) -> list[list[int]]:
    return [ids[i * length : (i + 1) * length] for i in range(n)]


def eager_logits(model: Any, ids: list[int]) -> Any:
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([ids]), use_cache=False).logits[0]


def lower_and_compare(model: Any, folder: Path, prompt: list[int], forced: list[int]) -> tuple[Path, float]:
    """Export ``model`` with sdkgen's static-cache wrapper, lower it to XNNPACK and run it with the pybindings
    runtime; return the ``.pte`` and the largest logit difference under teacher forcing relative to the
    largest eager logit."""
    import numpy as np
    import torch

    from sdkgen.models.text_generation import eager_step, static_cache_module, teacher_forced
    from sdkgen.runtimes.executorch.export import export_text_generation, runner_metadata
    from sdkgen.runtimes.executorch.lower import lower_program
    from sdkgen.runtimes.executorch.verify import pte_step

    vocab = model.get_input_embeddings().num_embeddings
    program = folder / "program.pt2"
    torch.export.save(export_text_generation(model, MAX_SEQ_LEN), program)
    delegation = lower_program(program, "xnnpack", runner_metadata(MAX_SEQ_LEN, vocab, 0, [0]), folder / "model.pte")
    assert delegation["forward"]["delegates"].get("XnnpackBackend", 0) > 0
    want = np.stack(teacher_forced(eager_step(static_cache_module(model, MAX_SEQ_LEN)), prompt, forced))
    _, step = pte_step(folder / "model.pte")
    got = np.stack(teacher_forced(step, prompt, forced))
    return folder / "model.pte", float(np.abs(got - want).max() / np.abs(want).max())


def export_and_compare(model: Any, prompt: list[int]) -> float:
    """``torch.export`` only (no lowering): the exported program's prefill logits against the eager model's, at
    the last prompt position (an XNNPACK program returns that row only: what the runner reads)."""
    import torch

    from sdkgen.runtimes.executorch.export import export_text_generation

    want = eager_logits(model, prompt)
    ep = export_text_generation(model, MAX_SEQ_LEN)
    with torch.no_grad():
        got = ep.module()(input_ids=torch.tensor([prompt]), cache_position=torch.arange(len(prompt)))[0]
    return float((got[-1] - want[-1]).abs().max() / want[-1].abs().max())
