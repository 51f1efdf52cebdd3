"""Parse the raw output of ``adb shell am instrument -w -r`` into test cases.

The format (``am``'s raw mode, as ddmlib's ``InstrumentationResultParser`` reads it): each test reports a
status bundle of ``INSTRUMENTATION_STATUS: key=value`` lines (``class``, ``test``, ``numtests``,
``current``, ``stream``, ``stack`` on a failure; a value may run over several lines) closed by
``INSTRUMENTATION_STATUS_CODE: N`` with N = 1 (started), 0 (passed), -1 (error), -2 (failed), -3 (ignored),
-4 (assumption failure) or 2 (in progress). The run ends with ``INSTRUMENTATION_RESULT: key=value`` lines and
``INSTRUMENTATION_CODE: N`` (-1 is Activity.RESULT_OK). A run that could not start prints
``INSTRUMENTATION_STATUS: Error=...`` and ``INSTRUMENTATION_FAILED: component``; a test process that crashed
ends with ``INSTRUMENTATION_RESULT: shortMsg=Process crashed.`` and no end status for the running test.

Each line comes with the monotonic time it was read, so a test's seconds are the time between its start and
end status lines as the host saw them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sdkgen.junit import CaseStatus, TestCase

START, IN_PROGRESS, OK, ERROR, FAILURE, IGNORED, ASSUMPTION_FAILURE = 1, 2, 0, -1, -2, -3, -4
RESULT_OK = -1

_STATUS = "INSTRUMENTATION_STATUS: "
_STATUS_CODE = "INSTRUMENTATION_STATUS_CODE: "
_RESULT = "INSTRUMENTATION_RESULT: "
_CODE = "INSTRUMENTATION_CODE: "
_FAILED = "INSTRUMENTATION_FAILED: "
_ABORTED = "INSTRUMENTATION_ABORTED: "


@dataclass
class Instrumentation:
    """A parsed run. ``cases`` are in the order the tests ended; ``error`` says why the run itself failed
    (could not start, crashed, aborted, no result code), ``None`` for a run that finished normally;
    ``numtests`` is what the runner announced."""

    cases: list[TestCase] = field(default_factory=list)
    code: int | None = None
    result: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    numtests: int | None = None


def parse(
    lines: Iterable[tuple[float, str]], suite: str, *, end_time: float | None = None, interrupted: str | None = None
) -> Instrumentation:
    """The run in ``lines`` ((monotonic seconds, line) pairs). A test that started but never ended (the
    process crashed, or the run was cut off at ``end_time``, ``interrupted`` saying why) becomes a failed case
    naming why."""
    run = Instrumentation()
    status: dict[str, str] = {}
    target: dict[str, str] = status
    key: str | None = None
    started: dict[tuple[str, str], float] = {}
    failed_component: str | None = None
    aborted: str | None = None
    status_error: str | None = None
    last_t = 0.0

    for t, raw in lines:
        last_t = t
        line = raw.rstrip("\r\n")
        if line.startswith(_STATUS):
            k, _, v = line[len(_STATUS) :].partition("=")
            target, key = status, k
            status[k] = v
        elif line.startswith(_RESULT):
            k, _, v = line[len(_RESULT) :].partition("=")
            target, key = run.result, k
            run.result[k] = v
        elif line.startswith(_STATUS_CODE):
            status_error = status.get("Error", status_error)
            _end_bundle(run, status, _int(line[len(_STATUS_CODE) :]), t, started, suite)
            status = {}
            target, key = status, None
        elif line.startswith(_CODE):
            run.code = _int(line[len(_CODE) :])
            key = None
        elif line.startswith(_FAILED):
            failed_component = line[len(_FAILED) :].strip()
            key = None
        elif line.startswith(_ABORTED):
            aborted = line[len(_ABORTED) :].strip()
            key = None
        elif key is not None:
            target[key] += "\n" + line

    if interrupted is not None:
        run.error = interrupted
    elif failed_component is not None:
        why = status.get("Error") or status_error or run.result.get("shortMsg") or "the runner did not start"
        run.error = f"instrumentation {failed_component} failed: {why.strip()}"
    elif aborted is not None:
        run.error = f"instrumentation aborted: {aborted}"
    elif "shortMsg" in run.result:
        run.error = run.result["shortMsg"].strip()
        if run.result.get("longMsg"):
            run.error += " " + run.result["longMsg"].strip()
    elif run.code is None:
        run.error = "the run ended without a result code (the test process or adb connection died)"
    elif run.code != RESULT_OK:
        run.error = f"the runner finished with code {run.code}"
    end = end_time if end_time is not None else last_t
    for (cls, name), t0 in started.items():
        why = run.error or "the test did not finish"
        run.cases.append(
            TestCase(suite, cls, name, "failed", f"did not finish: {why.splitlines()[0]}", why, max(end - t0, 0.0))
        )
    return run


def _end_bundle(
    run: Instrumentation,
    status: dict[str, str],
    code: int | None,
    t: float,
    started: dict[tuple[str, str], float],
    suite: str,
) -> None:
    if "numtests" in status:
        run.numtests = _int(status["numtests"])
    cls, name = status.get("class", "").strip(), status.get("test", "").strip()
    if not cls and not name:
        return
    if code == START:
        started[(cls, name)] = t
        return
    if code not in (OK, ERROR, FAILURE, IGNORED, ASSUMPTION_FAILURE):
        return
    t0 = started.pop((cls, name), t)
    stack = status.get("stack", "").strip()
    first = stack.splitlines()[0] if stack else ""
    result: CaseStatus = "passed" if code == OK else "failed" if code in (ERROR, FAILURE) else "skipped"
    if result == "skipped":
        first = first or ("ignored (@Ignore)" if code == IGNORED else "assumption failed")
    elif result == "failed":
        first = first or "failed without a stack trace"
    run.cases.append(TestCase(suite, cls, name, result, first if result != "passed" else "", stack, t - t0))


def _int(s: str) -> int | None:
    try:
        return int(s.strip())
    except ValueError:
        return None
