"""ModelSpec: the language-neutral description of a built model that SDK templates are rendered from.

It is versioned JSON and needs no torch to read. It holds everything the generated SDKs need and nothing
they do not: the task, the methods and their typed inputs and outputs, the tokenizer, generation limits,
the artifacts per target, the golden vectors, and the per-platform package settings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SPEC_VERSION = 1


@dataclass(frozen=True)
class TensorSpec:
    """A method input or output. ``shape`` entries are sizes or symbolic names (``"seq"``)."""

    name: str
    dtype: str
    shape: tuple[int | str, ...]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]


@dataclass(frozen=True)
class TokenizerSpec:
    """``kind`` is ``byte-level-bpe`` or ``sentencepiece`` (text generation: ``tokenizer.json``, which the
    SDK core tokenizes for every runtime; SentencePiece-style means BPE with byte fallback) or
    ``wordpiece`` (BERT: ``vocab.txt``, one token per line in id order, for the SDK's own tokenizer; BOS is
    ``[CLS]``, EOS ``[SEP]``). ``file`` is shipped next to the model; ids are token ids."""

    kind: str
    file: str
    bos_id: int
    eos_ids: tuple[int, ...]
    bos_token: str
    eos_token: str
    vocab_size: int
    chat_template: str | None = None
    pad_id: int = 0
    lowercase: bool = False
    max_length: int = 0  # wordpiece: every input is padded or truncated to this many ids


@dataclass(frozen=True)
class EmbeddingSpec:
    """Text embedding: ``dim`` floats per text, ``pooling`` over the token states, L2-normalised when
    ``normalized`` (then cosine similarity is a dot product)."""

    dim: int
    pooling: str
    normalized: bool
    min_cosine: float = 0.99  # verify.min_cosine: the device test's floor for an artifact checked against fp32


@dataclass(frozen=True)
class ImageSpec:
    """Image classification input: ``height`` x ``width`` x ``channels`` floats (channels last, one image),
    each ``(pixel / 255 - mean[c]) / std[c]``; one channel means grayscale (the mean of R, G and B)."""

    width: int
    height: int
    channels: int
    mean: tuple[float, ...]
    std: tuple[float, ...]


@dataclass(frozen=True)
class GenerationSpec:
    """``max_seq_len`` bounds prompt plus generated tokens (the static KV cache length); ``bos_count`` BOS
    tokens precede every prompt. For step runtimes (LiteRT, Core ML) whose SDK drives the cache itself:
    ``prefill_len`` tokens per prefill call, and the cache geometry (``num_layers`` layers of ``kv_heads``
    x ``head_dim`` keys and values per position)."""

    max_seq_len: int
    default_max_new_tokens: int
    bos_count: int
    prefill_len: int = 0
    num_layers: int = 0
    kv_heads: int = 0
    head_dim: int = 0


@dataclass(frozen=True)
class ArtifactSpec:
    """One lowered model file. ``delegates`` are the backends that own part of the graph."""

    target: str
    runtime: str
    delegate: str
    file: str
    sha256: str
    size: int
    runtime_version: str
    min_android_sdk: int
    min_ios: str
    delegates: tuple[str, ...] = ()
    recipe: str = "none"  # the compression recipe this artifact was built with
    # Tensor-shaped tasks: what the host verified this artifact against, so the device tests do the same.
    # ``golden_reference``: the float32 model's outputs (a target that quantized its own artifact from the
    # float32 model) instead of the build's compressed model's; ``golden_tolerance``: the bound on
    # max |artifact - golden| / max |golden| (0: ``ModelSpec.output_tolerance``).
    golden_reference: bool = False
    golden_tolerance: float = 0.0


@dataclass(frozen=True)
class GoldenCase:
    """A prompt and its greedy continuation from the compressed eager model (EOS excluded)."""

    prompt: str
    prompt_ids: tuple[int, ...]
    output_ids: tuple[int, ...]
    output_text: str


@dataclass(frozen=True)
class TensorValue:
    """A concrete tensor: row-major ``values`` of ``shape`` in ``dtype``."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class TensorCase:
    """Inputs and the eager model's outputs for them (tensor task golden vectors)."""

    inputs: tuple[TensorValue, ...]
    outputs: tuple[TensorValue, ...]


@dataclass(frozen=True)
class AndroidPackage:
    package: str
    group: str
    artifact: str
    version: str
    min_sdk: int


