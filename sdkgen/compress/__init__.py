"""Compression recipes, language- and runtime-neutral.

A :class:`Recipe` is a quantization scheme plus optional pruning and low-rank factorisation. Pruning and
low-rank are torch transforms of the eager model (:mod:`.prune`, :mod:`.low_rank`), so every target that
lowers the build's model gets them; each runtime maps the quantization onto its own mechanism (ExecuTorch:
:mod:`sdkgen.runtimes.executorch.quantize`) and declares which schemes it can express
(``TargetInfo.recipes``), so a recipe a runtime cannot express is refused when the config is read.

ExecuTorch quantizes the torch model before export, so its targets share the build's compressed model.
LiteRT and Core ML quantize their converted artifact (``TargetInfo.quantizes_artifact``: litert-torch's
recipes, ``coremltools.optimize``), so each of their targets may take its own recipe (``compress.targets``)
and lowers the model before quantization.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sdkgen.registry import Registry


@dataclass(frozen=True)
class Quantization:
    """A quantization scheme: ``grouped`` ones take ``compress.group_size``; ``calibrated`` ones need
    ``compress.calibration``; ``tasks`` are the tasks it applies to (empty: all)."""

    description: str
    grouped: bool = False
    calibrated: bool = False
    tasks: tuple[str, ...] = ()


QUANTIZATIONS: Registry[Quantization] = Registry(
    "compress.recipe", hint="'none' keeps float32; see README's compression table"
)
QUANTIZATIONS.add("none", Quantization("no quantization (float32)"))
QUANTIZATIONS.add("fp16", Quantization("float16 weights and activations"))
QUANTIZATIONS.add("int8", Quantization("weight-only int8, per output channel (float activations)"))
QUANTIZATIONS.add("int4", Quantization("weight-only int4 in blocks of group_size (float activations)", grouped=True))
QUANTIZATIONS.add(
    "palettize", Quantization("4-bit palettization: each weight tensor as indices into a 16-entry k-means table")
)
QUANTIZATIONS.add("8da8w", Quantization("8-bit dynamic activations, 8-bit per-channel weights (linear layers)"))
QUANTIZATIONS.add(
    "8da4w", Quantization("8-bit dynamic activations, 4-bit weights in groups (linear layers)", grouped=True)
)
QUANTIZATIONS.add(
    "static-int8",
    Quantization(
        "static int8 activations and per-channel int8 weights, ranges calibrated on compress.calibration",
        calibrated=True,
        # The BERT embedder fails during PT2E calibration (an observer lands on an index tensor: "tensors used
        # as indices must be long", measured with torchao 0.18); its int8 recipe is 8da8w.
        tasks=("image-classification",),
    ),
)


@dataclass(frozen=True)
class Pruning:
    """``method``: ``magnitude`` (unstructured), ``2:4`` (semi-structured), ``ffn`` / ``heads`` / ``layers``
    (structured: FFN channels, attention KV groups, whole decoder layers, chosen by an importance score
    measured on the calibration text); ``amount`` is the fraction removed."""

    method: str
    amount: float


#: Methods that change the model's shape (and need the calibration text for their importance scores).
STRUCTURED = ("ffn", "heads", "layers")


@dataclass(frozen=True)
class LowRank:
    """Truncated-SVD factorisation of the decoder's ``layers`` (``mlp``, ``attention``, ``all``) at a fixed
    ``rank`` or the smallest rank keeping ``energy`` of the squared singular values."""

    energy: float | None = None
    rank: int | None = None
    layers: str = "mlp"


@dataclass(frozen=True)
class Recovery:
    """Distillation from the uncompressed model on the calibration text after pruning or low-rank
    (:mod:`.recovery`): ``steps`` windows, AdamW at ``learning_rate``."""

    steps: int
    learning_rate: float = 1e-4


@dataclass(frozen=True)
class Recipe:
    """One build's compression: quantization scheme ``name`` (a key of :data:`QUANTIZATIONS`), its group
    size, embedding quantization, and the optional pruning and low-rank transforms applied before it."""

    name: str
    group_size: int = 32
    embeddings: str = "none"
    pruning: Pruning | None = None
    low_rank: LowRank | None = None
    recovery: Recovery | None = None

    def describe(self) -> str:
        parts = []
        if self.pruning is not None:
            parts.append(f"{self.pruning.method} pruning of {self.pruning.amount:.0%}")
        if self.low_rank is not None:
            how = f"rank {self.low_rank.rank}" if self.low_rank.rank else f"{self.low_rank.energy:.0%} energy"
            parts.append(f"low-rank {self.low_rank.layers} layers ({how})")
        if self.recovery is not None:
            parts.append(f"{self.recovery.steps} steps of distillation")
        q = QUANTIZATIONS.get(self.name).description
        if QUANTIZATIONS.get(self.name).grouped:
            q += f", group size {self.group_size}"
        parts.append(q)
        if self.embeddings != "none":
            parts.append(f"{self.embeddings} embeddings")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"recipe": self.name, "description": self.describe()}
        if QUANTIZATIONS.get(self.name).grouped or self.embeddings == "int4":
            d["group_size"] = self.group_size
        if self.embeddings != "none":
            d["embeddings"] = self.embeddings
        if self.pruning is not None:
            d["prune"] = asdict(self.pruning)
        if self.low_rank is not None:
            d["low_rank"] = asdict(self.low_rank)
        if self.recovery is not None:
            d["recovery"] = asdict(self.recovery)
        return d
