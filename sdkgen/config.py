"""``sdkgen.toml``: the one config file of a build, validated with pydantic.

:func:`load_config` returns a :class:`BuildConfig` or raises :class:`~sdkgen.errors.ConfigError` naming
the key, the value, the valid choices and a hint. Relative paths are resolved against the config file's
folder. Loading a config never writes anything.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sdkgen.compress import QUANTIZATIONS, STRUCTURED, LowRank, Pruning, Recipe, Recovery
from sdkgen.errors import ConfigError
from sdkgen.models.keras import source_kind
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.sdk.android.naming import check_package
from sdkgen.sdk.ios.naming import check_module

TASKS = ("text-generation", "text-embedding", "text-classification", "image-classification", "tensor")
FACTORY_SOURCE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
#: ``pkg:<python package>/<folder>``: a checkpoint folder shipped inside an installed Python package.
PACKAGE_SOURCE = re.compile(r"^pkg:([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/(.+)$")
_FOLDER_TASKS = ("text-generation", "text-embedding", "text-classification")
GROUP_SIZES = (32, 64, 128, 256)
#: What ``compress.embeddings = "auto"`` quantizes the embedding table to, per recipe: the weight bits of its
#: linear layers (ExecuTorch's own ``export_llm`` leaves the table fp32 unless told; at SmolLM2-135M that is
#: half of the 8da4w file, docs/performance.md).
AUTO_EMBEDDINGS = {"8da4w": "int4", "8da8w": "int8"}

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")
_KOTLIN_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_SWIFT_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAVEN_PART = re.compile(r"^[A-Za-z0-9_.\-]+$")
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


#: The longest file name and path the file systems sdkgen runs on accept (Linux and macOS: NAME_MAX, PATH_MAX).
_NAME_MAX, _PATH_MAX = 255, 4096


def _usable_path(v: str) -> str:
    """A path from the config that the OS can look up: no NUL, no name longer than the file system allows
    (an over-long one makes every lookup raise instead of answering "not there")."""
    if "\0" in v:
        raise ValueError("a path cannot contain a NUL character")
    longest = max((len(part.encode("utf-8", "surrogatepass")) for part in re.split(r"[/\\]", v)), default=0)
    if longest > _NAME_MAX:
        raise ValueError(f"a path component is {longest} bytes long; file systems allow {_NAME_MAX}")
    if len(v.encode("utf-8", "surrogatepass")) > _PATH_MAX:
        raise ValueError(f"the path is longer than {_PATH_MAX} bytes")
    return v


#: A config value naming a file or folder (relative to the config file's folder).
PathStr = Annotated[str, AfterValidator(_usable_path)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ModelSection(_Section):
    """Where the model comes from and what it does."""

    source: PathStr = Field(
        description="text-generation, text-embedding, text-classification: a Hugging Face checkpoint folder, "
        "relative to the config file, or 'pkg:<python package>/<folder>' inside an installed package; tensor, "
        "image-classification: a Python factory 'module:function' (the module is looked up next to the config"
        " file); tensor, LiteRT targets only: a Keras file (.keras, .h5) or a SavedModel folder, relative to "
        "the config file"
    )
    task: Literal["text-generation", "text-embedding", "text-classification", "image-classification", "tensor"] = (
        "text-generation"
    )
    name: str | None = Field(default=None, description="artifact base name; default: the config's folder name")
    labels: PathStr | None = Field(
        default=None,
        description="text-classification: a text file of class names, one per line in output order, instead of "
        "config.json's id2label",
    )

    @field_validator("name")
    @classmethod
    def _name_is_simple(cls, v: str | None) -> str | None:
        if v is not None and not MODEL_NAME.fullmatch(v):
            raise ValueError(
                "must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 100)"
            )
        return v


class PruneSection(_Section):
    """Pruning before quantization (:class:`sdkgen.compress.Pruning`): ``method`` removes ``amount`` of the
    weights (magnitude), channels (ffn), KV groups (heads) or decoder layers (layers); ``2:4`` removes half."""

    method: Literal["magnitude", "2:4", "ffn", "heads", "layers"]
    amount: float = Field(default=0.25, gt=0, lt=1)


class LowRankSection(_Section):
    """Truncated-SVD factorisation of the decoder's ``layers`` at ``rank`` or at the smallest rank keeping
    ``energy`` of the squared singular values (give one of the two)."""

    energy: float | None = Field(default=None, gt=0, le=1)
    rank: int | None = Field(default=None, ge=1)
    layers: Literal["mlp", "attention", "all"] = "mlp"

    @model_validator(mode="after")
    def _one(self) -> LowRankSection:
        if (self.energy is None) == (self.rank is None):
            raise ValueError("give exactly one of energy (e.g. 0.9) and rank (e.g. 32)")
        return self


class RecoverySection(_Section):
    """Recovery training after pruning or low-rank: distil the uncompressed model into the compressed one
    on ``compress.calibration`` for ``steps`` windows (text generation)."""

    steps: int = Field(ge=1, le=5000)
    learning_rate: float = Field(default=1e-4, gt=0, le=1e-1)


class RecipeFields(_Section):
    """What one compression recipe is made of (shared by ``[compress]`` and each ``[[sweep.recipes]]``)."""

    recipe: str = "8da4w"
    group_size: int = 32
    #: ``auto``: the embedding table takes the recipe's weight bits where every target that lowers the
    #: build's own model can express it (8da4w: int4 at ``group_size``, 8da8w: int8), else ``none``.
    embeddings: Literal["auto", "none", "int8", "int4"] = "auto"
    prune: PruneSection | None = None
    low_rank: LowRankSection | None = None
    recovery: RecoverySection | None = None

    @field_validator("recipe")
    @classmethod
    def _recipe(cls, v: str) -> str:
        if v not in QUANTIZATIONS:
            raise ValueError(f"must be one of {', '.join(QUANTIZATIONS.names())}")
        return v

    @field_validator("group_size")
    @classmethod
    def _group(cls, v: int) -> int:
        if v not in GROUP_SIZES:
            raise ValueError(f"must be one of {', '.join(map(str, GROUP_SIZES))}")
        return v

    def to_recipe(self, embeddings: str) -> Recipe:
        """The recipe with ``embeddings`` resolved (:meth:`BuildConfig.embeddings_for`)."""
        return Recipe(
            self.recipe,
            self.group_size,
            embeddings,
            Pruning(self.prune.method, 0.5 if self.prune.method == "2:4" else self.prune.amount)
            if self.prune
            else None,
            LowRank(self.low_rank.energy, self.low_rank.rank, self.low_rank.layers) if self.low_rank else None,
            Recovery(self.recovery.steps, self.recovery.learning_rate) if self.recovery else None,
        )


class CompressSection(RecipeFields):
    """The build's compression recipe (see :class:`RecipeFields`). ``calibration`` is a text file (text
    tasks) or an ``.npz`` of ``images`` (image classification) for static quantization and for the
    importance scores of structured pruning. ``targets`` overrides the quantization per target
    (``{"coreml:ane" = "none"}``), for a target that converts from the checkpoint itself (LiteRT, Core ML)
    and cannot express the build's recipe; such a target gets no pruning or low-rank either."""

    calibration: PathStr | None = None
    targets: dict[str, str] = Field(default_factory=dict)

    @field_validator("targets")
    @classmethod
    def _override(cls, v: dict[str, str]) -> dict[str, str]:
        bad = sorted(r for r in v.values() if r not in QUANTIZATIONS)
        if bad:
            raise ValueError(f"{bad[0]!r} is not a recipe; recipes: {', '.join(QUANTIZATIONS.names())}")
        return v


