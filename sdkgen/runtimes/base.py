"""What a runtime declares about each of its targets.

A target is ``runtime:delegate``. Each runtime package registers its targets in :data:`TARGETS` when it
is imported; the declaration is plain data so config validation never imports torch or the runtime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sdkgen.registry import Registry

#: Tasks whose model is one ``forward`` over fixed-shape tensors; a runtime lowers and runs them alike, and
#: the task adds its pre- and post-processing (tokenizer and pooling, image normalisation and labels).
TENSOR_TASKS = ("tensor", "text-embedding", "text-classification", "image-classification")


@dataclass(frozen=True)
class SdkBinding:
    """How the generated SDKs use a runtime: the template folder (``templates/<platform>/<templates>``),
    the Gradle dependency lines (``{version}`` stands for the runtime version) and the Swift package
    products each task links."""

    templates: str
    gradle_dependencies: tuple[str, ...]
    swift_products: Mapping[str, tuple[str, ...]]  # per task; "tensor" stands for every TENSOR_TASKS task
    delegate_doc: str
    #: LiteRT: the ``Accelerator`` the binding asks ``CompiledModel`` for (CPU, GPU, NPU).
    accelerator: str = ""

    def products(self, task: str) -> tuple[str, ...]:
        return self.swift_products.get("tensor" if task in TENSOR_TASKS else task, ())


@dataclass(frozen=True)
class TargetInfo:
    """Static facts about one ``runtime:delegate`` target.

    ``platforms`` are the SDK platforms the artifact can ship on; ``min_android_sdk`` and ``min_ios`` are
    the lowest versions the runtime supports; ``tasks`` and ``recipes`` are what this target can build;
    ``extra`` is the pip extra that installs the runtime; ``modules`` are the Python modules it needs.
    """

    name: str
    runtime: str
    delegate: str
    platforms: tuple[str, ...]
    tasks: tuple[str, ...]
    recipes: tuple[str, ...]
    min_android_sdk: int
    min_ios: str
    extra: str
    modules: tuple[str, ...]
    artifact_suffix: str
    binding: SdkBinding
    #: Environment variables the lowering needs (an SDK root), and how to get what is missing.
    requires_env: tuple[str, ...] = ()
    install_hint: str = ""
    #: A task that needs a newer iOS than ``min_ios`` (Core ML text generation: MLState needs iOS 18).
    min_ios_by_task: Mapping[str, str] = field(default_factory=dict)
    #: Tasks for which the lowering converts the checkpoint itself instead of the build's compressed export
    #: (so the target may use its own recipe through ``compress.targets``).
    converts_checkpoint: tuple[str, ...] = ()
    #: Embedding quantizations the target's runtime expresses (text generation, ``compress.embeddings``).
    embeddings: tuple[str, ...] = ("none",)
    #: The model frameworks the target lowers: ``torch`` (the build's export) and ``tensorflow`` (a Keras or
    #: SavedModel source, lowered by the runtime's ``backend_tensorflow`` module).
    frameworks: tuple[str, ...] = ("torch",)
    #: The runtime quantizes its converted artifact rather than the torch model: tensor tasks lower the
    #: model before quantization, and the target may take its own recipe (``compress.targets``).
    quantizes_artifact: bool = False
    #: The group (block) sizes the runtime's grouped recipes take (empty: any that divides the layers).
    group_sizes: tuple[int, ...] = ()
    #: A recipe that needs a newer iOS than ``min_ios`` (Core ML per-block int4 needs iOS 18).
    min_ios_by_recipe: Mapping[str, str] = field(default_factory=dict)

    def min_ios_for(self, task: str, recipe: str) -> str:
        """The lowest iOS that this target's artifact of ``task`` built with ``recipe`` runs on ("" when the
        target does not serve iOS): the highest of ``min_ios``, ``min_ios_by_task`` and ``min_ios_by_recipe``."""
        needs = [self.min_ios_by_task.get(task, self.min_ios), self.min_ios_by_recipe.get(recipe, "")]
        return max((v for v in needs if v), key=version_tuple, default="")

    def ships(self, platform: str, task: str) -> bool:
        """Whether the generated SDK for ``platform`` can carry this target's artifact of ``task``."""
        return platform in self.platforms and task in self.tasks


def version_tuple(version: str) -> tuple[int, ...]:
    """``"17.4"`` as ``(17, 4)``, for comparing dotted versions."""
    return tuple(int(p) for p in version.split("."))


TARGETS: Registry[TargetInfo] = Registry(
    "target", hint="targets are written runtime:delegate; run `sdkgen doctor` to see what is installed"
)
