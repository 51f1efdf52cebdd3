"""What both platform generators share: choosing the artifact, copying model files, the result type."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sdkgen import __version__
from sdkgen.errors import StageError
from sdkgen.runtimes import TARGETS, TargetInfo, load_runtimes
from sdkgen.sdk.render import TEMPLATES_ROOT
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


def copy_files(files: dict[str, Path], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name, src in sorted(files.items()):
        shutil.copyfile(src, dest / name)