@dataclass(frozen=True)
class IosPackage:
    module: str
    minimum_ios: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    task: str
    methods: tuple[MethodSpec, ...]
    tokenizer: TokenizerSpec | None
    generation: GenerationSpec | None
    artifacts: tuple[ArtifactSpec, ...]
    golden: tuple[GoldenCase, ...]
    android: AndroidPackage
    ios: IosPackage
    compression: dict[str, Any] = field(default_factory=dict)
    tensor_golden: tuple[TensorCase, ...] = ()
    output_tolerance: float = 0.0  # tensor task: max |out - golden| / max |golden| the device tests allow
    embedding: EmbeddingSpec | None = None
    image: ImageSpec | None = None
    labels: tuple[str, ...] = ()  # image and text classification: class names in output order
    texts: tuple[str, ...] = ()  # text embedding and classification: the texts of ``tensor_golden``, in order
    reference_golden: tuple[GoldenCase, ...] = ()  # text generation: the fp32 model's (artifacts of recipe none)
    # Tensor-shaped tasks: the fp32 model's outputs for the inputs of ``tensor_golden``, present when an
    # artifact is verified against them (``ArtifactSpec.golden_reference``).
    reference_tensor_golden: tuple[TensorCase, ...] = ()
    min_label_agreement: float = 1.0  # text classification: verify.min_label_agreement (device test floor)
    version: int = SPEC_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSpec:
        if d.get("version") != SPEC_VERSION:
            raise ValueError(
                f"ModelSpec version {d.get('version')!r} is not supported (this sdkgen reads {SPEC_VERSION})"
            )

        def tensors(items: list[dict[str, Any]]) -> tuple[TensorSpec, ...]:
            return tuple(TensorSpec(t["name"], t["dtype"], tuple(t["shape"])) for t in items)

        def values(items: list[dict[str, Any]]) -> tuple[TensorValue, ...]:
            return tuple(TensorValue(v["name"], v["dtype"], tuple(v["shape"]), tuple(v["values"])) for v in items)

        tok = dict(d["tokenizer"]) if d.get("tokenizer") else None
        if tok is not None:
            tok["eos_ids"] = tuple(tok["eos_ids"])
        return cls(
            name=d["name"],
            task=d["task"],
            methods=tuple(MethodSpec(m["name"], tensors(m["inputs"]), tensors(m["outputs"])) for m in d["methods"]),
            tokenizer=TokenizerSpec(**tok) if tok is not None else None,
            generation=GenerationSpec(**d["generation"]) if d.get("generation") else None,
            artifacts=tuple(ArtifactSpec(**{**a, "delegates": tuple(a["delegates"])}) for a in d["artifacts"]),
            golden=_golden(d["golden"]),
            reference_golden=_golden(d.get("reference_golden", [])),
            android=AndroidPackage(**d["android"]),
            ios=IosPackage(**d["ios"]),
            compression=d.get("compression", {}),
            output_tolerance=d.get("output_tolerance", 0.0),
            tensor_golden=tuple(
                TensorCase(values(c["inputs"]), values(c["outputs"])) for c in d.get("tensor_golden", [])
            ),
            reference_tensor_golden=tuple(
                TensorCase(values(c["inputs"]), values(c["outputs"])) for c in d.get("reference_tensor_golden", [])
            ),
            min_label_agreement=d.get("min_label_agreement", 1.0),
            embedding=EmbeddingSpec(**d["embedding"]) if d.get("embedding") else None,
            image=ImageSpec(**{**d["image"], "mean": tuple(d["image"]["mean"]), "std": tuple(d["image"]["std"])})
            if d.get("image")
            else None,
            labels=tuple(d.get("labels", ())),
            texts=tuple(d.get("texts", ())),
            version=d["version"],
        )

    @classmethod
    def read(cls, path: Path) -> ModelSpec:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def golden_for(self, artifact: ArtifactSpec) -> tuple[GoldenCase, ...]:
        """The golden continuations an artifact must reproduce: the compressed model's, or the fp32 model's
        for an artifact built with another recipe than the build's (a ``compress.targets`` override: its
        runtime quantized it, and the fp32 model is the closest eager reference)."""
        if artifact.recipe != self.compression.get("recipe", "none") and self.reference_golden:
            return self.reference_golden
        return self.golden

    def tensor_golden_for(self, artifact: ArtifactSpec) -> tuple[TensorCase, ...]:
        """The golden cases a tensor-shaped artifact must reproduce on a device: the ones the host verified
        it against (:attr:`ArtifactSpec.golden_reference`)."""
        if artifact.golden_reference and self.reference_tensor_golden:
            return self.reference_tensor_golden
        return self.tensor_golden

    def tolerance_for(self, artifact: ArtifactSpec) -> float:
        """``max |artifact - golden| / max |golden|`` the device tests allow for ``artifact``."""
        return artifact.golden_tolerance or self.output_tolerance


def _golden(items: list[dict[str, Any]]) -> tuple[GoldenCase, ...]:
    return tuple(
        GoldenCase(g["prompt"], tuple(g["prompt_ids"]), tuple(g["output_ids"]), g["output_text"]) for g in items
    )
