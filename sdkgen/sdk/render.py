"""Render a template folder with a view: the only place templates meet data.

Contract: files ending in ``.jinja`` are rendered (suffix dropped), other files are copied byte for byte;
path segments are templates too (``{{ package_path }}``). A template with an execute bit gives an executable
file (mode 0755; every other file is written with the process's default mode). A template that renders to
nothing but white space is not written (a file only some specs need, e.g. a test of a core part the spec does
not use). The environment is strict (undefined names are errors), keeps trailing newlines and does no HTML
escaping: views hand templates names and literals that are already escaped for the target language. Output is
deterministic: files are written in sorted order with ``\\n`` line endings and no timestamps.

Templates are data, not code: every template (ours, and a user's overrides, ``[sdk] templates``) and every
templated path segment is rendered in Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`, so a
template can read the view but cannot reach Python internals (``__class__``, ``__globals__``) or change the
view (``list.append``); such a template fails with a :class:`StageError` naming it. A rendered path must stay
inside the output folder: an empty, ``.`` or ``..`` segment, a separator or a control character in a segment
is refused. A user template folder may hold no symbolic links (they could point outside it). Everything is
rendered in memory first (:func:`render_files`) and written only when every template has rendered
(:func:`write_files`), so a failing template writes nothing.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

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


def environment(root: Path | None = None) -> jinja2.Environment:
    """The sandboxed Jinja environment every template is rendered in (``root``: the folder its loader reads;
    ``None`` for templates given as strings)."""
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(root)) if root is not None else None,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class Rendered:
    """One output file: its ``text`` (a rendered template) or the ``source`` it is copied from, whether it is
    executable, and the template folder it came from."""

    root: Path
    text: str | None
    source: Path | None
    executable: bool


def render_tree(template_dirs: list[Path], view: Mapping[str, Any], out: Path) -> dict[PurePosixPath, Path]:
    """Render every file of ``template_dirs`` (in order; a later folder's file with the same relative
    path overrides an earlier one) into ``out``. Returns each written relative path (sorted) with the
    template folder it came from. Nothing is written when a template fails."""
    files = render_files(template_dirs, view)
    write_files(files, out)
    return {rel: r.root for rel, r in files.items()}


def render_files(
    template_dirs: list[Path], view: Mapping[str, Any], user_dirs: frozenset[Path] = frozenset()
) -> dict[PurePosixPath, Rendered]:
    """Render ``template_dirs`` (see :func:`render_tree`) in memory. ``user_dirs`` are the folders that
    came from a user's ``[sdk] templates`` (named so in errors, and refused when they hold a symbolic link)."""
    sources: dict[PurePosixPath, tuple[Path, Path]] = {}
    for root in template_dirs:
        if root in user_dirs:
            refuse_links(root)
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            sources[PurePosixPath(f.relative_to(root).as_posix())] = (root, f)
    out: dict[PurePosixPath, Rendered] = {}
    for rel, (root, f) in sorted(sources.items()):
        where = _describe(root, rel, user_dirs)
        target = PurePosixPath(*(p for part in rel.parts for p in _render_segment(part, view, where)))
        executable = bool(f.stat().st_mode & stat.S_IXUSR)
        if target.suffix == ".jinja":
            target = target.with_suffix("")
            try:
                text = environment(root).get_template(rel.as_posix()).render(**view)
            except Exception as e:  # a template's own errors: TemplateError, or e.g. OverflowError, ZeroDivisionError
                raise StageError(
                    f"{where} failed to render: {type(e).__name__}: {e}",
                    hint="templates are data: they may only read the view's fields (see sdkgen/sdk/<platform>/"
                    "__init__.py build_view), not Python attributes or methods that change them",
                ) from e
            if not text.strip():
                continue
            out[target] = Rendered(root, text, None, executable)
        else:
            out[target] = Rendered(root, None, f, executable)
    return out


def write_files(files: Mapping[PurePosixPath, Rendered], out: Path) -> None:
    """Write what :func:`render_files` rendered under ``out``, in sorted order."""
    for target, r in sorted(files.items()):
        dest = out / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if r.text is not None:
            dest.write_text(r.text, encoding="utf-8", newline="\n")
        else:
            assert r.source is not None
            shutil.copyfile(r.source, dest)
        if r.executable:
            dest.chmod(0o755)


def _describe(root: Path, rel: PurePosixPath, user_dirs: frozenset[Path]) -> str:
    if root in user_dirs:
        return f"user template {root / rel}"
    return f"template {root.name}/{rel}"


def refuse_links(root: Path) -> None:
    """Refuse (StageError) a user template folder that holds a symbolic link anywhere below it."""
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            raise StageError(
                f"user template folder {root} holds a symbolic link: {p} -> {p.readlink()}",
                hint="copy the file into the templates folder instead of linking it (a link could reach outside it)",
            )


def _render_segment(s: str, view: Mapping[str, Any], where: str) -> list[str]:
    """One path segment of a template's path, rendered: the names it stands for (a view's path field such as
    ``package_path`` may hold ``/``), each refused unless it names one entry inside its folder."""
    text = s
    if "{{" in s or "{%" in s:
        try:
            text = environment().from_string(s).render(**view)
        except Exception as e:  # see render_files
            raise StageError(
                f"the path of {where} failed to render: {type(e).__name__}: {e}",
                hint="check the view's path fields",
            ) from e
    parts = text.split("/")
    for part in parts:
        problem = path_segment_problem(part)
        if problem:
            raise StageError(
                f"the path of {where} renders to {text!r}, whose segment {part!r} {problem}",
                hint="a template path names a file inside the SDK: no '..', '.', '\\', control characters, "
                "absolute paths or empty segments",
            )
    return parts


#: The longest file name most file systems take, in UTF-8 bytes.
MAX_NAME_BYTES = 255


def path_segment_problem(s: str) -> str | None:
    """Why ``s`` cannot be one file or folder name inside a folder (on Linux, macOS or Windows), or ``None``."""
    if s in ("", ".", ".."):
        return "is empty" if not s else "names the current or the parent folder, not a file"
    if "/" in s or "\\" in s:
        return "holds a path separator ('/' or '\\')"
    bad = next((c for c in s if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        return f"holds the control character U+{ord(bad):04X}"
    if len(s.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is {len(s.encode('utf-8'))} bytes long (at most {MAX_NAME_BYTES})"
    return None