class SweepRecipe(RecipeFields):
    """One row of ``sdkgen compress --sweep``: a label and a recipe."""

    label: str = Field(min_length=1, max_length=40)


class SweepSection(_Section):
    """``sdkgen compress --sweep``: the recipes to compare and the targets to measure them on (default: the
    build's first target)."""

    recipes: list[SweepRecipe] = Field(min_length=1)
    targets: list[str] = Field(default_factory=list)


class ExportSection(_Section):
    """Export settings. ``max_seq_len`` is the static KV-cache length (prompt plus generated tokens)."""

    max_seq_len: int = Field(default=128, ge=16, le=32768)
    prefill_len: int = Field(default=32, ge=1, description="text generation: tokens per prefill call (LiteRT, Core ML)")


class AndroidSection(_Section):
    """The generated Android library: Kotlin package, Maven coordinates, minimum SDK."""

    package: str
    group: str | None = None
    artifact: str | None = None
    version: str = "0.1.0"
    min_sdk: int = Field(default=24, ge=21, le=36)

    @field_validator("package")
    @classmethod
    def _package(cls, v: str) -> str:
        if not _KOTLIN_PACKAGE.fullmatch(v):
            raise ValueError("must be a lower-case dotted Kotlin/Java package such as 'com.example.tinyllm'")
        problem = check_package(v)
        if problem:
            raise ValueError(f"{problem}; rename that segment")
        return v

    @field_validator("group", "artifact", "version")
    @classmethod
    def _maven(cls, v: str | None) -> str | None:
        if v is not None and not _MAVEN_PART.fullmatch(v):
            raise ValueError("Maven coordinates use only letters, digits, '.', '_' and '-'")
        return v


