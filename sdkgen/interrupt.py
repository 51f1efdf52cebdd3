"""Ctrl-C and SIGTERM that are never lost.

:func:`handle_signals` makes SIGINT and SIGTERM raise :class:`Interrupted` (a ``KeyboardInterrupt``, so every
``finally`` runs: temporary folders are removed, compiler subprocesses killed) and notes the signal. A library
that catches the exception (a bare ``except:`` in an import hook, a converter's own retry loop) cannot make the
build carry on as if nothing happened: :func:`raise_pending` raises it again, and the pipeline calls it at
every stage boundary and before the output is moved into place.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

_pending: int | None = None


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM (``signum``) arrived during the build."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _handler(signum: int, frame: Any) -> None:
    global _pending
    _pending = signum
    raise Interrupted(signum)


def handle_signals() -> Callable[[], None]:
    """Install the handlers (main thread only, and only over handlers set from Python); returns the undo."""
    global _pending
    _pending = None
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    changed = {s: h for s, h in previous.items() if h is not None}
    for s in changed:
        signal.signal(s, _handler)

    def undo() -> None:
        for s, h in changed.items():
            signal.signal(s, h)

    return undo


def raise_pending() -> None:
    """Raise :class:`Interrupted` again if a signal arrived and its first exception was swallowed."""
    if _pending is not None:
        raise Interrupted(_pending)
