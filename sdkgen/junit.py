"""JUnit XML, the test-result format CI systems display (GitHub, GitLab, Jenkins, Buildkite).

One ``<testsuite>`` per group (a target's host verification, a platform's SDK checks, a device run), one
``<testcase>`` per check: a failed check carries ``<failure>``, a check not executed here ``<skipped>`` with
the reason (CI shows it as skipped, never as passed). Output is deterministic: no timestamps or host names,
cases in the order given. :func:`parse` reads the files Gradle and other runners write, so device results
can be merged the same way.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sdkgen.cache import write_text_atomic

CaseStatus = Literal["passed", "failed", "skipped"]

#: Characters XML 1.0 cannot carry at all (a NUL in a label, a control byte in a runner's output).
_INVALID = {c: "\ufffd" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}


@dataclass(frozen=True)
class TestCase:
    """One result. ``suite`` groups cases (``<testsuite name>``); ``classname`` is what CI shows as the
    test's class; ``message`` is one line (the failure's or skip's reason), ``detail`` the full text."""

    __test__ = False  # not a pytest test class, despite its name

    suite: str
    classname: str
    name: str
    status: CaseStatus
    message: str = ""
    detail: str = ""
    seconds: float = 0.0


def from_report(report: Mapping[str, Any]) -> list[TestCase]:
    """The cases of a build report: each target's verification, each platform's SDK checks and, after
    ``sdkgen test``, each device run."""
    name = str(report.get("name", "sdkgen"))
    cases: list[TestCase] = []
    for group, prefix in (("verification", "verify"), ("sdk_checks", "sdk")):
        for where, checks in report.get(group, {}).items():
            for c in checks:
                status: CaseStatus = {"passed": "passed", "failed": "failed"}.get(c["status"], "skipped")  # type: ignore[assignment]
                gate = f" [{c['gate']}]" if c.get("gate") else ""
                first = str(c["detail"]).strip().splitlines()[0] if str(c["detail"]).strip() else ""
                cases.append(
                    TestCase(
                        suite=f"{name}.{prefix}.{where}",
                        classname=f"{name}.{prefix}.{where}",
                        name=f"{c['name']}{gate}",
                        status=status,
                        message=first if status != "passed" else "",
                        detail=str(c["detail"]),
                    )
                )
    for platform, run in report.get("device_tests", {}).items():
        for c in run.get("cases", []):
            cases.append(
                TestCase(
                    suite=f"{name}.device.{platform}",
                    classname=c["classname"],
                    name=c["name"],
                    status=c["status"],
                    message=c.get("message", ""),
                    detail=c.get("detail", ""),
                    seconds=float(c.get("seconds", 0.0)),
                )
            )
    return cases


def to_xml(cases: Sequence[TestCase], name: str = "sdkgen") -> str:
    """The ``<testsuites>`` document for ``cases`` (suites in first-appearance order)."""
    root = ET.Element("testsuites", name=_clean(name))
    suites: dict[str, list[TestCase]] = {}
    for c in cases:
        suites.setdefault(c.suite, []).append(c)
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite, members in suites.items():
        counts = _counts(members)
        for k in totals:
            totals[k] += counts[k]
        el = ET.SubElement(
            root,
            "testsuite",
            name=_clean(suite),
            tests=str(counts["tests"]),
            failures=str(counts["failures"]),
            errors="0",
            skipped=str(counts["skipped"]),
            time=_seconds(sum(c.seconds for c in members)),
        )
        for c in members:
            tc = ET.SubElement(el, "testcase", classname=_clean(c.classname), name=_clean(c.name))
            tc.set("time", _seconds(c.seconds))
            if c.status == "failed":
                f = ET.SubElement(tc, "failure", message=_clean(c.message or "failed"))
                f.text = _clean(c.detail)
            elif c.status == "skipped":
                ET.SubElement(tc, "skipped", message=_clean(c.message or c.detail or "not executed"))
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(path: Path, cases: Sequence[TestCase], name: str = "sdkgen") -> Path:
    """Write :func:`to_xml` to ``path`` atomically."""
    return write_text_atomic(path, to_xml(cases, name))


def parse(text: str, suite: str | None = None) -> list[TestCase]:
    """The cases of a JUnit XML document (``<testsuites>`` or a single ``<testsuite>``), as Gradle's
    Android test task and other runners write it; ``<error>`` counts as failed. ``suite`` overrides the
    suite names."""
    root = ET.fromstring(text)
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    cases: list[TestCase] = []
    for s in suites:
        for tc in s.iter("testcase"):
            bad = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
            skipped = tc.find("skipped")
            status: CaseStatus = "failed" if bad is not None else "skipped" if skipped is not None else "passed"
            node = bad if bad is not None else skipped
            cases.append(
                TestCase(
                    suite=suite or s.get("name") or "",
                    classname=tc.get("classname", ""),
                    name=tc.get("name", ""),
                    status=status,
                    message=(node.get("message", "") if node is not None else ""),
                    detail=((node.text or "") if node is not None else ""),
                    seconds=float(tc.get("time", "0") or 0),
                )
            )
    return cases


def summary(cases: Iterable[TestCase]) -> dict[str, int]:
    """``{"tests", "failures", "skipped"}`` counts."""
    return _counts(list(cases))


def _counts(cases: Sequence[TestCase]) -> dict[str, int]:
    return {
        "tests": len(cases),
        "failures": sum(c.status == "failed" for c in cases),
        "skipped": sum(c.status == "skipped" for c in cases),
    }


def _seconds(s: float) -> str:
    return f"{s:.3f}"


def _clean(s: str) -> str:
    return str(s).translate(_INVALID)
