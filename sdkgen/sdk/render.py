"""Render a template folder with a view: the only place templates meet data.

Contract: files ending in ``.jinja`` are rendered (suffix dropped), other files are copied byte for byte;
path segments are templates too (``{{ package_path }}``). A template with an execute bit gives an executable
file (mode 0755; every other file is written with the process's default mode). A template that renders to
nothing but white space is not written (a file only some specs need, e.g. a test of a core part the spec does
not use). The environment is strict (undefined names are errors), keeps trailing newlines and does no HTML
escaping: views hand templates names and literals that are already escaped for the target language. Output is
deterministic: files are written in sorted order with ``\\n`` line endings and no timestamps.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2

from sdkgen.errors import StageError


def _templates_root() -> Path:
    """The template folder: ``sdkgen/_templates`` in an installed wheel (setup.py maps the repository's top-level
    ``templates/`` onto that package), else ``templates/`` beside the ``sdkgen`` package (a source checkout or an
    editable install, which import ``sdkgen`` from the checkout)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "_templates"
    return installed if installed.is_dir() else package.parent / "templates"


#: Where every template folder lives (see :func:`_templates_root`).
TEMPLATES_ROOT = _templates_root()


def environment(root: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_tree(template_dirs: list[Path], view: Mapping[str, Any], out: Path) -> dict[PurePosixPath, Path]:
    """Render every file of ``template_dirs`` (in order; a later folder's file with the same relative
    path overrides an earlier one) into ``out``. Returns each written relative path (sorted) with the
    template folder it came from."""
    sources: dict[PurePosixPath, tuple[Path, Path]] = {}
    for root in template_dirs:
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            sources[PurePosixPath(f.relative_to(root).as_posix())] = (root, f)
    written: dict[PurePosixPath, Path] = {}
    for rel, (root, f) in sorted(sources.items()):
        target = PurePosixPath(*(_render_string(part, view, rel) for part in rel.parts))
        if target.suffix == ".jinja":
            target = target.with_suffix("")
            try:
                text = environment(root).get_template(rel.as_posix()).render(**view)
            except jinja2.TemplateError as e:
                raise StageError(
                    f"template {root.name}/{rel} failed to render: {e}",
                    hint="templates may only use the view's fields; see sdkgen/sdk/<platform>/view.py",
                ) from e
            if not text.strip():
                continue
            dest = out / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8", newline="\n")
        else:
            dest = out / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
        if f.stat().st_mode & stat.S_IXUSR:
            dest.chmod(0o755)
        written[target] = root
    return written


def _render_string(s: str, view: Mapping[str, Any], rel: PurePosixPath) -> str:
    if "{{" not in s:
        return s
    try:
        return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(s).render(**view)
    except jinja2.TemplateError as e:
        raise StageError(f"template path {rel} failed to render: {e}", hint="check the view's path fields") from e
