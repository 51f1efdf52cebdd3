"""A small lexer for generated Kotlin and Swift: it finds every string literal and comment the way the
compilers do (nested block comments, ``$``/``${}`` templates and ``\\(...)`` interpolation, raw and multi-line
strings, Kotlin character literals) and returns the plain literals unescaped. A hostile string that escaped
its literal shows up as a literal that is not plain, a different value, or a source that ends inside a
comment or a string."""

from __future__ import annotations

import re


class LexError(AssertionError):
    pass


_KOTLIN_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "'": "'", '"': '"', "\\": "\\", "$": "$"}
_SWIFT_ESCAPES = {"0": "\0", "\\": "\\", "t": "\t", "n": "\n", "r": "\r", '"': '"', "'": "'"}


def string_literals(src: str, language: str) -> list[str]:
    """The plain (template-free) one-line string literals of ``src``, unescaped, in order."""
    return [v for v in _Lexer(src, language).run() if v is not None]


class _Lexer:
    def __init__(self, src: str, language: str) -> None:
        assert language in ("kotlin", "swift")
        self.s, self.lang, self.i = src, language, 0

    def run(self) -> list[str | None]:
        out: list[str | None] = []
        s, n = self.s, len(self.s)
        while self.i < n:
            if s.startswith("//", self.i):
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            elif s.startswith("/*", self.i):
                self._block_comment()
            elif s.startswith('"""', self.i):
                self._multiline()
            elif self.lang == "swift" and re.match(r'#+"', s[self.i :]):
                hashes = re.match(r"#+", s[self.i :]).group()  # type: ignore[union-attr]
                end = s.find('"' + hashes, self.i + len(hashes) + 1)
                if end < 0:
                    raise LexError(f"unterminated raw string at {self.i}")
                self.i = end + 1 + len(hashes)
            elif s[self.i] == '"':
                out.append(self._string())
            elif self.lang == "kotlin" and s[self.i] == "'":
                m = re.match(r"'(\\u[0-9a-fA-F]{4}|\\.|[^'\\\n])'", s[self.i :])
                if m is None:
                    raise LexError(f"bad character literal at {self.i}: {s[self.i : self.i + 10]!r}")
                self.i += m.end()
            else:
                self.i += 1
        return out

    def _block_comment(self) -> None:
        depth, s = 0, self.s
        while True:
            if self.i >= len(s):
                raise LexError("source ends inside a block comment")
            if s.startswith("/*", self.i):
                depth, self.i = depth + 1, self.i + 2
            elif s.startswith("*/", self.i):
                depth, self.i = depth - 1, self.i + 2
                if depth == 0:
                    return
            else:
                self.i += 1

    def _multiline(self) -> None:
        end = self.s.find('"""', self.i + 3)
        if end < 0:
            raise LexError("source ends inside a multi-line string")
        self.i = end + 3
        while self.s.startswith('"', self.i):  # Kotlin: a raw string may end with extra quotes
            self.i += 1

    def _string(self) -> str | None:
        """A one-line literal starting at ``self.i``: its value, or ``None`` when it interpolates."""
        s, self.i = self.s, self.i + 1
        value, plain = [], True
        while True:
            if self.i >= len(s) or s[self.i] in "\n\r":
                raise LexError(f"string literal not closed on its line (at {self.i})")
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(value) if plain else None
            if c == "\\":
                nxt = s[self.i + 1]
                if self.lang == "kotlin" and nxt == "u":
                    value.append(chr(int(s[self.i + 2 : self.i + 6], 16)))
                    self.i += 6
                elif self.lang == "swift" and nxt == "u":
                    m = re.match(r"\\u\{([0-9a-fA-F]{1,8})\}", s[self.i :])
                    if m is None:
                        raise LexError(f"bad unicode escape at {self.i}")
                    value.append(chr(int(m.group(1), 16)))
                    self.i += m.end()
                elif self.lang == "swift" and nxt == "(":
                    plain = False
                    self.i += 1
                    self._nested("(", ")")
                else:
                    table = _KOTLIN_ESCAPES if self.lang == "kotlin" else _SWIFT_ESCAPES
                    if nxt not in table:
                        raise LexError(f"invalid escape \\{nxt} at {self.i}")
                    value.append(table[nxt])
                    self.i += 2
            elif self.lang == "kotlin" and c == "$" and self.i + 1 < len(s) and (s[self.i + 1] == "{"):
                plain = False
                self.i += 1
                self._nested("{", "}")
            elif self.lang == "kotlin" and c == "$" and re.match(r"[A-Za-z_`]", s[self.i + 1 : self.i + 2]):
                plain = False
                self.i += 1
            else:
                value.append(c)
                self.i += 1

    def _nested(self, open_: str, close: str) -> None:
        """Skip an interpolated expression starting at ``open_`` (strings inside it are lexed too)."""
        depth, s = 0, self.s
        while True:
            if self.i >= len(s):
                raise LexError("source ends inside an interpolation")
            c = s[self.i]
            if c == '"':
                self._string()
                continue
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return
            self.i += 1
