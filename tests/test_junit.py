"""JUnit XML: what CI systems read from `sdkgen build --check` and `sdkgen test`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sdkgen import junit
from sdkgen.cli import main
from sdkgen.errors import EXIT_CODES
from sdkgen.junit import TestCase

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "quote \" apostrophe ' <tag> & ]]> NUL \x00 bell \x07 tab \t newline \n é 日本 \\( $x */"


def _report() -> dict[str, object]:
    return {
        "name": "m",
        "verification": {
            "executorch:xnnpack": [
                {"name": "outputs", "status": "passed", "detail": "max err 1e-9", "gate": ""},
                {
                    "name": "perplexity",
                    "status": "failed",
                    "detail": "ppl +9%\nmore",
                    "gate": "verify.max_perplexity_increase",
                },
            ],
            "coreml:ane": [{"name": "outputs", "status": "not_executed", "detail": "not executed here: macOS"}],
        },
        "sdk_checks": {"android": [{"name": "kotlin-core-tests", "status": "passed", "detail": "ok"}]},
        "device_tests": {
            "ios": {
                "cases": [
                    {
                        "classname": "T.G",
                        "name": "testX()",
                        "status": "failed",
                        "message": "m",
                        "detail": "d",
                        "seconds": 1.5,
                    }
                ]
            }
        },
    }


def test_report_becomes_suites_with_failures_and_skips() -> None:
    cases = junit.from_report(_report())
    root = ET.fromstring(junit.to_xml(cases, "m"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("5", "2", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["m.verify.executorch:xnnpack", "m.verify.coreml:ane", "m.sdk.android", "m.device.ios"]
    ppl = next(t for t in root.iter("testcase") if t.get("name", "").startswith("perplexity"))
    assert ppl.get("name") == "perplexity [verify.max_perplexity_increase]"
    failure = ppl.find("failure")
    assert failure is not None and failure.get("message") == "ppl +9%" and failure.text == "ppl +9%\nmore"
    skipped = next(iter(suites["m.verify.coreml:ane"].iter("skipped")))
    assert skipped.get("message") == "not executed here: macOS"
    assert suites["m.device.ios"].get("time") == "1.500"


def test_round_trip_keeps_every_field() -> None:
    cases = [
        TestCase("s", "c", "a", "passed", seconds=0.25),
        TestCase("s", "c", "b", "failed", "first line", "first line\nsecond", 2.0),
        TestCase("t", "d", "c", "skipped", "why"),
    ]
    assert junit.parse(junit.to_xml(cases)) == cases


def test_hostile_text_stays_well_formed(tmp_path: Path) -> None:
    case = TestCase(HOSTILE, HOSTILE, HOSTILE, "failed", HOSTILE, HOSTILE)
    path = junit.write(tmp_path / "j.xml", [case])
    [back] = junit.parse(path.read_text(encoding="utf-8"))
    # XML 1.0 cannot carry NUL or other C0 controls except tab/newline: they become U+FFFD, the rest survives.
    clean = HOSTILE.replace("\x00", "\ufffd").replace("\x07", "\ufffd")
    assert back.name == clean and back.detail == clean and back.message == clean
    assert list(tmp_path.iterdir()) == [path]  # written through a temporary file, nothing left beside it


def test_output_is_deterministic() -> None:
    cases = junit.from_report(_report())
    assert junit.to_xml(cases) == junit.to_xml(junit.from_report(_report()))
    assert "timestamp" not in junit.to_xml(cases) and "hostname" not in junit.to_xml(cases)


def test_gradle_style_error_counts_as_failed() -> None:
    xml = (
        '<testsuite name="g" tests="2"><testcase classname="A" name="x" time="0.1">'
        '<error message="boom" type="E">trace</error></testcase>'
        '<testcase classname="A" name="y" time="0.2"/></testsuite>'
    )
    assert [(c.name, c.status, c.message) for c in junit.parse(xml)] == [("x", "failed", "boom"), ("y", "passed", "")]


def test_exit_codes_are_documented_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert re.search(rf"^\s+{code}\s", help_text, re.M), code
        assert re.search(rf"^\| {code} \|", readme, re.M), code
        assert re.search(rf"^\| {code} \|", ci, re.M), code
