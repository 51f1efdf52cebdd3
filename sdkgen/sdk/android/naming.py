"""Kotlin names and literals. Keyword lists: kotlinlang.org/docs/keyword-reference.html (Kotlin 2.x)."""

from __future__ import annotations

from sdkgen.sdk.naming import comment_text, quoted, upper_camel

HARD_KEYWORDS = frozenset(
    [
        "as",
        "break",
        "class",
        "continue",
        "do",
        "else",
        "false",
        "for",
        "fun",
        "if",
        "in",
        "interface",
        "is",
        "null",
        "object",
        "package",
        "return",
        "super",
        "this",
        "throw",
        "true",
        "try",
        "typealias",
        "typeof",
        "val",
        "var",
        "when",
        "while",
    ]
)
#: Names the generated library defines itself, or that would shadow what its code uses.
RESERVED_TYPES = frozenset(
    {
        "Any",
        "Unit",
        "Nothing",
        "String",
        "Int",
        "Flow",
        "Context",
        "LlmModule",
        "LlmCallback",
        "GenerationSettings",
        "GenerationStats",
    }
)


def type_name(name: str) -> str:
    """An UpperCamel Kotlin class name for ``name``; prefixed when it is empty, digit-led or reserved."""
    s = upper_camel(name) or "Model"
    if s[0].isdigit() or s in RESERVED_TYPES or s in HARD_KEYWORDS:
        s = "Model" + s
    return s


def check_package(package: str) -> str | None:
    """Return why ``package`` cannot be a Kotlin package, or ``None`` when it can."""
    bad = [seg for seg in package.split(".") if seg in HARD_KEYWORDS]
    return f"segment {bad[0]!r} is a Kotlin keyword" if bad else None


_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string_literal(s: str) -> str:
    """A Kotlin string literal; ``$`` is escaped so no template expression survives."""
    return quoted(s, _ESCAPES, lambda cp: f"\\u{cp:04x}")


def doc_text(s: str) -> str:
    """Text safe inside a KDoc comment on one line: Kotlin's block comments nest, so both ``*/`` (which would
    end the comment) and ``/*`` (which would open a nested one that swallows the rest of the file) are broken
    up with an HTML entity, which KDoc renders as the character."""
    return comment_text(s).replace("*/", "*&#47;").replace("/*", "&#47;*")
