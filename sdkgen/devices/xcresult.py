"""Test results from an Xcode result bundle (``.xcresult``), as :class:`~sdkgen.junit.TestCase` objects.

Xcode 16+ answers ``xcrun xcresulttool get test-results tests --path B`` with a tree of ``testNodes``:
``Test Plan`` > ``Unit test bundle`` (a test target) > ``Test Suite`` (an XCTestCase class) > ``Test Case``,
each with ``result`` (``Passed``, ``Failed``, ``Skipped``, ``Expected Failure``), ``duration`` (a string:
``"0.12s"``, ``"0,0052s"`` in a comma-decimal locale, ``"1m 3s"``; Xcode 16.3+ adds ``durationInSeconds``)
and, under a failed or skipped case, ``Failure Message`` nodes whose ``name`` is ``File.swift:12: <XCTest's
assertion text>`` (``Test skipped - <reason>`` for XCTSkip). Older Xcode has no ``test-results``: there
the legacy object graph is read (``get --format json``, with ``--legacy`` on Xcode 16, where it is
deprecated), whose ``testsRef`` holds the cases and whose ``issues.testFailureSummaries`` the messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sdkgen.junit import CaseStatus, TestCase

#: ``result`` -> JUnit status. An expected failure (``XCTExpectFailure``) is the test's intended outcome.
RESULTS: dict[str, CaseStatus] = {
    "Passed": "passed",
    "Expected Failure": "passed",
    "Failed": "failed",
    "Skipped": "skipped",
}
LEGACY_STATUS: dict[str, CaseStatus] = {
    "Success": "passed",
    "Expected Failure": "passed",
    "Failure": "failed",
    "Skipped": "skipped",
}
_BUNDLES = {"Unit test bundle", "UI test bundle"}
_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ms|µs|us|h|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6}

Runner = Callable[[Sequence[str]], tuple[bool, str]]


class ResultBundleError(Exception):
    """xcresulttool could not read the bundle in either format; the message has both tools' errors."""


def read(bundle: Path, run: Runner, suite: str) -> tuple[list[TestCase], str]:
    """The cases in ``bundle`` and which reader found them (``test-results`` or ``legacy``). ``run`` calls
    ``xcrun xcresulttool`` with the given arguments and returns (succeeded, stdout or error text)."""
    ok, out = run(["get", "test-results", "tests", "--path", str(bundle)])
    if ok:
        return from_test_results(json.loads(out), suite), "test-results"
    errors = [f"get test-results tests: {out.strip()}"]
    # --legacy exists from Xcode 16 on (where plain `get` refuses); older xcresulttool rejects the flag.
    for flags in (["--legacy"], []):
        ok, root = run(["get", *flags, "--format", "json", "--path", str(bundle)])
        if not ok:
            errors.append(f"get {' '.join([*flags, '--format json'])}: {root.strip()}")
            continue
        record = json.loads(root)
        summaries = []
        for ref in _tests_refs(record):
            ok, doc = run(["get", *flags, "--format", "json", "--path", str(bundle), "--id", ref])
            if not ok:
                raise ResultBundleError(f"xcresulttool could not read the tests object {ref}: {doc.strip()}")
            summaries.append(json.loads(doc))
        return from_legacy(record, summaries, suite), "legacy"
    raise ResultBundleError("xcresulttool could not read the result bundle:\n  " + "\n  ".join(errors))


def from_test_results(doc: Mapping[str, Any], suite: str) -> list[TestCase]:
    """The ``Test Case`` nodes of ``get test-results tests`` output; ``classname`` is ``Target.Class``."""
    cases: list[TestCase] = []

    def walk(node: Mapping[str, Any], target: str, group: str) -> None:
        kind = node.get("nodeType", "")
        name = str(node.get("name", ""))
        if kind == "Test Case":
            cases.append(_case(node, suite, ".".join(p for p in (target, group) if p)))
            return
        if kind in _BUNDLES:
            target, group = name, ""
        elif kind == "Test Suite":
            group = f"{group}.{name}" if group else name
        for child in node.get("children", []):
            walk(child, target, group)

    for node in doc.get("testNodes", []):
        walk(node, "", "")
    return cases


