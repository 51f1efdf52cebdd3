"""Language-neutral name handling: split any model name into words, then case it."""

from __future__ import annotations

import re
import unicodedata


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
