"""What both platform generators share: choosing the artifact, copying model files, the result type."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen import __version__
from sdkgen.errors import StageError
from sdkgen.runtimes import TARGETS, TargetInfo, load_runtimes
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


def template_dirs(platform: str, info: TargetInfo, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """``core`` (platform-neutral code that compiles on this machine), the platform's shared files where it
    has them (``library``), then the runtime binding; a later folder overrides an earlier one."""
    dirs = [root / platform / "core", root / platform / "library", root / platform / info.binding.templates]
    return [d for d in dirs if d.is_dir()]


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
    dirs = template_dirs(platform, info, templates_root)
    written = render_tree(dirs, view, out)
    core = sorted(f for f, root in written.items() if root == dirs[0])
    (out / model_dir).mkdir(parents=True, exist_ok=True)
    for name, src in sorted(files.items()):
        shutil.copyfile(src, out / model_dir / name)
    all_files = sorted([*written, *(model_dir / n for n in files)])
    return GeneratedSdk(platform, tuple(all_files), tuple(core), artifact.target)
