"""Fused input projections for ExecuTorch: each attention layer's q/k/v linears become one linear, each gated
MLP's gate/up linears one linear.

XNNPACK runs every dynamically quantized linear as its own call that quantizes its input row(s) again; a
decode step of a 30-layer model makes 210 such calls for 7 linears a layer, 120 once fused. The fused weight is
the rows of the originals stacked, so group-wise weight quantization (groups run along the input width) gives
the same numbers, and the activation is quantized once instead of three (or two) times from the same values.

The model stays a transformers model: the attention (MLP) module's ``forward`` receives the fused projection's
output in place of its input, and ``q_proj``/``k_proj``/``v_proj`` (``gate_proj``/``up_proj``) become
:class:`Narrow` views of it, so the family's own ``forward`` runs unchanged. That relies on the input being
used only through those projections and its leading shape, which :func:`fuse_projections` checks on the model's
own output before keeping the change.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Sequence
from typing import Any

import torch

#: Relative logits difference above which a fusion is undone (float32 sums in another order differ ~1e-6).
TOLERANCE = 1e-4


class Narrow(torch.nn.Module):
    """``x[..., start:start + length]``: one projection's columns of a fused projection's output."""

    def __init__(self, start: int, length: int) -> None:
        super().__init__()
        self.start, self.length = start, length
        #: Kept for code that reads a projection's width (``q_proj.out_features``).
        self.out_features = length

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.narrow(-1, self.start, self.length)


def _stack(linears: Sequence[torch.nn.Linear]) -> torch.nn.Linear | None:
    """One linear whose output is the outputs of ``linears`` side by side, or ``None`` when they do not share
    their input width, dtype and device."""
    first = linears[0]
    if any(
        m.in_features != first.in_features
        or m.weight.dtype != first.weight.dtype
        or m.weight.device != first.weight.device
        for m in linears
    ):
        return None
    bias = any(m.bias is not None for m in linears)
    fused = torch.nn.Linear(
        first.in_features,
        sum(m.out_features for m in linears),
        bias=bias,
        dtype=first.weight.dtype,
        device=first.weight.device,
    )
    with torch.no_grad():
        fused.weight.copy_(torch.cat([m.weight for m in linears]))
        if fused.bias is not None:
            fused.bias.copy_(
                torch.cat([m.bias if m.bias is not None else m.weight.new_zeros(m.out_features) for m in linears])
            )
    fused.requires_grad_(False)
    return fused


def _fuse(module: torch.nn.Module, names: Sequence[str], fused_name: str) -> Callable[[], None] | None:
    """Replace ``module``'s linears ``names`` by one fused linear applied before ``module.forward``; returns
    the undo, or ``None`` when they cannot be fused."""
    linears = [getattr(module, n, None) for n in names]
    if not all(type(m) is torch.nn.Linear for m in linears) or hasattr(module, fused_name):
        return None
    fused = _stack(linears)  # type: ignore[arg-type]
    if fused is None:
        return None
    original = module.forward
    # The input's name in the family's forward (``hidden_states``, ``x``): transformers passes it by keyword.
    first = next(iter(inspect.signature(original).parameters), None)
    if first is None:
        return None
    start = 0
    for n, m in zip(names, linears, strict=True):
        setattr(module, n, Narrow(start, m.out_features))  # type: ignore[union-attr]
        start += m.out_features  # type: ignore[union-attr]
    setattr(module, fused_name, fused)

    def forward(self: torch.nn.Module, *args: Any, **kwargs: Any) -> Any:
        project = getattr(self, fused_name)
        if args:
            return original(project(args[0]), *args[1:], **kwargs)
        return original(**{**kwargs, first: project(kwargs[first])})

    module.forward = types.MethodType(forward, module)  # type: ignore[method-assign]

    def undo() -> None:
        for n, m in zip(names, linears, strict=True):
            setattr(module, n, m)
        delattr(module, fused_name)
        del module.forward

    return undo


def fuse_projections(model: torch.nn.Module, probe: torch.Tensor) -> dict[str, int]:
    """Fuse the q/k/v and gate/up linears of ``model`` (a transformers causal LM) in place, where its layers
    have them as plain ``nn.Linear``; kept only if the logits on the token ids ``probe`` (``[1, n]``) stay
    within :data:`TOLERANCE` of the unfused model's (else undone). Returns the counts fused."""
    with torch.no_grad():
        want = model(probe).logits
    undos: list[Callable[[], None]] = []
    counts = {"attention": 0, "mlp": 0}
    for m in list(model.modules()):
        for kind, names, fused_name in (
            ("attention", ("q_proj", "k_proj", "v_proj"), "sdkgen_qkv_proj"),
            ("mlp", ("gate_proj", "up_proj"), "sdkgen_gate_up_proj"),
        ):
            undo = _fuse(m, names, fused_name) if all(hasattr(m, n) for n in names) else None
            if undo is not None:
                undos.append(undo)
                counts[kind] += 1
    if not undos:
        return counts
    try:
        with torch.no_grad():
            got = model(probe).logits
        same = bool(torch.isfinite(got).all()) and float((got - want).abs().max()) <= TOLERANCE * float(
            want.abs().max()
        )
    except Exception:  # a forward that reads its input beyond the projections may not even run fused
        same = False
    if not same:
        for undo in reversed(undos):
            undo()
        return {"attention": 0, "mlp": 0}
    return counts