class IosSection(_Section):
    """The generated Swift package: module name and minimum iOS version."""

    module: str
    minimum_ios: str = "17.0"

    @field_validator("module")
    @classmethod
    def _module(cls, v: str) -> str:
        if not _SWIFT_MODULE.fullmatch(v):
            raise ValueError("must be a Swift identifier such as 'TinyLlm'")
        problem = check_module(v)
        if problem:
            raise ValueError(f"{problem}; choose another name such as 'TinyLlmKit'")
        return v

    @field_validator("minimum_ios")
    @classmethod
    def _ios(cls, v: str) -> str:
        if not _VERSION.fullmatch(v):
            raise ValueError("must be a version such as '17.0'")
        return v


class CoremlSection(_Section):
    """Core ML settings, used by the ``executorch:coreml`` target: which compute units Core ML may use."""

    compute_units: Literal["all", "cpu_only", "cpu_and_gpu", "cpu_and_ne"] = "all"


class LitertSection(_Section):
    """LiteRT settings, used by the NPU targets: the SoC to compile for (default: the vendor's flagship,
    Qualcomm SM8650, MediaTek MT6989); checked against the vendor compiler's list when lowering."""

    soc: str | None = None


class ImageSection(_Section):
    """Image classification: the class names (a text file, one per line, in output order) and the
    normalisation each channel gets, ``(pixel / 255 - mean) / std``."""

    labels: PathStr
    mean: list[float] = Field(default_factory=lambda: [0.0], min_length=1, max_length=3)
    std: list[float] = Field(default_factory=lambda: [1.0], min_length=1, max_length=3)

    @field_validator("std")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(x <= 0 for x in v):
            raise ValueError("every std must be greater than 0")
        return v


_SENTENCES = [
    "A man is playing a guitar on the street.",
    "Someone plays music outdoors.",
    "The stock market fell sharply on Monday.",
    "How do I reset my password?",
    "I forgot the password to my account.",
    "Le chat dort sur le canapé.",
    "Emoji are text too 🙂👍",
    "def add(a, b): return a + b",
]


class VerifySection(_Section):
    """Host verification: prompts for golden vectors and the tolerances the artifact must meet.

    ``logits_tolerance`` bounds ``max|artifact - eager| / max|eager|`` over the logits of every step (text
    generation), ``fp32_logits_tolerance`` the same for a target built without compression;
    ``output_tolerance`` bounds the same ratio over every output of the tensor-shaped tasks.
    """

    prompts: list[str] = Field(
        default_factory=lambda: ["The list", "A function is", "If the value", "In Python,"], min_length=1
    )
    max_new_tokens: int = Field(default=12, ge=1, le=512)
    logits_tolerance: float = Field(default=0.05, gt=0, le=1)
    fp32_logits_tolerance: float = Field(
        default=1e-3, gt=0, le=1, description="logits tolerance of a target whose recipe is 'none' (float32)"
    )
    output_tolerance: float = Field(default=1e-3, gt=0, le=1)
    compressed_output_tolerance: float = Field(
        default=0.05, gt=0, le=1, description="output_tolerance for a target whose recipe quantizes (not 'none')"
    )
    quantization_error_tolerance: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="logits or output tolerance of a target that quantizes its own artifact (LiteRT, Core ML): "
        "it is compared with the float32 model, so the ratio is the quantization error itself; the quality "
        "gates (perplexity, accuracy, cosine) judge the recipe",
    )
    sentences: list[str] = Field(default_factory=lambda: list(_SENTENCES), min_length=1)
    min_cosine: float = Field(default=0.99, gt=0, le=1)
    eval_data: PathStr | None = Field(
        default=None,
        description="image classification: an .npz with 'images' (uint8, N x H x W x C) and 'labels' (int, N); "
        'text classification: a .jsonl file, one {"text": ..., "label": class name or index} object per line',
    )
    max_accuracy_drop: float = Field(default=0.01, ge=0, le=1)
    min_label_agreement: float = Field(
        default=0.95,
        ge=0,
        le=1,
        description="text classification: the smallest share of texts (verify.sentences and the eval_data texts) "
        "whose top-1 label must equal the fp32 eager model's",
    )
    heldout_text: PathStr | None = Field(
        default=None,
        description="text generation: a text file whose perplexity is measured on the eager model and every "
        "runnable artifact",
    )
    max_perplexity_increase: float | None = Field(
        default=None, gt=0, description="text generation: the largest relative perplexity increase over fp32"
    )


