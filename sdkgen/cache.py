"""A content-addressed stage cache.

Each stage result lives in ``<root>/<stage>/<key>/`` and counts only once ``done.json`` exists, which is
written last after the outputs were written into a temporary folder and renamed into place. Keys are
sha256 digests of everything a stage's output depends on (:func:`key`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def key(*parts: Any) -> str:
    """A stable digest of JSON-able ``parts`` (dicts are key-sorted)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def default_root() -> Path:
    env = os.environ.get("SDKGEN_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sdkgen" / "stages"


class StageCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def lookup(self, stage: str, k: str) -> Path | None:
        d = self.root / stage / k
        return d if (d / "done.json").is_file() else None

    def meta(self, stage: str, k: str) -> dict[str, Any]:
        return json.loads((self.root / stage / k / "done.json").read_text())

    @contextmanager
    def write(self, stage: str, k: str) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Yield a temporary folder and a metadata dict; on success both are committed under the key."""
        final = self.root / stage / k
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{k}.", dir=final.parent))
        meta: dict[str, Any] = {}
        try:
            yield tmp, meta
            (tmp / "done.json").write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
            if final.exists():
                shutil.rmtree(final)
            tmp.rename(final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


def path_digest(path: Path) -> tuple[str, int]:
    """sha256 and byte size of a file, or of a folder artifact (``.mlpackage``): its files' relative
    paths and contents in sorted order."""
    if path.is_file():
        return _file_sha256(path).hexdigest(), path.stat().st_size
    h, size = hashlib.sha256(), 0
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(f.relative_to(path).as_posix().encode() + b"\0" + _file_sha256(f).digest())
        size += f.stat().st_size
    return h.hexdigest(), size


def _file_sha256(path: Path) -> Any:
    """sha256 of a file, read in chunks (a model file is never held in memory whole)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256")


def copy_path(src: Path, dst: Path) -> None:
    """Copy a file or a folder artifact to ``dst``."""
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copyfile(src, dst)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary sibling renamed into place: readers see the
    old file or the new one, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
