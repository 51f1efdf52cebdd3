"""Swift names and literals. Keywords: docs.swift.org "Lexical Structure" (Swift 6), grouped by use."""

from __future__ import annotations

from sdkgen.sdk.naming import upper_camel

DECLARATION_KEYWORDS = (
    "associatedtype class deinit enum extension fileprivate func import init inout internal let open operator "
    "private precedencegroup protocol public rethrows static struct subscript typealias var"
)
STATEMENT_KEYWORDS = (
    "break case catch continue default defer do else fallthrough for guard if in repeat return throw switch where while"
)
EXPRESSION_KEYWORDS = "Any as await false is nil self Self super throws true try"
KEYWORDS = frozenset(f"{DECLARATION_KEYWORDS} {STATEMENT_KEYWORDS} {EXPRESSION_KEYWORDS}".split())
#: Standard-library and Foundation names a generated type must not shadow, plus the library's own types.
RESERVED_TYPES = frozenset(
    {
        "Type",
        "Protocol",
        "String",
        "Int",
        "Error",
        "Data",
        "URL",
        "Bundle",
        "Task",
        "Result",
        "Config",
        "TextRunner",
        "GenerationSettings",
        "GenerationStats",
    }
)


def type_name(name: str) -> str:
    """An UpperCamel Swift type name for ``name``; prefixed when it is empty, digit-led or reserved."""
    s = upper_camel(name) or "Model"
    if s[0].isdigit() or s in RESERVED_TYPES or s in KEYWORDS:
        s = "Model" + s
    return s


def string_literal(s: str) -> str:
    """A Swift string literal: backslash first (which also defuses ``\\(``), quote, control characters."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\0":
            out.append("\\0")
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def doc_text(s: str) -> str:
    """Text safe inside a ``///`` comment on one line."""
    return " ".join(s.split())
