"""The unit tests each generated SDK carries for its platform-neutral core, run as the build's check stage runs
them: JUnit 4 on the JVM (``kotlin-core-tests``) and ``swift test --filter <Module>CoreTests`` on Linux
(``swift-core-tests``), against the golden vectors sdkgen wrote from the shipped tokenizer (Hugging Face
``tokenizers``) and numpy. One golden spec per kind of core: byte-level BPE text generation, WordPiece text
embedding, image classification, WordPiece text classification. Every vector must match; a deliberately wrong
vector must fail the check and be named; a missing JUnit jar must be reported, not hidden."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sdkgen.check.kotlin import find_junit, find_kotlin_compiler
from sdkgen.check.swift import find_swift
from sdkgen.sdk import android, ios
from sdkgen.sdk.check import check_core
from sdkgen.sdk.golden_vectors import MIN_STRINGS
from sdkgen.verify import Check
from tests.conftest import fake_files, load_spec

GENERATORS = {"android": android.generate, "ios": ios.generate}
TEST_CHECK = {"android": "kotlin-core-tests", "ios": "swift-core-tests"}
#: spec -> vector files whose every record must match, with the least number of records each holds.
SPECS = {
    "tiny-llm": {"bpe-tokenizer.jsonl": MIN_STRINGS},
    "minilm-embedder": {"wordpiece-tokenizer.jsonl": MIN_STRINGS, "cosine.jsonl": 40},
    "digits-classifier": {"image-preprocessing.jsonl": 5, "top-k.jsonl": 8},
    "text-classifier": {"wordpiece-tokenizer.jsonl": MIN_STRINGS, "top-k.jsonl": 8},
}
VECTOR_DIRS = {"android": "src/test/resources/golden", "ios": "Tests/{module}CoreTests/Golden"}

KOTLIN, JUNIT, SWIFT = find_kotlin_compiler(), find_junit(), find_swift()
TOOLS = {
    "android": pytest.mark.skipif(KOTLIN is None or JUNIT is None, reason="no Kotlin compiler or JUnit 4 jar"),
    "ios": pytest.mark.skipif(SWIFT is None, reason="no Swift toolchain"),
}


def _generate(spec_name: str, platform: str, tmp_path: Path) -> tuple[Path, list[Path]]:
    spec = load_spec(spec_name)
    out = tmp_path / "out"
    result = GENERATORS[platform](spec, fake_files(spec, tmp_path / "files"), out)
    return out, [Path(p) for p in result.core]


def _check(platform: str, sdk: Path, core: list[Path], work: Path) -> Check:
    checks = {c.name: c for c in check_core(platform, sdk, core, work)}
    return checks[TEST_CHECK[platform]]


def _vectors(spec_name: str, platform: str, sdk: Path) -> Path:
    return sdk / VECTOR_DIRS[platform].format(module=load_spec(spec_name).ios.module)


CASES = [pytest.param(s, p, marks=TOOLS[p], id=f"{s}-{p}") for s in SPECS for p in TOOLS]


@pytest.mark.parametrize(("spec_name", "platform"), CASES)
def test_core_tests_pass(spec_name: str, platform: str, tmp_path: Path) -> None:
    sdk, core = _generate(spec_name, platform, tmp_path)
    check = _check(platform, sdk, core, tmp_path / "work")
    assert check.status == "passed", check.detail
    for name, least in SPECS[spec_name].items():
        records = (_vectors(spec_name, platform, sdk) / name).read_text(encoding="utf-8").splitlines()
        assert len(records) >= least
        # Every record of every file was compared, and matched.
        assert f"golden {name}: {len(records)}/{len(records)} match" in check.detail, check.detail


@pytest.mark.parametrize("platform", [pytest.param(p, marks=TOOLS[p]) for p in TOOLS])
def test_wrong_vector_fails_the_check(platform: str, tmp_path: Path) -> None:
    sdk, core = _generate("digits-classifier", platform, tmp_path)
    vectors = _vectors("digits-classifier", platform, sdk) / "image-preprocessing.jsonl"
    lines = vectors.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["expected"][7] += 0.25
    lines[2] = json.dumps(record, sort_keys=True)
    vectors.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    check = _check(platform, sdk, core, tmp_path / "work")
    assert check.status == "failed", check.detail
    assert "golden mismatch in image-preprocessing.jsonl: 1 of 5 differ" in check.detail, check.detail
    assert re.search(rf"image {record['name']}: value 7 is", check.detail), check.detail


@TOOLS["android"]
def test_missing_junit_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNIT_CLASSPATH", str(tmp_path / "no-junit.jar"))
    sdk, core = _generate("digits-classifier", "android", tmp_path)
    checks = {c.name: c for c in check_core("android", sdk, core, tmp_path / "work")}
    assert checks["kotlin-core-compile"].status == "passed", checks["kotlin-core-compile"].detail
    assert checks["kotlin-core-tests"].status == "not_executed"
    assert checks["kotlin-core-tests"].detail == "not executed: JUnit 4 jar not found (sudo apt-get install -y junit4)"


def test_vectors_are_deterministic_and_small(tmp_path: Path) -> None:
    """Two generations write the same vector bytes; each spec's vectors stay under 300 KB."""
    for spec_name in SPECS:
        a, core = _generate(spec_name, "android", tmp_path / "a" / spec_name)
        b, _ = _generate(spec_name, "android", tmp_path / "b" / spec_name)
        files = [p for p in core if p.suffix == ".jsonl"]
        assert files
        assert all((a / p).read_bytes() == (b / p).read_bytes() for p in files)
        assert sum((a / p).stat().st_size for p in files) < 300_000
