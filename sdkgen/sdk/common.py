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
        if info.ships(platform, spec.task):
            return a, info
    raise StageError(
        f"no artifact of {spec.name!r} can ship on {platform}",
        hint=f"add a target that serves {platform} to `targets` in sdkgen.toml",
    )


def engines_for(spec: ModelSpec, platform: str) -> list[tuple[ArtifactSpec, TargetInfo]]:
    """Every artifact whose target ships on ``platform``, in config order (the first is the default)."""
    load_runtimes()
    return [(a, TARGETS.get(a.target)) for a in spec.artifacts if TARGETS.get(a.target).ships(platform, spec.task)]


def template_dirs(platform: str, task: str, info: TargetInfo, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """A single-binding SDK (text generation), in override order: the platform-neutral core
    (``core/common``, ``core/<task>``: code that compiles on this machine), the platform's shared files
    (``library``), then the runtime binding (``<binding>/common``, ``<binding>/<task>``)."""
    dirs = [*shared_dirs(platform, task, root)[:3], *binding_dirs(platform, task, info, root)]
    return [d for d in dirs if d.is_dir()]


def shared_dirs(platform: str, task: str, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """The folders rendered once per SDK: ``core/common``, ``core/<task>`` (a task built on tensors,
    :data:`~sdkgen.runtimes.base.TENSOR_TASKS`, also gets ``core/tensor``: typed tensors and the engine
    interface), ``library``, then the public API over the engines (``api/common``, ``api/<task>``)."""
    tasks = ["tensor", task] if task in TENSOR_TASKS and task != "tensor" else [task]
    dirs = [
        root / platform / "core" / "common",
        *(root / platform / "core" / t for t in tasks),
        root / platform / "library",
    ]
    if task in TENSOR_TASKS:
        dirs += [root / platform / "api" / "common", root / platform / "api" / task]
    return [d for d in dirs if d.is_dir()]


def binding_dirs(platform: str, task: str, info: TargetInfo, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """The folders rendered once per engine: ``<binding>/common`` and ``<binding>/<task>`` (``tensor`` for
    every tensor-shaped task)."""
    b = info.binding.templates
    t = "tensor" if task in TENSOR_TASKS else task
    return [d for d in (root / platform / b / "common", root / platform / b / t) if d.is_dir()]


def engine_suffix(info: TargetInfo) -> str:
    """``executorch:xnnpack`` -> ``ExecutorchXnnpack``: the engine class suffix and backend case."""
    return "".join(part[:1].upper() + part[1:] for part in (info.runtime, info.delegate))


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
    ``out/model_dir`` (the Android assets or the Swift package resources).

    Text generation renders one binding. A tensor-shaped task renders the shared folders once and each
    engine's binding folders with ``view`` updated by that engine's entry of ``view["engines"]``."""
    artifact, info = artifact_for(spec, platform)
    if spec.task in TENSOR_TASKS:
        dirs = shared_dirs(platform, spec.task, templates_root)
        written = render_tree(dirs, view, out)
        for engine in view["engines"]:
            bdirs = binding_dirs(platform, spec.task, TARGETS.get(engine["target"]), templates_root)
            written.update(render_tree(bdirs, {**view, **engine}, out))
    else:
        dirs = template_dirs(platform, spec.task, info, templates_root)
        written = render_tree(dirs, view, out)
    core_roots = {d for d in dirs if d.parent.name == "core"}
    core = sorted(f for f, root in written.items() if root in core_roots)
    (out / model_dir).mkdir(parents=True, exist_ok=True)
    for name, src in sorted(files.items()):
        copy_path(src, out / model_dir / name)
    all_files = sorted([*written, *(model_dir / n for n in files)])
    return GeneratedSdk(platform, tuple(all_files), tuple(core), artifact.target)
