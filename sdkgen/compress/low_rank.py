"""Low-rank factorisation of a decoder's linear layers by truncated SVD, in place, before ``torch.export``.

Each chosen ``nn.Linear`` (``W``: ``out x in``, bias ``b``) becomes a ``LowRankLinear`` module: ``down``
(``in -> r``, no bias) then ``up`` (``r -> out``, bias ``b``), with ``up.weight @ down.weight`` the best rank-r
approximation of ``W`` (Eckart-Young). The singular values are split evenly, ``down = sqrt(S) V^T`` and
``up = U sqrt(S)``, so both factors have similar ranges for a later quantizer. Pure torch: every target
lowers the result as two ordinary linears.

The factorised model does not reload with ``from_pretrained`` (its state dict has ``down``/``up`` weights
where the architecture expects one); save the factors or re-run the transform.
"""

from __future__ import annotations

import functools
from typing import Any

from sdkgen.compress.prune import decoder_layers, parameter_count
from sdkgen.errors import ConfigError

LAYER_CHOICES = ("mlp", "attention", "all")


@functools.cache
def _low_rank_linear_class() -> Any:
    import torch

    class LowRankLinear(torch.nn.Module):
        """``up(down(x))``: a rank-``rank`` stand-in for an ``in_features -> out_features`` linear layer."""

        def __init__(self, down: torch.nn.Linear, up: torch.nn.Linear) -> None:
            super().__init__()
            self.down = down
            self.up = up
            self.in_features = down.in_features
            self.out_features = up.out_features
            self.rank = down.out_features

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.up(self.down(x))

    LowRankLinear.__module__ = __name__
    return LowRankLinear


def __getattr__(name: str) -> Any:
    # LowRankLinear subclasses torch.nn.Module; building it on first use keeps this module importable without torch.
    if name == "LowRankLinear":
        return _low_rank_linear_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def factorize(
    model: Any,
    *,
    energy: float | None = None,
    rank: int | None = None,
    layers: str = "mlp",
    multiple_of: int = 1,
) -> dict[str, Any]:
    """Replace the decoder's ``nn.Linear`` layers chosen by ``layers`` (``mlp``: the MLP projections,
    ``attention``: the attention projections, ``all``: both; never embeddings or the output layer) by
    ``LowRankLinear`` factors (``from sdkgen.compress.low_rank import LowRankLinear``), in place.

    Exactly one of ``energy`` (in ``(0, 1]``: the smallest rank keeping that fraction of the sum of squared
    singular values) and ``rank`` (``>= 1``, capped at ``min(in, out)``) is given. The rank is then rounded up
    to a multiple of ``multiple_of`` (pass the quantizer's group size, e.g. 32, when the result is quantized
    group-wise: ``up``'s input width is the rank). A layer is left as it is, and reported as skipped, when
    ``r * (in + out) >= in * out`` (no saving).

    Returns ``params_before``/``params_after`` and per layer: name, shape, rank (or the skip reason), the
    energy kept and the parameter counts. Raises :class:`~sdkgen.errors.ConfigError` for bad arguments or a
    model whose decoder layers are not found.
    """
    import torch

    if layers not in LAYER_CHOICES:
        raise ConfigError(
            f"unknown low-rank layer set {layers!r}", choices=LAYER_CHOICES, hint="use mlp, attention or all"
        )
    if (energy is None) == (rank is None):
        raise ConfigError(
            f"low-rank factorisation takes exactly one of energy and rank (energy={energy!r}, rank={rank!r})",
            hint="e.g. energy = 0.9, or rank = 64",
        )
    if energy is not None and not 0.0 < energy <= 1.0:
        raise ConfigError(f"low-rank energy must be in (0, 1], got {energy!r}", hint="e.g. 0.9")
    if rank is not None and rank < 1:
        raise ConfigError(f"low-rank rank must be at least 1, got {rank!r}", hint="e.g. 64")
    if multiple_of < 1:
        raise ConfigError(f"multiple_of must be at least 1, got {multiple_of!r}", hint="e.g. 32")

    parents = {"mlp": ("mlp",), "attention": ("self_attn",), "all": ("self_attn", "mlp")}[layers]
    before = parameter_count(model)
    rows = []
    with torch.no_grad():
        for i, layer in enumerate(decoder_layers(model)):
            for parent_name in parents:
                parent = getattr(layer, parent_name, None)
                if parent is None:
                    raise ConfigError(f"decoder layer {i} has no {parent_name!r} module for low-rank {layers!r}")
                for child_name, child in list(parent.named_children()):
                    if isinstance(child, torch.nn.Linear):
                        name = f"layers.{i}.{parent_name}.{child_name}"
                        row, new = _factor(name, child, energy, rank, multiple_of)
                        if new is not None:
                            setattr(parent, child_name, new)
                        rows.append(row)
    return {
        "layers_selected": layers,
        "energy": energy,
        "rank": rank,
        "multiple_of": multiple_of,
        "params_before": before,
        "params_after": parameter_count(model),
        "factorized": sum(1 for r in rows if "skipped" not in r),
        "skipped": sum(1 for r in rows if "skipped" in r),
        "linears": rows,
    }


def _factor(
    name: str, lin: Any, energy: float | None, rank: int | None, multiple_of: int
) -> tuple[dict[str, Any], Any | None]:
    import torch

    w = lin.weight.detach()
    out_f, in_f = w.shape
    full = min(in_f, out_f)
    u, s, vh = torch.linalg.svd(w.double(), full_matrices=False)
    sq = s**2
    total = float(sq.sum())
    if rank is not None:
        r = min(rank, full)
    else:
        assert energy is not None
        cum = torch.cumsum(sq, 0) / total if total > 0 else torch.ones_like(sq)
        # The smallest r whose leading singular values keep `energy`; the tolerance absorbs round-off at 1.0.
        r = int(torch.searchsorted(cum, torch.tensor(energy - 1e-12, dtype=cum.dtype)).item()) + 1
        r = min(r, full)
    r = min(-(-r // multiple_of) * multiple_of, full)
    kept = float(sq[:r].sum()) / total if total > 0 else 1.0
    dense = lin.weight.numel() + (lin.bias.numel() if lin.bias is not None else 0)
    row: dict[str, Any] = {
        "name": name,
        "shape": [out_f, in_f],
        "rank": r,
        "energy_kept": round(kept, 6),
        "params_before": dense,
    }
    if r * (in_f + out_f) >= in_f * out_f:
        row["skipped"] = f"rank {r} x (in {in_f} + out {out_f}) >= in x out: no saving"
        row["params_after"] = dense
        return row, None
    root = s[:r].sqrt()
    down = torch.nn.Linear(in_f, r, bias=False, device=w.device, dtype=w.dtype)
    up = torch.nn.Linear(r, out_f, bias=lin.bias is not None, device=w.device, dtype=w.dtype)
    down.weight.copy_((root[:, None] * vh[:r]).to(w.dtype))
    up.weight.copy_((u[:, :r] * root[None, :]).to(w.dtype))
    if lin.bias is not None:
        up.bias.copy_(lin.bias.detach())
    new = _low_rank_linear_class()(down, up)
    new.requires_grad_(lin.weight.requires_grad)
    row["params_after"] = sum(p.numel() for p in new.parameters())
    return row, new
