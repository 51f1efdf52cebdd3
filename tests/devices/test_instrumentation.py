"""The ``am instrument -r`` parser on outputs the fake adb does not produce: ignored and assumption-failed
tests, an error status, a run that could not start, and a run cut off mid-test."""

from __future__ import annotations

from sdkgen.devices import instrumentation


def _lines(text: str, step: float = 0.5) -> list[tuple[float, str]]:
    return [(i * step, line + "\n") for i, line in enumerate(text.strip("\n").splitlines())]


def _bundle(cls: str, test: str, code: int, **extra: str) -> str:
    keys = {"class": cls, "id": "AndroidJUnitRunner", "numtests": "4", "test": test, **extra}
    return "".join(f"INSTRUMENTATION_STATUS: {k}={v}\n" for k, v in sorted(keys.items())) + (
        f"INSTRUMENTATION_STATUS_CODE: {code}\n"
    )


def test_codes_map_to_passed_failed_skipped_with_multiline_stacks() -> None:
    stack = "java.lang.IllegalStateException: boom\n\tat a.B.c(B.kt:3)"
    text = (
        _bundle("a.T", "ok", 1) + _bundle("a.T", "ok", 0)
        + _bundle("a.T", "err", 1) + _bundle("a.T", "err", -1, stack=stack)
        + _bundle("a.T", "ign", 1) + _bundle("a.T", "ign", -3)
        + _bundle("a.T", "assume", 1) + _bundle("a.T", "assume", -4, stack="org.junit.AssumptionViolatedException: x")
        + "INSTRUMENTATION_RESULT: stream=\nOK (4 tests)\nINSTRUMENTATION_CODE: -1\n"
    )  # fmt: skip
    run = instrumentation.parse(_lines(text), "s")
    assert run.error is None and run.numtests == 4
    got = [(c.name, c.status, c.message) for c in run.cases]
    assert got == [
        ("ok", "passed", ""),
        ("err", "failed", "java.lang.IllegalStateException: boom"),
        ("ign", "skipped", "ignored (@Ignore)"),
        ("assume", "skipped", "org.junit.AssumptionViolatedException: x"),
    ]
    assert run.cases[1].detail == stack
    # 0.5 s a line; from a start code to its end code: the end bundle's 4 keys and code, plus a stack's 2 lines.
    assert run.cases[0].seconds == 2.5 and run.cases[1].seconds == 3.5


def test_a_run_that_could_not_start_has_an_error_and_no_cases() -> None:
    text = (
        "INSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: ComponentInfo{a.test/R}\n"
        "INSTRUMENTATION_STATUS_CODE: -1\n"
        "android.util.AndroidException: INSTRUMENTATION_FAILED: a.test/R\n"
        "INSTRUMENTATION_FAILED: a.test/R\n"
    )
    run = instrumentation.parse(_lines(text), "s")
    assert run.cases == []
    assert (
        run.error == "instrumentation a.test/R failed: Unable to find instrumentation info for: ComponentInfo{a.test/R}"
    )


def test_a_run_cut_off_fails_the_running_test_with_the_reason() -> None:
    text = _bundle("a.T", "ok", 1) + _bundle("a.T", "ok", 0) + _bundle("a.T", "slow", 1)
    run = instrumentation.parse(_lines(text), "s", end_time=100.0, interrupted="no result within 60 s")
    assert [(c.name, c.status) for c in run.cases] == [("ok", "passed"), ("slow", "failed")]
    assert run.cases[1].message == "did not finish: no result within 60 s"
    assert run.cases[1].seconds == 100.0 - 14 * 0.5
