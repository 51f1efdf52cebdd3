"""Names and string literals for Kotlin and Swift: unit rules, and a round trip through the real compilers
(the literal, compiled and run, must print the original string's code points)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.sdk import naming
from sdkgen.sdk.android import naming as kt
from sdkgen.sdk.ios import naming as sw

NASTY = [
    "$price",
    "${x} and $y",
    'say "hi"',
    "back\\slash \\(x) \\n \\u0041",
    "line\nbreak\ttab\r",
    "*/ /* \"\"\" '''",
    "mañana 🤖 日本語 👩🏽‍💻",
    "\x00\x01\x7f\x9f\u2028\u2029",
    "",
]


def test_words_and_cases() -> None:
    assert naming.words("tiny-llm v2") == ["tiny", "llm", "v2"]
    assert naming.upper_camel("mañana_model") == "MananaModel"
    assert naming.lower_camel("input-ids") == "inputIds"
    assert naming.upper_camel("HTTPServer") == "HTTPServer"


@pytest.mark.parametrize(
    ("name", "kotlin", "swift"),
    [
        ("tiny-llm", "TinyLlm", "TinyLlm"),
        ("2d-class", "Model2dClass", "Model2dClass"),
        ("string", "ModelString", "ModelString"),
        ("type", "Type", "ModelType"),
        ("flow", "ModelFlow", "Flow"),
        ("", "Model", "Model"),
        ("!!!", "Model", "Model"),
    ],
)
def test_type_names(name: str, kotlin: str, swift: str) -> None:
    assert kt.type_name(name) == kotlin
    assert sw.type_name(name) == swift


def test_kotlin_package_keywords_are_refused() -> None:
    assert kt.check_package("com.example.app") is None
    assert "fun" in (kt.check_package("com.fun.app") or "")


def test_doc_text_cannot_close_a_comment() -> None:
    assert "*/" not in kt.doc_text("a */ b\nc")
    assert "\n" not in sw.doc_text("a\nb")


def _codepoints(strings: list[str]) -> list[str]:
    return [",".join(str(ord(c)) for c in s) for s in strings]


KOTLIN = find_kotlin_compiler()
SWIFT = find_swift()


@pytest.mark.skipif(KOTLIN is None, reason="no Kotlin compiler")
def test_kotlin_literals_round_trip(tmp_path: Path) -> None:
    assert KOTLIN is not None and KOTLIN.java is not None
    items = ",\n        ".join(kt.string_literal(s) for s in NASTY)
    src = tmp_path / "Main.kt"
    src.write_text(
        "fun main() {\n    val items = listOf(\n        " + items + ",\n    )\n"
        '    for (s in items) println(s.codePoints().toArray().joinToString(","))\n}\n',
        encoding="utf-8",
    )
    r = compile_kotlin([src], tmp_path / "out", compiler=KOTLIN)
    assert r.ok, r.diagnostics
    cp = ":".join(str(p) for p in [tmp_path / "out", *KOTLIN.stdlib])
    run = subprocess.run([str(KOTLIN.java), "-cp", cp, "MainKt"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[: len(NASTY)] == _codepoints(NASTY)


@pytest.mark.skipif(SWIFT is None, reason="no Swift toolchain")
def test_swift_literals_round_trip(tmp_path: Path) -> None:
    assert SWIFT is not None
    pkg = tmp_path / "pkg"
    (pkg / "Sources" / "Main").mkdir(parents=True)
    (pkg / "Package.swift").write_text(
        "// swift-tools-version:5.9\nimport PackageDescription\n"
        'let package = Package(name: "Main", targets: [.executableTarget(name: "Main")])\n'
    )
    items = ",\n    ".join(sw.string_literal(s) for s in NASTY)
    (pkg / "Sources" / "Main" / "main.swift").write_text(
        "let items: [String] = [\n    " + items + ",\n]\n"
        'for s in items { print(s.unicodeScalars.map { String($0.value) }.joined(separator: ",")) }\n',
        encoding="utf-8",
    )
    r = build_swift_package(pkg, build_tests=False, scratch_dir=tmp_path / "scratch")
    assert r.ok, r.output
    exe = next((tmp_path / "scratch").rglob("debug/Main"))
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[: len(NASTY)] == _codepoints(NASTY)
