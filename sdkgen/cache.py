"""A content-addressed stage cache.

Each stage result lives in ``<root>/<stage>/<key>/`` and counts only once ``done.json`` exists, which is
written last after the outputs were written into a temporary folder and renamed into place. Keys are
sha256 digests of everything a stage's output depends on (:func:`key`).

Kills and concurrency: an entry appears in one ``rename`` of a complete folder, so a build killed at any
point (SIGKILL included) leaves either no entry or a complete one. Its temporary folder
(``<stage>/.<key>.tmp-<host>-<pid>-<start time>-*``) is ignored by :meth:`StageCache.lookup` and removed by
the next write into that stage once its process is gone. Two builds writing the same key at once both compute
it; the first rename wins and the other discards its copy, so a complete entry is never replaced or deleted
while another build may be reading it. Folders that must go are first renamed into ``<root>/.trash/`` (one
atomic step), then deleted.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
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
        self._swept: set[Path] = set()

    def lookup(self, stage: str, k: str) -> Path | None:
        d = self.root / stage / k
        return d if (d / "done.json").is_file() else None

    def meta(self, stage: str, k: str) -> dict[str, Any]:
        return json.loads((self.root / stage / k / "done.json").read_text())

    @contextmanager
    def write(self, stage: str, k: str) -> Iterator[tuple[Path, dict[str, Any]]]:
        """Yield a temporary folder and a metadata dict; on success both are committed under the key (unless
        another build committed the same key first: its entry is kept and this copy discarded)."""
        final = self.root / stage / k
        final.parent.mkdir(parents=True, exist_ok=True)
        self._sweep(final.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{k}.tmp-{_owner()}-", dir=final.parent))
        _LIVE.add(tmp)
        meta: dict[str, Any] = {}
        try:
            yield tmp, meta
            (tmp / "done.json").write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
            self._commit(tmp, final)
        finally:
            _LIVE.discard(tmp)
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _commit(self, tmp: Path, final: Path) -> None:
        for _ in range(5):
            try:
                tmp.rename(final)
                return
            except OSError as e:
                if e.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            if (final / "done.json").is_file():
                return  # another build committed this key first; the caller's ``finally`` drops our copy
            self.discard(final)  # an incomplete folder under the key (not written by this module): set aside
        raise OSError(errno.EEXIST, f"could not commit the stage cache entry {final}")

    def discard(self, path: Path) -> None:
        """Remove ``path`` so that no lookup ever sees it half-deleted: rename it into ``.trash``, then delete."""
        trash = self.root / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        target = trash / f"{path.name}-{_owner()}-{time.time_ns()}"
        try:
            path.rename(target)
        except FileNotFoundError:
            return
        shutil.rmtree(target, ignore_errors=True)

    def _sweep(self, folder: Path) -> None:
        """Once per process and stage folder: delete temporary folders of builds that are gone, and the trash
        (anything in it may be deleted by anyone)."""
        if folder in self._swept:
            return
        self._swept.add(folder)
        for p in folder.glob(".*.tmp-*"):
            if _abandoned(p):
                shutil.rmtree(p, ignore_errors=True)
        trash = self.root / ".trash"
        if trash.is_dir():
            for p in trash.iterdir():
                shutil.rmtree(p, ignore_errors=True)


#: The host part of a temporary folder's owner (a PID means nothing on another host of a shared cache).
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
#: This process's temporary folders still being written.
_LIVE: set[Path] = set()


def _owner() -> str:
    """``<host digest>-<pid>-<process start time>``: who owns a temporary folder. The start time tells a PID
    that was reused by another process since (``0`` where ``/proc`` is missing)."""
    pid = os.getpid()
    return f"{_HOST}-{pid}-{_started(pid) or 0}"


def _started(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux ``/proc/<pid>/stat`` field 22)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _abandoned(tmp: Path) -> bool:
    """Whether the temporary folder ``tmp`` belongs to a process of this host that no longer runs: it ended,
    its PID now names another process, or it is this process, which is not writing it (a PID reused in a new
    container)."""
    owner = tmp.name.partition(".tmp-")[2].split("-")
    if len(owner) < 4 or owner[0] != _HOST or not owner[1].isdigit():
        return False
    pid, started = int(owner[1]), owner[2]
    if pid == os.getpid():
        return tmp not in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return started != "0" and _started(pid) not in (None, started)


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
