"""What both platform generators share: choosing the artifact, copying model files, the result type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen import __version__
from sdkgen.cache import copy_path
from sdkgen.errors import StageError
from sdkgen.runtimes import TARGETS, TargetInfo, load_runtimes
from sdkgen.runtimes.base import TENSOR_TASKS
from sdkgen.sdk.render import TEMPLATES_ROOT, render_tree
from sdkgen.spec import ArtifactSpec, ModelSpec

GENERATOR = f"sdkgen {__version__}"


@dataclass(frozen=True)
class GeneratedSdk:
    """Files written under the SDK folder; ``core`` are those from the platform-neutral core templates."""

    platform: str
    files: tuple[PurePosixPath, ...]
    core: tuple[PurePosixPath, ...]
    target: str


def artifact_for(spec: ModelSpec, platform: str) -> tuple[ArtifactSpec, TargetInfo]:
    """The first artifact whose target ships on ``platform`` (config order)."""
    load_runtimes()
    for a in spec.artifacts:
        info = TARGETS.get(a.target)
        if platform in info.platforms:
            return a, info
    raise StageError(
        f"no artifact of {spec.name!r} can ship on {platform}",
        hint=f"add a target that serves {platform} to `targets` in sdkgen.toml",
    )


def template_dirs(platform: str, task: str, info: TargetInfo, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """In override order: the platform-neutral core (``core/common``, ``core/<task>``: code that compiles on
    this machine), the platform's shared files (``library``), the runtime binding (``<binding>/common``,
    ``<binding>/<task>``), then the task's public API over the binding (``api/<task>``). A task built on
    tensors (:data:`~sdkgen.runtimes.base.TENSOR_TASKS`) also gets the ``tensor`` core and binding: its
    API wraps the tensor-level class (``engine`` in the view). A later folder's file overrides an earlier
    one's."""
    b = info.binding.templates
    tasks = ["tensor", task] if task in TENSOR_TASKS and task != "tensor" else [task]
    dirs = [
        root / platform / "core" / "common",
        *(root / platform / "core" / t for t in tasks),
        root / platform / "library",
        root / platform / b / "common",
        *(root / platform / b / t for t in tasks),
        root / platform / "api" / task,
    ]
    return [d for d in dirs if d.is_dir()]


def engine_name(spec: ModelSpec, class_name: str) -> str:
    """The tensor-level class: the public class itself for the ``tensor`` task, else ``<Class>Model``
    under the task's API class."""
    return class_name if spec.task == "tensor" else f"{class_name}Model"


def golden_view(spec: ModelSpec, literal: Callable[[str], str]) -> list[dict[str, Any]]:
    """The golden cases as the device tests need them, strings already written as ``literal``s."""
    return [
        {"prompt": literal(g.prompt), "expected": literal(g.output_text), "max_new_tokens": max(1, len(g.output_ids))}
        for g in spec.golden
    ]


def generate_sdk(
    platform: str,
    spec: ModelSpec,
    view: dict[str, Any],
    files: dict[str, Path],
    out: Path,
    model_dir: PurePosixPath,
    templates_root: Path = TEMPLATES_ROOT,
) -> GeneratedSdk:
    """Render ``platform``'s templates with ``view`` into ``out`` and copy ``files`` (name -> path) into
    ``out/model_dir`` (the Android assets or the Swift package resources)."""
    artifact, info = artifact_for(spec, platform)
    dirs = template_dirs(platform, spec.task, info, templates_root)
    written = render_tree(dirs, view, out)
    core_roots = {d for d in dirs if d.parent.name == "core"}
    core = sorted(f for f, root in written.items() if root in core_roots)
    (out / model_dir).mkdir(parents=True, exist_ok=True)
    for name, src in sorted(files.items()):
        copy_path(src, out / model_dir / name)
    all_files = sorted([*written, *(model_dir / n for n in files)])
    return GeneratedSdk(platform, tuple(all_files), tuple(core), artifact.target)