class SdkSection(_Section):
    """The generated SDKs: ``templates`` overrides sdkgen's templates. It is a folder inside the config's
    folder laid out like sdkgen's ``templates/`` (``android/library/README.md.jinja``,
    ``ios/api/tensor/Sources/{{ module }}/{{ class_name }}.swift.jinja``); each of its files replaces ours at
    the same relative path, or adds a file. They are rendered in Jinja's sandbox with the same view as ours:
    a template reads data, it cannot run code."""

    templates: str | None = Field(
        default=None,
        description="a folder inside the config's folder whose files override sdkgen's templates by relative path",
    )

    @field_validator("templates")
    @classmethod
    def _inside(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if "\0" in v or "\\" in v or not v.strip():
            raise ValueError("must be a folder path relative to the config file, written with '/'")
        parts = Path(v).parts
        if Path(v).is_absolute() or ".." in parts:
            raise ValueError("must be a folder inside the config's folder: no absolute path and no '..'")
        return v


class BuildConfig(_Section):
    """A whole ``sdkgen.toml``. ``root`` is the folder the file lives in (not a key of the file)."""

    targets: list[str] = Field(default_factory=lambda: ["executorch:xnnpack"], min_length=1)
    model: ModelSection
    compress: CompressSection = CompressSection()
    export: ExportSection = ExportSection()
    android: AndroidSection
    ios: IosSection
    coreml: CoremlSection = CoremlSection()
    litert: LitertSection = LitertSection()
    image: ImageSection | None = None
    verify: VerifySection = VerifySection()
    sweep: SweepSection | None = None
    sdk: SdkSection = SdkSection()
    root: Path = Field(default=Path(), exclude=True)
    #: The file this config was read from (``load_config``), for the report's input digests.
    _file: Path | None = PrivateAttr(default=None)

    @property
    def file(self) -> Path | None:
        """The ``sdkgen.toml`` this config was read from, or ``None`` when it was built in memory."""
        return self._file

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: list[str]) -> list[str]:
        load_runtimes()
        for name in v:
            if name not in TARGETS:
                raise ValueError(f"unknown target {name!r}; valid targets: {', '.join(TARGETS.names())}")
        if len(set(v)) != len(v):
            raise ValueError("lists a target twice")
        return v

    @model_validator(mode="after")
    def _combinations(self) -> BuildConfig:
        self._names_and_folders()
        is_factory = bool(FACTORY_SOURCE.fullmatch(self.model.source))
        task = self.model.task
        tf_kind = source_kind(self.model.source, self.root)
        if tf_kind is not None:
            self._tensorflow_source(tf_kind)
        elif task not in _FOLDER_TASKS and not is_factory:
            raise _Combination(
                f"model.source = {self.model.source!r} is not a Python factory, which task {task!r} needs",
                'write model.source = "package.module:function"; the function returns (module, example_inputs)'
                + ("; or a Keras file (.keras, .h5) or a SavedModel folder" if task == "tensor" else ""),
            )
        if task in _FOLDER_TASKS and is_factory:
            raise _Combination(
                f"model.source = {self.model.source!r} is a Python factory; task {task!r} loads a "
                "Hugging Face checkpoint folder",
                'point model.source at the checkpoint folder, or set model.task = "tensor"',
            )
        if (task == "image-classification") != (self.image is not None):
            raise _Combination(
                "an [image] table is needed by task 'image-classification' and only by it",
                'add [image] with labels = "labels.txt", mean and std'
                if task == "image-classification"
                else "remove the [image] table",
            )
        if self.model.labels is not None and task != "text-classification":
            raise _Combination(
                f"model.labels is read by task 'text-classification' only (model.task is {task!r})",
                "remove model.labels"
                + ("; image classification takes [image] labels" if task == "image-classification" else ""),
            )
        self._compression(task)
        stray = sorted(set(self.compress.targets) - set(self.targets))
        if stray:
            raise _Combination(
                f"compress.targets names {stray}, which are not in `targets`",
                f"override the recipe of a listed target: {', '.join(self.targets)}",
            )
        if task == "text-generation" and self.export.prefill_len > self.export.max_seq_len:
            raise _Combination(
                f"export.prefill_len = {self.export.prefill_len} exceeds export.max_seq_len = "
                f"{self.export.max_seq_len}",
                "choose a prefill chunk no longer than the KV cache",
            )
        for name in self.targets:
            info = TARGETS.get(name)
            recipe = self.recipe_for(name)
            if recipe != self.compress.recipe and not info.quantizes_artifact and task not in info.converts_checkpoint:
                raise _Combination(
                    f"compress.targets overrides the recipe of {name!r}, which lowers the build's compressed "
                    f"model for task {task!r}: its recipe is compress.recipe",
                    f"remove {name!r} from compress.targets or change compress.recipe",
                )
            if self.model.task not in info.tasks:
                raise _Combination(
                    f"target {name!r} cannot build task {self.model.task!r} (it builds: {', '.join(info.tasks)})",
                    "choose another target or task",
                )
            if recipe not in info.recipes:
                overridable = info.quantizes_artifact or task in info.converts_checkpoint
                raise _Combination(
                    f"target {name!r} cannot express recipe {recipe!r} (it can: {', '.join(info.recipes)})",
                    f'choose a recipe that every target supports, or set compress.targets = {{ "{name}" = '
                    f'"{info.recipes[0]}" }}'
                    if overridable
                    else f"set compress.recipe to one {name!r} can express; a LiteRT or Core ML target takes its "
                    f'own with compress.targets = {{ "litert:cpu" = "{recipe}" }}',
                    choices=list(info.recipes),
                )
            q = QUANTIZATIONS.get(recipe)
            if q.tasks and task not in q.tasks:
                raise _Combination(
                    f"recipe {recipe!r} of target {name!r} applies to tasks {', '.join(q.tasks)}, not {task!r}",
                    "choose another recipe (see docs/compression.md)",
                )
            if q.grouped and info.group_sizes and self.compress.group_size not in info.group_sizes:
                raise _Combination(
                    f"target {name!r} takes recipe {recipe!r} in groups of {', '.join(map(str, info.group_sizes))} "
                    f"weights, not compress.group_size = {self.compress.group_size}",
                    f"set compress.group_size = {info.group_sizes[0]}",
                    choices=[str(g) for g in info.group_sizes],
                )
            # The generated Package.swift raises the iOS minimum to what the artifacts need
            # (sdkgen.sdk.ios.platforms); only a minimum written in sdkgen.toml below that is a conflict.
            min_ios = info.min_ios_for(task, recipe) if "minimum_ios" in self.ios.model_fields_set else ""
            if "android" in info.platforms and self.android.min_sdk < info.min_android_sdk:
                raise _Combination(
                    f"android.min_sdk = {self.android.min_sdk} is below {info.min_android_sdk}, the lowest "
                    f"Android SDK that target {name!r} supports",
                    f"set android.min_sdk = {info.min_android_sdk} or higher",
                )
            if "ios" in info.platforms and min_ios and _version_tuple(self.ios.minimum_ios) < _version_tuple(min_ios):
                raise _Combination(
                    f"ios.minimum_ios = {self.ios.minimum_ios!r} is below {min_ios!r}, the lowest iOS "
                    f"that target {name!r} supports for task {task!r} and recipe {recipe!r}",
                    f'set ios.minimum_ios = "{min_ios}" or higher',
                )
        return self

    def _names_and_folders(self) -> None:
        """The build's name (``model.name``, else the config's folder name) names files and folders of the
        output; ``sdk.templates`` must be a real folder inside the config's folder (no symbolic link out)."""
        if self.model.name is None and not MODEL_NAME.fullmatch(folder := self.root.resolve().name):
            raise _Combination(
                f"model.name is not set, and the config's folder name {folder!r}, its default, is not a valid name "
                "(a letter or digit, then letters, digits, '.', '_' and '-')",
                f'set model.name = "{"-".join(re.findall(r"[A-Za-z0-9]+", folder)) or "model"}" under [model]',
            )
        if self.sdk.templates is not None:
            where = (self.root / self.sdk.templates).resolve()
            if not where.is_relative_to(self.root.resolve()):
                raise _Combination(
                    f"sdk.templates = {self.sdk.templates!r} leads outside the config's folder (to {where})",
                    "copy the template overrides into a folder beside sdkgen.toml",
                )
            if not where.is_dir():
                raise _Combination(
                    f"sdk.templates = {self.sdk.templates!r} is not a folder ({where})",
                    "create the folder, laid out like sdkgen's templates/ (e.g. android/library/README.md.jinja)",
                )

    @property
    def templates_dir(self) -> Path | None:
        """The folder of ``sdk.templates`` (user template overrides), or ``None``."""
        return self.path(self.sdk.templates) if self.sdk.templates is not None else None

    def _tensorflow_source(self, kind: str) -> None:
        """A Keras or SavedModel source: task ``tensor``, targets that lower TensorFlow models, recipe ``none``."""
        what = f"model.source = {self.model.source!r} is a {'Keras model' if kind == 'keras' else 'SavedModel'}"
        if self.model.task != "tensor":
            raise _Combination(
                f"{what}, which only task 'tensor' builds (model.task is {self.model.task!r})",
                'set model.task = "tensor", or give this task the source it loads',
            )
        able = [n for n in TARGETS.names() if "tensorflow" in TARGETS.get(n).frameworks]
        for name in self.targets:
            if "tensorflow" not in TARGETS.get(name).frameworks:
                raise _Combination(
                    f"target {name!r} cannot lower it: {what}, which TensorFlow's TFLite converter lowers for "
                    "LiteRT targets only",
                    f'set targets = ["{able[0]}"], or use a Python factory returning a torch.nn.Module for {name!r}',
                    choices=able,
                )
        recipes = sorted({self.recipe_for(t) for t in self.targets} | {self.compress.recipe})
        if recipes != ["none"]:
            raise _Combination(
                f"compress.recipe {' / '.join(r for r in recipes if r != 'none')!r} cannot be applied: {what}, "
                "which is converted as it is (float32)",
                'set compress.recipe = "none" under [compress] (and no compress.targets overrides)',
                choices=["none"],
            )

    def _compression(self, task: str) -> None:
        """What the recipe needs: the task it applies to, calibration data, held-out text, and targets that
        lower the build's own model for pruning, low-rank and embedding quantization."""
        c = self.compress
        q = QUANTIZATIONS.get(c.recipe)
        if q.tasks and task not in q.tasks:
            raise _Combination(
                f"compress.recipe = {c.recipe!r} applies to tasks {', '.join(q.tasks)}, not {task!r}",
                "choose another recipe (see README's compression table)",
            )
        method = c.prune.method if c.prune is not None else None
        structured = method in STRUCTURED
        if c.recovery is not None and c.prune is None and c.low_rank is None:
            raise _Combination(
                "compress.recovery trains the model back after compress.prune or compress.low_rank; neither is set",
                "remove compress.recovery, or add the pruning or low-rank it should recover from",
            )
        if c.recovery is not None and not c.calibration:
            raise _Combination(
                "compress.recovery distils on compress.calibration, which is not set",
                'set compress.calibration = "calibration.txt"',
            )
        if (q.calibrated or structured) and not c.calibration:
            what = f"compress.recipe = {c.recipe!r}" if q.calibrated else f"compress.prune.method = {method!r}"
            raise _Combination(
                f"{what} needs calibration data: compress.calibration is not set",
                'set compress.calibration = "calibration.txt" (a text file; for images an .npz with "images")',
            )
        # "auto" embeddings are a default that only applies where it can (embeddings_for), never a refusal.
        embeddings = c.embeddings if c.embeddings != "auto" else "none"
        transforms = c.prune is not None or c.low_rank is not None or c.recovery is not None or embeddings != "none"
        if transforms and task != "text-generation":
            raise _Combination(
                f"pruning, low-rank and embedding quantization apply to text generation's decoder, not {task!r}",
                "remove compress.prune, compress.low_rank and compress.embeddings",
            )
        if self.verify.max_perplexity_increase is not None and not self.verify.heldout_text:
            raise _Combination(
                "verify.max_perplexity_increase needs verify.heldout_text (the text whose perplexity is measured)",
                'set verify.heldout_text = "heldout.txt"',
            )
        for name in self.targets:
            info = TARGETS.get(name)
            if name in c.targets or not transforms:
                continue
            if task in info.converts_checkpoint:
                raise _Combination(
                    f"{name!r} converts the checkpoint itself for {task!r}, so it cannot take compress.prune, "
                    "compress.low_rank or compress.embeddings",
                    f'set compress.targets = {{ "{name}" = "none" }} to build it from the plain checkpoint',
                )
            if embeddings not in info.embeddings:
                raise _Combination(
                    f"target {name!r} cannot quantize embeddings to {embeddings!r} (it can: "
                    f"{', '.join(info.embeddings)})",
                    f'set compress.embeddings = "none", or compress.targets = {{ "{name}" = "none" }}',
                )
        if self.sweep is not None:
            for name in self.sweep.targets:
                if name not in self.targets:
                    raise _Combination(
                        f"sweep.targets names {name!r}, which is not in `targets`",
                        f"measure the sweep on listed targets: {', '.join(self.targets)}",
                    )

    def recipe(self) -> Recipe:
        """What the build applies to its torch model before export: compress.recipe's transforms, and its
        quantization when a target lowers that model as it is (ExecuTorch). Targets that quantize their own
        artifact (``TargetInfo.quantizes_artifact``) apply their recipe while lowering, so a build of only
        those quantizes nothing here."""
        recipe = self.declared_recipe()
        if all(TARGETS.get(t).quantizes_artifact for t in self.targets):
            return dataclasses.replace(recipe, name="none")
        return recipe

    def declared_recipe(self) -> Recipe:
        """``[compress]`` as a recipe, embeddings resolved; what the report and the SDKs describe."""
        return self.compress.to_recipe(self.embeddings_for(self.compress))

    def embeddings_for(self, fields: RecipeFields) -> str:
        """``fields.embeddings`` with ``auto`` resolved for this build's task and targets: the recipe's weight
        bits (:data:`AUTO_EMBEDDINGS`) when the task is text generation and every target that lowers the
        build's own model (not a ``compress.targets`` override, not one converting the checkpoint itself)
        expresses them; ``none`` otherwise, so ``auto`` never makes a config invalid."""
        if fields.embeddings != "auto":
            return fields.embeddings
        want = AUTO_EMBEDDINGS.get(fields.recipe)
        task = self.model.task
        if want is None or task != "text-generation":
            return "none"
        lowering = [
            TARGETS.get(t)
            for t in self.targets
            if t not in self.compress.targets and task not in TARGETS.get(t).converts_checkpoint
        ]
        return want if lowering and all(want in info.embeddings for info in lowering) else "none"

    def recipe_for(self, target: str) -> str:
        """The compression recipe of ``target``: its ``compress.targets`` override or ``compress.recipe``."""
        return self.compress.targets.get(target, self.compress.recipe)

    @property
    def name(self) -> str:
        return self.model.name or self.root.resolve().name

    @property
    def model_source(self) -> Path:
        """The checkpoint folder; a ``pkg:`` source is looked up in the installed package (the folder
        may not exist: the loader reports that)."""
        m = PACKAGE_SOURCE.fullmatch(self.model.source)
        if m is None:
            return (self.root / self.model.source).resolve()
        import importlib.util

        from sdkgen.errors import ModelLoadError

        spec = importlib.util.find_spec(m.group(1).split(".")[0])
        if spec is None or not spec.submodule_search_locations:
            raise ModelLoadError(
                f"model.source = {self.model.source!r}: the Python package {m.group(1)!r} is not installed",
                hint=f"pip install the distribution that provides {m.group(1)!r} into this environment",
            )
        return Path(next(iter(spec.submodule_search_locations)), *m.group(1).split(".")[1:], m.group(2)).resolve()

    def with_targets(self, targets: list[str]) -> BuildConfig:
        """This config building only ``targets`` (``sdkgen build --targets``), validated again; the per-target
        settings of the targets left out (``compress.targets``, ``sweep.targets``) are dropped with them."""
        raw = self.model_dump(mode="python", exclude={"root"})
        raw["targets"] = list(targets)
        raw["compress"]["targets"] = {t: r for t, r in raw["compress"]["targets"].items() if t in targets}
        if raw.get("sweep"):
            raw["sweep"]["targets"] = [t for t in raw["sweep"]["targets"] if t in targets]
        narrowed = parse_config(raw, root=self.root)
        narrowed._file = self._file
        return narrowed

    def path(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        return (self.root / value).resolve()


class _Combination(ValueError):
    def __init__(self, message: str, hint: str, choices: list[str] | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.choices = choices


def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


_TYPE_WORDS = {
    "int_type": "a whole number without quotes, e.g. 24",
    "string_type": 'a quoted string, e.g. "17.0"',
    "float_type": "a number, e.g. 0.05",
    "list_type": 'a list, e.g. ["a", "b"]',
    "bool_type": "true or false",
    "model_type": "a [table]",
    "greater_than_equal": "a larger number",
    "less_than_equal": "a smaller number",
}

#: The SDK tables every config has: the platform's name and the key each needs.
_PLATFORM_TABLES = {"android": ("Android", 'package = "com.example.mymodel"'), "ios": ("iOS", 'module = "MyModel"')}

_FIELD_HINTS = {
    "targets": "targets look like 'executorch:xnnpack'",
    "compress.recipe": "use 'none' to skip compression",
}


def load_config(path: Path) -> BuildConfig:
    """Read and validate ``path`` (a ``sdkgen.toml`` or a folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "sdkgen.toml"
    if not path.is_file():
        raise ConfigError(
            f"config file not found: {path}",
            hint="pass a sdkgen.toml or a folder that contains one, e.g. `sdkgen build samples/tiny-llm`",
        )
    data = path.read_bytes()
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise ConfigError(
            f"{path}: not valid TOML: byte {data[e.start]:#04x} is not UTF-8 (at line {line}, column {column})",
            hint="save the file as UTF-8",
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}", hint="check the quoting and brackets on that line") from e
    config = parse_config(raw, root=path.parent, source=str(path))
    config._file = path
    return config


def parse_config(raw: dict[str, Any], *, root: Path, source: str = "sdkgen.toml") -> BuildConfig:
    """Validate an already parsed TOML document."""
    load_runtimes()
    if "root" in raw:
        raise ConfigError(f"{source}: unknown key 'root'", hint="remove the key; paths are relative to the config file")
    try:
        return BuildConfig.model_validate({**raw, "root": root})
    except ValidationError as e:
        raise _config_error(e, raw, source) from None


def _config_error(e: ValidationError, raw: dict[str, Any], source: str) -> ConfigError:
    errors = e.errors()
    # A misspelt key is also reported as the right key missing; the spelling is the mistake to name.
    err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    loc = [str(p) for p in err["loc"]]
    # list items show up as numeric path parts; keep them as [i]
    key = ".".join(loc).replace(".[", "[") if loc else "(top level)"
    key = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", key)
    value = _lookup(raw, err["loc"])
    etype = err["type"]
    ctx = err.get("ctx") or {}
    choices: list[str] | None = None
    hint: str | None = None
    if etype == "extra_forbidden":
        parent_loc = err["loc"][:-1]
        valid = _valid_keys(parent_loc)
        close = difflib.get_close_matches(loc[-1], valid, n=1)
        choices = valid
        msg = f"{source}: unknown key {key!r}"
        hint = f"did you mean {close[0]!r}?" if close else "remove the key"
    elif etype == "missing" and key in _PLATFORM_TABLES:
        # Every build describes both SDKs; name the targets that need this platform's table.
        platform, example = _PLATFORM_TABLES[key]
        targets = raw.get("targets")
        targets = targets if isinstance(targets, list) else []
        load_runtimes()
        shipping = [t for t in targets if isinstance(t, str) and t in TARGETS and key in TARGETS.get(t).platforms]
        msg = f"{source}: required key {key!r} is missing"
        if shipping:
            msg += f"; targets that ship on {platform}: {', '.join(map(repr, shipping))}"
        hint = f"add a [{key}] table with {example} (every config names both SDKs)"
    elif etype == "missing":
        msg = f"{source}: required key {key!r} is missing"
        hint = f"add {loc[-1]} = ... under [{'.'.join(loc[:-1])}]" if len(loc) > 1 else f"add a [{key}] table"
    elif etype == "literal_error":
        expected = ctx.get("expected", "")
        choices = [c.strip().strip("'") for c in str(expected).replace(" or ", ",").split(",") if c.strip()]
        msg = f"{source}: {key} = {_shown(value)} is not a valid choice"
        hint = _FIELD_HINTS.get(key, "pick one of the valid choices")
    elif etype == "value_error":
        orig = ctx.get("error")
        if isinstance(orig, _Combination):
            return ConfigError(f"{source}: {orig}", hint=orig.hint, choices=orig.choices)
        msg = f"{source}: {key} = {_shown(value)} is invalid: {err['msg'].removeprefix('Value error, ')}"
        if key.startswith("targets"):
            load_runtimes()
            choices = TARGETS.names()
        elif key.endswith(".recipe"):
            choices = QUANTIZATIONS.names()
        hint = _FIELD_HINTS.get(key.split("[")[0], "fix the value as described")
    else:
        # pydantic names the section's class ("instance of LitertSection"); the file only knows tables.
        what = "Input should be a table" if etype == "model_type" else err["msg"]
        msg = f"{source}: {key} = {_shown(value)}: {what}"
        wanted = _TYPE_WORDS.get(etype)
        hint = f"write {key} as {wanted}" if wanted else "see the commented sample in samples/tiny-llm/sdkgen.toml"
    return ConfigError(msg, hint=hint, choices=choices)


def _shown(value: Any, limit: int = 160) -> str:
    """``repr(value)``, cut to ``limit`` characters with the full length named (a 5,000-character value
    would bury the message)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _lookup(raw: Any, loc: tuple[Any, ...]) -> Any:
    cur = raw
    for part in loc:
        if (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and part < len(cur)
        ):
            cur = cur[part]
        else:
            return None
    return cur


def _valid_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = BuildConfig
    for part in loc:
        field = model.model_fields.get(str(part))
        ann = field.annotation if field else None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            break
    return sorted(k for k in model.model_fields if k != "root")
