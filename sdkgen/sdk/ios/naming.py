"""Swift names and literals. Keywords: docs.swift.org "Lexical Structure" (Swift 6), grouped by use."""

from __future__ import annotations

from sdkgen.sdk.naming import comment_text, quoted, upper_camel

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


#: Modules a generated package imports (Swift, Foundation, the runtimes' products): a module of the same name
#: would shadow them.
IMPORTED_MODULES = frozenset(
    {
        "Swift",
        "Foundation",
        "XCTest",
        "CoreML",
        "CoreVideo",
        "CoreGraphics",
        "PackageDescription",
        "ExecuTorch",
        "ExecuTorchLLM",
    }
)


def check_module(name: str) -> str | None:
    """Why ``name`` cannot be a generated Swift module, or ``None``: a keyword (``import class`` does not
    parse) or the name of a module the package imports."""
    if name in KEYWORDS:
        return f"{name!r} is a Swift keyword (`import {name}` does not parse)"
    if name in IMPORTED_MODULES:
        return f"{name!r} is the name of a module the generated package imports"
    return None


#: Member names that shadow what a type's own code needs (``self`` in an initializer); renamed, not escaped.
RENAMED_MEMBERS = frozenset({"self", "Self", "super", "init", "Type", "Protocol"})


def type_name(name: str) -> str:
    """An UpperCamel Swift type name for ``name``; prefixed when it is empty, digit-led or reserved."""
    s = upper_camel(name) or "Model"
    if s[0].isdigit() or s in RESERVED_TYPES or s in KEYWORDS:
        s = "Model" + s
    return s


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def string_literal(s: str) -> str:
    """A Swift string literal; the backslash is escaped, which also defuses ``\\(`` interpolation."""
    return quoted(s, _ESCAPES, lambda cp: f"\\u{{{cp:x}}}")


def doc_text(s: str) -> str:
    """Text safe inside a ``///`` or ``//`` comment on one line (:func:`~sdkgen.sdk.naming.comment_text`)."""
    return comment_text(s)
