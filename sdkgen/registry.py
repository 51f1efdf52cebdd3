"""A generic name -> plug-in registry that fails with the valid names.

Plug-ins register themselves in the package that implements them (``runtimes/executorch/__init__.py``
registers its targets), so there is no central table to keep in sync.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from sdkgen.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to plug-ins of one kind (``kind`` is used in error messages)."""

    def __init__(self, kind: str, *, hint: str | None = None) -> None:
        self.kind = kind
        self._hint = hint
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T, *, override: bool = False) -> T:
        """Register ``item`` under ``name``; a second registration is an error unless ``override``."""
        if name in self._items and not override:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def decorator(item: T) -> T:
            return self.add(name, item)

        return decorator

    def get(self, name: str) -> T:
        """Return the plug-in called ``name`` or raise :class:`UnknownNameError` listing valid names."""
        try:
            return self._items[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._items, n=1)
            hint = f"did you mean {close[0]!r}?" if close else self._hint
            raise UnknownNameError(f"unknown {self.kind} {name!r}", choices=self._items, hint=hint) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
