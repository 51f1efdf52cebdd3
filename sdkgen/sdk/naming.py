"""Language-neutral name handling: split any model name into words, then case it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping


def words(name: str) -> list[str]:
    """Split ``name`` into ASCII words: ``"tiny-llm v2"`` -> ``["tiny", "llm", "v2"]``.

    Accents are folded (``mañana`` -> ``manana``); other non-ASCII characters separate words.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    parts = re.split(r"[^A-Za-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", folded))
    return [p for p in parts if p]


def upper_camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(name))


def lower_camel(name: str) -> str:
    s = upper_camel(name)
    return s[:1].lower() + s[1:]


def _is_unsafe(ch: str) -> bool:
    """Control characters (C0, DEL, C1) and the Unicode line separators, which break a one-line literal."""
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029"


def quoted(s: str, escapes: Mapping[str, str], unicode_escape: Callable[[int], str]) -> str:
    """``s`` in double quotes, with ``escapes`` applied per character and other unsafe characters written
    with ``unicode_escape(code_point)``. The backslash must be in ``escapes``: it is escaped like the rest,
    character by character, so no escape is ever applied twice."""
    body = "".join(escapes[ch] if ch in escapes else unicode_escape(ord(ch)) if _is_unsafe(ch) else ch for ch in s)
    return '"' + body + '"'
