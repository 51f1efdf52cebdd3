"""The output folder ``<out>/<name>``: one build at a time, replaced in one step, recovered after a kill.

- :func:`output_lock` holds an advisory lock (``fcntl.flock``) on ``<out>/.<name>.lock`` for a whole build.
  A second build of the same name into the same folder waits up to ``timeout`` seconds for it, then raises
  :class:`~sdkgen.errors.OutputBusy` (exit 8) naming the folder and the process holding the lock. The lock
  dies with its process (the kernel releases it, even on SIGKILL), so a killed build never leaves a lock
  that blocks the next one. The lock file holds the holder's PID and is removed when the lock is released.
- :func:`swap_into_place` replaces ``final`` by a complete ``staging`` folder. On Linux this is one
  ``renameat2(RENAME_EXCHANGE)``: a reader sees the old folder or the new one, whenever the build is killed.
  Elsewhere (or on a file system without it) ``final`` is renamed to ``.<name>.old-<ns>`` and ``staging`` to
  ``final``; a kill between the two leaves no ``final``, which :func:`recover` puts back.
- :func:`recover` runs under the lock at the start of every build: it restores ``.<name>.old-*`` when
  ``<name>`` is missing and removes what a killed build left behind (staging folders, old copies).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import os
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sdkgen.errors import OutputBusy, OutputPathError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def lock_path(out_root: Path, name: str) -> Path:
    return out_root / f".{name}.lock"


@contextlib.contextmanager
def output_lock(
    out_root: Path, name: str, *, timeout: float = 0.0, log: Callable[[str], None] | None = None
) -> Iterator[Path]:
    """Hold the lock of ``out_root/name`` for the ``with`` block; yields the lock file's path.

    Waits up to ``timeout`` seconds (0: not at all) for another holder, then raises ``OutputBusy``.
    ``out_root`` is created if missing, and removed again on release when this call created it and it is
    still empty (a build that failed early leaves no trace)."""
    path = lock_path(out_root, name)
    created = not out_root.exists()
    deadline = time.monotonic() + max(timeout, 0.0)
    announced = False
    while True:
        try:
            out_root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:  # the folder was removed by a build releasing its lock: make it again
            continue
        except OSError as e:
            raise OutputPathError(
                f"cannot write the output folder {str(out_root)!r}: {e.strerror}",
                hint="pass --out a folder this user can write (it is created if missing)",
            ) from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _holder(path)
            if time.monotonic() >= deadline:
                raise _busy(out_root / name, path, holder, timeout) from None
            if not announced and log is not None:
                log(f"[lock] {out_root / name} is being built by {holder}; waiting up to {timeout:g}s")
                announced = True
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0.01)))
            continue
        # The previous holder unlinks the file before releasing it: a lock on an unlinked file guards nothing.
        try:
            same = os.path.samestat(os.fstat(fd), path.stat())
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        if created:
            with contextlib.suppress(OSError):
                out_root.rmdir()
        os.close(fd)


def _holder(path: Path) -> str:
    """Who holds the lock, from the PID and host the holder wrote into the lock file."""
    try:
        pid, _, host = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        pid, host = "", ""
    if not pid.isdigit():
        return "another sdkgen build (its PID is not written yet)"
    where = "" if host in ("", socket.gethostname()) else f" on host {host}"
    return f"another sdkgen build (pid {pid}{where})"


def _busy(dest: Path, path: Path, holder: str, timeout: float) -> OutputBusy:
    waited = f" after waiting {timeout:g}s" if timeout > 0 else ""
    return OutputBusy(
        f"output folder {str(dest)!r} is in use{waited}: {holder} holds its lock {str(path)!r}",
        hint="wait for that build to finish, build into another --out folder, or pass --lock-timeout SECONDS "
        "to wait for the lock (two builds of one output never run at once)",
    )


def recover(out_root: Path, name: str, log: Callable[[str], None] | None = None) -> None:
    """Undo what a killed build of ``name`` left in ``out_root``; call it only while holding the lock.

    For ``<name>`` and ``<name>.rejected``: if the folder is missing but an ``.<folder>.old-*`` copy exists
    (a kill between the two renames of the fallback swap), the newest copy is renamed back; the other copies
    and every ``.<name>.staging-*`` folder are removed."""
    if not out_root.is_dir():
        return
    for folder in (name, f"{name}.rejected"):
        dest = out_root / folder
        olds = sorted(out_root.glob(f".{glob.escape(folder)}.old-*"), key=lambda p: p.name)
        if olds and not dest.exists():
            olds.pop().rename(dest)
            if log is not None:
                log(f"[recover] restored {dest} (a build was killed while replacing it)")
        for p in olds:
            shutil.rmtree(p, ignore_errors=True)
    for p in out_root.glob(f".{glob.escape(name)}.staging-*"):
        shutil.rmtree(p, ignore_errors=True)


def swap_into_place(staging: Path, final: Path) -> None:
    """Make the complete folder ``staging`` become ``final``, replacing what was there; see the module
    docstring. SIGINT and SIGTERM are held back during the swap (SIGKILL cannot be: :func:`recover`)."""
    with _signals_deferred():
        if final.is_dir() and exchange(staging, final):
            old = staging  # after the exchange it holds the previous output
        else:
            old = None
            if final.exists():
                old = final.with_name(f".{final.name}.old-{time.time_ns()}")
                final.rename(old)
            staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` atomically (Linux ``renameat2(RENAME_EXCHANGE)``); ``False`` when the
    platform or the file system cannot, and nothing was changed."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the block: they are noted and raised again when it ends (only the
    main thread can change Python's handlers; elsewhere the block runs as is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    if any(h is None for h in previous.values()):  # a handler installed outside Python cannot be restored
        yield
        return
    for s in previous:
        signal.signal(s, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        for signum in caught:
            signal.raise_signal(signum)
