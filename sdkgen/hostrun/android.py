"""Run a generated Android library's bindings and device tests on this host (``android-binding-run``).

The library's ``src/main`` and ``src/androidTest`` Kotlin is compiled with the host stand-ins of
:data:`sdkgen.hostrun.ANDROID_SOURCES` (compiled on their own first, so the generated code sees only their
public API) and its JUnit classes run with ``JUnitCore``. The stand-ins reach the real runtimes through
:mod:`sdkgen.hostrun.bridge`, and the context's assets are the library's ``src/main/assets``: the golden
tests load the very artifacts the build wrote, through the generated public API. The README example runs too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sdkgen.hostrun import ANDROID_SOURCES, COVERAGE, HOST_TARGETS, SKIP_ENV, sources_digest
from sdkgen.verify import Check

NAME = "android-binding-run"

#: Runs the README's example (an internal suspend function of the library's package) as a JUnit test, on the
#: default backend; image models get a 64 x 64 gradient bitmap.
_README_TEST = """// Written by sdkgen's host run; not part of the SDK.
package {package}

class SdkgenHostReadmeTest {{
    @org.junit.Test
    fun readmeExampleRuns() = kotlinx.coroutines.runBlocking {{
        org.junit.Assume.assumeTrue("the default backend does not run on this host", {default_runs})
        readmeExample(androidx.test.platform.app.InstrumentationRegistry.getInstrumentation().targetContext{bitmap})
    }}
}}
"""


def run(sdk: Path, package: str, work: Path, backends: dict[str, str | None], *, timeout: float = 1200) -> Check:
    """Compile and run ``sdk``'s bindings and device tests; ``package`` is the library's Kotlin package.
    ``backends`` maps each backend case (``EXECUTORCH_XNNPACK``) in config order to ``None`` when this host
    runs it, else the reason it does not; the device tests run only the former (instrumentation argument
    ``backends``) and the check's detail names the others."""
    from sdkgen.check.kotlin import JUNIT_MISSING, compile_kotlin, find_junit, find_kotlin_compiler, run_junit

    if os.environ.get(SKIP_ENV):
        return Check(NAME, "not_executed", f"not executed: skipped ({SKIP_ENV} is set)")
    compiler = find_kotlin_compiler()
    junit = find_junit()
    if compiler is None:
        return Check(NAME, "not_executed", "not executed here: no Kotlin compiler (pip install 'sdkgen[check]')")
    if junit is None:
        return Check(NAME, "not_executed", f"not executed here: {JUNIT_MISSING}")
    tests_dir = sdk / "src/androidTest/kotlin"
    if not tests_dir.is_dir():
        return Check(NAME, "not_executed", "not executed: the library has no device tests")
    runtime, problem = _stand_in_classes(compiler, junit, work)
    if runtime is None:
        return Check(NAME, "failed", f"the host stand-ins failed to compile:\n{problem}")
    extra = work / "host-tests" / package.replace(".", "/")
    extra.mkdir(parents=True, exist_ok=True)
    readme = next(tests_dir.rglob("ReadmeExample.kt")).read_text(encoding="utf-8")
    bitmap = ", android.graphics.HostBitmaps.gradient(64, 64)" if "bitmap: Bitmap" in readme else ""
    default_runs = "true" if next(iter(backends.values()), "none") is None else "false"
    (extra / "SdkgenHostReadmeTest.kt").write_text(
        _README_TEST.format(package=package, bitmap=bitmap, default_runs=default_runs), encoding="utf-8"
    )
    runnable = [case for case, why in backends.items() if why is None]
    skipped = {case: why for case, why in backends.items() if why is not None}
    if not runnable:
        reasons = "; ".join(f"{c}: {w}" for c, w in skipped.items())
        return Check(NAME, "not_executed", f"not executed here: no backend runs on this host ({reasons})")
    classes = work / "classes"
    sources = [sdk / "src/main/kotlin", tests_dir, work / "host-tests"]
    compiled = compile_kotlin(sources, classes, [runtime, *junit], compiler=compiler)
    if not compiled.ok:
        return Check(
            NAME, "failed", f"the library and its device tests failed to compile:\n{compiled.diagnostics[-4000:]}"
        )
    names = sorted(
        ".".join(c.relative_to(classes).with_suffix("").parts)
        for c in classes.rglob("*Test.class")
        if "$" not in c.name
    )
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    pythonpath = os.pathsep.join(
        p for p in [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")] if p
    )
    jvm_args = [
        f"-Dsdkgen.hostrun.python={sys.executable}",
        f"-Dsdkgen.hostrun.pythonpath={pythonpath}",
        f"-Dsdkgen.hostrun.assets={sdk / 'src/main/assets'}",
        f"-Dsdkgen.hostrun.data={data}",
        f"-Dsdkgen.hostrun.log={work / 'bridge.log'}",
        f"-Dsdkgen.hostrun.arg.backends={','.join(runnable)}",
    ]
    result = run_junit(
        [classes, runtime], names, compiler=compiler, junit=junit, cwd=work, timeout=timeout, jvm_args=jvm_args
    )
    short = ", ".join(n.rsplit(".", 1)[1] for n in names)
    not_run = "".join(f"; {c} not executed here: {w}" for c, w in skipped.items())
    detail = (
        f"{len(names)} JUnit classes passed on the JVM in {result.seconds:.1f}s ({short}) for "
        f"{', '.join(runnable)}{not_run}; " + COVERAGE
        if result.ok
        else "device tests failed on the host run:\n" + result.output[-4000:]
    )
    data = {"tests": names, "backends": runnable, "skipped": skipped, "seconds": round(result.seconds, 1)}
    return Check(NAME, "passed" if result.ok else "failed", detail, data)


def _stand_in_classes(compiler: Any, junit: tuple[Path, ...], work: Path) -> tuple[Path | None, str]:
    """The compiled stand-ins, shared by every build through the stage cache's folder (keyed by their sources
    and the compiler); compiled into ``work`` and moved into place when absent."""
    from sdkgen.cache import default_root
    from sdkgen.check.kotlin import compile_kotlin

    target = default_root() / "hostrun" / f"android-{sources_digest()}-{compiler.version}"
    if (target / "done").is_file():
        return target, ""
    scratch = work / "runtime-classes"
    built = compile_kotlin([ANDROID_SOURCES], scratch, junit, compiler=compiler)
    if not built.ok:
        return None, built.diagnostics[-4000:]
    (scratch / "done").write_text("ok\n", encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        scratch.rename(target)
    except OSError:  # another build put it there first (or the folders are on two file systems)
        return (target, "") if (target / "done").is_file() else (scratch, "")
    return target, ""


def host_backends(targets: list[tuple[str, str]]) -> dict[str, str | None]:
    """``(backend case, target)`` pairs in config order -> the ``backends`` argument of :func:`run`."""
    return {
        case: None if target in HOST_TARGETS else f"{target} needs hardware or a runtime this host lacks"
        for case, target in targets
    }
