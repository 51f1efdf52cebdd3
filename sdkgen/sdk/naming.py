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


#: Unicode's explicit bidirectional formatting characters: harmless to a compiler, but in source text they
#: can make code read differently from what it does ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_unsafe(ch: str) -> bool:
    """Control characters (C0, DEL, C1), the Unicode line separators, which break a one-line literal, and
    the bidirectional controls (:data:`BIDI_CONTROLS`)."""
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029" or ch in BIDI_CONTROLS


def comment_text(s: str) -> str:
    """``s`` on one line for a line comment (``//``, ``#``, ``///``): white space runs (line breaks included)
    become one space, and other unsafe characters (:func:`_is_unsafe`) are written ``U+XXXX``."""
    return "".join(f"U+{ord(ch):04X}" if _is_unsafe(ch) else ch for ch in " ".join(s.split()))


#: What Markdown (CommonMark, GitHub's tables, strikethrough and math) gives a meaning inside a line of text.
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>&|#!~$")


def markdown_text(s: str) -> str:
    """``s`` as literal text inside a Markdown paragraph or table cell: on one line (:func:`comment_text`),
    every character Markdown could read as markup (emphasis, links, HTML, entities, tables, math) escaped with a
    backslash."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in comment_text(s))


def quoted(s: str, escapes: Mapping[str, str], unicode_escape: Callable[[int], str]) -> str:
    """``s`` in double quotes, with ``escapes`` applied per character and other unsafe characters written
    with ``unicode_escape(code_point)``. The backslash must be in ``escapes``: it is escaped like the rest,
    character by character, so no escape is ever applied twice."""
    body = "".join(escapes[ch] if ch in escapes else unicode_escape(ord(ch)) if _is_unsafe(ch) else ch for ch in s)
    return '"' + body + '"'


def markdown_table_code(s: str) -> str:
    """``s`` as a code span in a cell of a GitHub Markdown table: on one line (:func:`comment_text`), fenced by
    one backtick more than its longest run of backticks (padded with a space when it starts or ends with one),
    and ``|`` written ``\\|``, which GitHub's tables read as a literal pipe even inside code."""
    text = comment_text(s).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    fence = "`" * (longest + 1)
    return f"{fence}{pad}{text}{pad}{fence}"
