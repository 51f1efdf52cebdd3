"""Run a generated Swift package's bindings and device tests on this host (``ios-binding-run``).

The package is built and its ``<Module>Tests`` run with ``swift test`` (Linux, no Xcode), its ExecuTorch
dependency served by a SwiftPM mirror of :data:`IOS_SOURCES`: module ``ExecuTorch`` with the public API of the
compile stubs, whose ``Module`` reaches ExecuTorch's own C++ runtime through :mod:`sdkgen.hostrun.bridge`.
The golden tests load the very artifacts in the package's resources through the generated public API; the
backends this host cannot run are left out with ``SDKGEN_BACKENDS`` (skipped by the tests, not passed). The
README example runs too, on the default backend.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from sdkgen.hostrun import SKIP_ENV
from sdkgen.verify import Check

NAME = "ios-binding-run"
#: The host stand-in of ``https://github.com/pytorch/executorch.git`` (a Swift package).
IOS_SOURCES = Path(__file__).resolve().parent / "ios" / "executorch"
EXECUTORCH_URL = "https://github.com/pytorch/executorch.git"
#: The iOS targets whose artifacts this host executes (ExecuTorch's portable and XNNPACK CPU kernels).
HOST_TARGETS = ("executorch:xnnpack",)

COVERAGE = (
    "runs the generated Swift bindings and their golden tests with swift test on Linux over ExecuTorch's C++ "
    "runtime (pybindings) through a host stand-in of the ExecuTorch Swift module; not covered: ExecuTorch's "
    "Objective-C++ wrappers, iOS itself (UIKit, the bundle and file system are Linux Foundation's), the ARM "
    "ABI and Core ML"
)


#: Runs the README's example (an internal function of the package's test target) as an XCTest, on the default
#: backend.
_README_TEST = """// Written by sdkgen's host run; not part of the SDK.
import XCTest

final class SdkgenHostReadmeTests: XCTestCase {{
    func testReadmeExampleRuns() async throws {{
        try XCTSkipUnless({default_runs}, "the default backend does not run on this host")
        try await readmeExample()
    }}
}}
"""


def swift_case(case: str) -> str:
    """``EXECUTORCH_XNNPACK`` -> ``executorchXnnpack``: the Swift backend enum case (``SDKGEN_BACKENDS``)."""
    parts = case.lower().split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def run(sdk: Path, work: Path, backends: dict[str, str | None], *, timeout: float = 1800) -> Check:
    """Build ``sdk`` (a generated Swift package) over the host stand-in and run its ``<Module>Tests``.
    ``backends`` maps each backend case (``EXECUTORCH_XNNPACK``) in config order to ``None`` when this host
    runs it, else the reason it does not."""
    from sdkgen.check.swift import build_swift_package, find_swift

    if os.environ.get(SKIP_ENV):
        return Check(NAME, "not_executed", f"not executed: skipped ({SKIP_ENV} is set)")
    if find_swift() is None:
        return Check(NAME, "not_executed", "not executed here: no Swift toolchain")
    module = _test_module(sdk)
    if module is None:
        return Check(NAME, "not_executed", "not executed: the package has no device tests")
    runnable = [case for case, why in backends.items() if why is None]
    skipped = {case: why for case, why in backends.items() if why is not None}
    if not runnable:
        reasons = "; ".join(f"{c}: {w}" for c, w in skipped.items())
        return Check(NAME, "not_executed", f"not executed here: no backend runs on this host ({reasons})")
    package = work / "package" / sdk.name
    shutil.rmtree(package.parent, ignore_errors=True)
    shutil.copytree(sdk, package, ignore=shutil.ignore_patterns(".build"))
    default_runs = "true" if next(iter(backends.values()), "none") is None else "false"
    (package / "Tests" / module / "SdkgenHostReadmeTests.swift").write_text(
        _README_TEST.format(default_runs=default_runs), encoding="utf-8"
    )
    pythonpath = os.pathsep.join(
        p for p in [str(Path(__file__).resolve().parents[1].parent), os.environ.get("PYTHONPATH", "")] if p
    )
    env = {
        "SDKGEN_HOSTRUN_PYTHON": sys.executable,
        "SDKGEN_HOSTRUN_PYTHONPATH": pythonpath,
        "SDKGEN_HOSTRUN_LOG": str(work / "bridge.log"),
        "SDKGEN_BACKENDS": ",".join(swift_case(c) for c in runnable),
    }
    result = build_swift_package(
        package,
        mirrors={EXECUTORCH_URL: IOS_SOURCES},
        run_tests=True,
        test_filter=f"^{module}\\.",
        scratch_dir=work / "swift",
        timeout=timeout,
        env=env,
    )
    output = result.output.replace(str(package), str(sdk))
    # XCTest prints "Test Case 'Class.test' passed (...)" on Linux ("'-[Module.Class test]'" on macOS).
    cases = re.findall(r"Test Case '(?:-\[)?(?:\w+\.)?(\w+)[. ](\w+)\]?' (passed|skipped|failed)", output)
    tests = sorted({cls for cls, _, outcome in cases if outcome == "passed"})
    skipped_tests = sorted({f"{cls}.{name}" for cls, name, outcome in cases if outcome == "skipped"})
    not_run = "".join(f"; {c} not executed here: {w}" for c, w in skipped.items())
    if result.ok and not tests:
        return Check(NAME, "failed", "swift test passed but no test of " + module + " ran:\n" + output[-3000:])
    detail = (
        f"{module} passed on Linux in {result.seconds:.1f}s ({', '.join(tests)}"
        + (f"; skipped: {', '.join(skipped_tests)}" if skipped_tests else "")
        + f") for {', '.join(runnable)}{not_run}; "
        + COVERAGE
        if result.ok
        else ("timed out; " if result.timed_out else "") + "device tests failed on the host run:\n" + output[-4000:]
    )
    data = {"tests": tests, "backends": runnable, "skipped": skipped, "seconds": round(result.seconds, 1)}
    return Check(NAME, "passed" if result.ok else "failed", detail, data)


def _test_module(sdk: Path) -> str | None:
    """The package's device-test target (``<Module>Tests``), if it has one."""
    tests = sdk / "Tests"
    if not tests.is_dir():
        return None
    names = sorted(p.name for p in tests.iterdir() if p.is_dir() and not p.name.endswith("CoreTests"))
    return names[0] if names else None


def host_backends(targets: list[tuple[str, str]]) -> dict[str, str | None]:
    """``(backend case, target)`` pairs in config order -> the ``backends`` argument of :func:`run`."""
    return {
        case: None
        if target in HOST_TARGETS
        else f"{target} needs {'Core ML' if 'coreml' in target else 'hardware or a runtime this host lacks'}"
        for case, target in targets
    }