def _case(node: Mapping[str, Any], suite: str, classname: str) -> TestCase:
    result = str(node.get("result", ""))
    # A case without a known result (the run crashed before it finished) must not count as passed.
    status = RESULTS.get(result, "failed")
    messages = [str(m.get("name", "")) for m in _descendants(node) if m.get("nodeType") == "Failure Message"]
    if status == "failed" and not messages:
        messages = [f"result: {result or 'none'}"]
    if status == "passed" and result == "Expected Failure":
        messages = ["expected failure: " + "; ".join(messages)] if messages else ["expected failure"]
    return TestCase(
        suite=suite,
        classname=classname,
        name=str(node.get("name", "")),
        status=status,
        message=messages[0].splitlines()[0] if messages and status != "passed" else "",
        detail="\n".join(messages) if status != "passed" else "",
        seconds=seconds(node),
    )


def _descendants(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for child in node.get("children", []):
        yield child
        yield from _descendants(child)


def seconds(node: Mapping[str, Any]) -> float:
    """A node's duration: ``durationInSeconds`` when present, else its ``duration`` string parsed
    (``"0.12s"``, ``"0,0052s"``, ``"1m 3s"``, ``"12ms"``); 0 when it has neither."""
    if isinstance(node.get("durationInSeconds"), (int, float)):
        return float(node["durationInSeconds"])
    text = str(node.get("duration", ""))
    return sum(float(n.replace(",", ".")) * _SECONDS[u] for n, u in _UNIT.findall(text))


# --------------------------------------------------------------------------------------------------
# legacy object graph (Xcode 15 and older; `--legacy` on 16)


def _v(node: Any, default: str = "") -> str:
    return str(node.get("_value", default)) if isinstance(node, Mapping) else default


def _vs(node: Any) -> list[Any]:
    return list(node.get("_values", [])) if isinstance(node, Mapping) else []


def _tests_refs(record: Mapping[str, Any]) -> list[str]:
    refs = []
    for action in _vs(record.get("actions")):
        ref = _v(action.get("actionResult", {}).get("testsRef", {}).get("id"))
        if ref:
            refs.append(ref)
    return refs


def from_legacy(record: Mapping[str, Any], summaries: Sequence[Mapping[str, Any]], suite: str) -> list[TestCase]:
    """The ``ActionTestMetadata`` leaves of ``ActionTestPlanRunSummaries`` objects, with the messages of the
    record's ``testFailureSummaries`` (matched on ``Class.testName()``)."""
    failures: dict[str, list[str]] = {}
    for action in _vs(record.get("actions")):
        issues = action.get("actionResult", {}).get("issues", {})
        for f in _vs(issues.get("testFailureSummaries")):
            failures.setdefault(_test_key(_v(f.get("testCaseName"))), []).append(_located(f))
    cases: list[TestCase] = []
    for doc in summaries:
        for plan in _vs(doc.get("summaries")):
            for testable in _vs(plan.get("testableSummaries")):
                target = _v(testable.get("name"))
                for leaf in _leaves(_vs(testable.get("tests"))):
                    identifier = _v(leaf.get("identifier"))
                    cls = identifier.split("/")[0] if "/" in identifier else ""
                    name = _v(leaf.get("name")) or identifier.rsplit("/", 1)[-1]
                    status = LEGACY_STATUS.get(_v(leaf.get("testStatus")), "failed")
                    messages = failures.get(_test_key(f"{cls}.{name}"), [])
                    if status == "skipped" and not messages:
                        messages = ["Test skipped"]
                    if status == "failed" and not messages:
                        messages = [f"testStatus: {_v(leaf.get('testStatus')) or 'none'}"]
                    cases.append(
                        TestCase(
                            suite=suite,
                            classname=".".join(p for p in (target, cls) if p),
                            name=name,
                            status=status,
                            message=messages[0].splitlines()[0] if status != "passed" else "",
                            detail="\n".join(messages) if status != "passed" else "",
                            seconds=float(_v(leaf.get("duration"), "0") or 0),
                        )
                    )
    return cases


def _leaves(nodes: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for n in nodes:
        if n.get("_type", {}).get("_name") == "ActionTestMetadata":
            yield n
        else:
            yield from _leaves(_vs(n.get("subtests")))


def _test_key(name: str) -> str:
    """``Class.test()``, ``Class/test()`` and ``-[Class test]`` all as ``Class.test``."""
    name = name.strip().removeprefix("-[").removesuffix("]").removesuffix("()")
    return re.sub(r"[ /]", ".", name)


def _located(failure: Mapping[str, Any]) -> str:
    """The message prefixed with ``File.swift:LINE:`` like Xcode 16's ``Failure Message`` nodes."""
    message = _v(failure.get("message"))
    url = _v(failure.get("documentLocationInCreatingWorkspace", {}).get("url"))
    m = re.search(r"([^/#]+)#.*StartingLineNumber=(\d+)", url)
    return f"{m.group(1)}:{m.group(2)}: {message}" if m else message
