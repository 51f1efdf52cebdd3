"""Distillation recovery after pruning: it lowers the loss to the teacher and is reproducible."""

from __future__ import annotations

import copy

from sdkgen.compress.prune import prune
from sdkgen.compress.recovery import distill
from tests.compress.common import TINY_LLM_DIR, tiny_llm


def test_distillation_recovers_and_is_reproducible() -> None:
    """On the trained tiny-llm sample: the pruned model's distance to the teacher shrinks."""
    from transformers import AutoTokenizer

    teacher = tiny_llm()
    tok = AutoTokenizer.from_pretrained(TINY_LLM_DIR / "model")
    ids = tok.encode((TINY_LLM_DIR / "calibration.txt").read_text()[:6000], add_special_tokens=False)
    calibration = [ids[i : i + 64] for i in range(0, 64 * 6, 64)]
    pruned = copy.deepcopy(teacher)
    prune(pruned, "ffn", 0.5, calibration)
    runs = []
    for _ in range(2):
        student = copy.deepcopy(pruned)
        summary = distill(student, teacher, calibration, steps=24, learning_rate=3e-4)
        runs.append((summary, {k: v.clone() for k, v in student.state_dict().items()}))
    (first, weights_a), (second, weights_b) = runs
    assert first == second and first["last_loss"] < first["first_loss"]
    assert all(bool((weights_a[k] == weights_b[k]).all()) for k in weights_a)
    assert not any(p.requires_grad for p in runs[0][1].values())
