"""Short recovery training after pruning or low-rank factorisation: distil the uncompressed model into the
compressed one on the calibration text, for a bounded number of steps.

Loss: KL(teacher || student) over the next-token distributions at every position of a calibration
window. One window per step, in order, cycling; AdamW; a fixed seed and one thread, so the same inputs
give the same weights (builds stay reproducible).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def distill(
    student: Any, teacher: Any, windows: Sequence[Sequence[int]], *, steps: int, learning_rate: float
) -> dict[str, Any]:
    """Train ``student`` in place; returns the first and last losses (nats per token)."""
    import torch

    if not windows:
        raise ValueError("recovery training needs calibration windows")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    params = [p for p in student.parameters() if p.is_floating_point()]
    for p in params:
        p.requires_grad_(True)
    teacher.eval()
    student.train()
    opt = torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.0)
    losses = []
    try:
        for step in range(steps):
            ids = torch.tensor([list(windows[step % len(windows)])], dtype=torch.long)
            with torch.no_grad():
                target = torch.log_softmax(teacher(input_ids=ids, use_cache=False).logits.float(), dim=-1)
            logp = torch.log_softmax(student(input_ids=ids, use_cache=False).logits.float(), dim=-1)
            loss = torch.nn.functional.kl_div(logp, target, log_target=True, reduction="batchmean") / ids.shape[1]
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
    finally:
        student.eval()
        student.requires_grad_(False)
        torch.set_num_threads(threads)
    return {
        "steps": steps,
        "learning_rate": learning_rate,
        "first_loss": round(losses[0], 6),
        "last_loss": round(losses[-1], 6),
    }
