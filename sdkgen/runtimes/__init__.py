"""Runtimes that lower a model for phones. Each subpackage registers its targets on import."""

from __future__ import annotations

import importlib
import pkgutil

from sdkgen.runtimes.base import TARGETS, TargetInfo

__all__ = ["TARGETS", "TargetInfo", "load_runtimes"]

_loaded = False


def load_runtimes() -> None:
    """Import every runtime subpackage so that it registers its targets (cheap: no torch import)."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg:
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
