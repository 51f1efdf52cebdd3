"""Run the generated SDKs' runtime bindings on this host, over the real runtimes.

The generated Kotlin (and Swift) calls ExecuTorch's ``Module``/``Tensor``/``EValue`` and LiteRT's
``CompiledModel``/``TensorBuffer``. On a phone those classes reach the runtime through JNI (Android) or
Objective-C++ (iOS). Here, host stand-ins with the same public API (``android/``, static sources compiled at
check time; ``ios/``, a Swift package served to SwiftPM as a mirror) reach the same runtimes through
:mod:`sdkgen.hostrun.bridge`: a Python process that runs the very ``.pte`` through ExecuTorch's pybindings (the
C++ runtime of the wheel, with the LLM custom ops) and the very ``.tflite`` through LiteRT's interpreter. What
this covers and what it does not is in :data:`COVERAGE` (and :data:`sdkgen.hostrun.ios.COVERAGE`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ANDROID_SOURCES = Path(__file__).resolve().parent / "android"

#: Set (to anything) to skip the host runs, e.g. in test suites whose builds are about something else; part of
#: the check stage's cache key (:func:`sdkgen.sdk.check.checker_key`).
SKIP_ENV = "SDKGEN_SKIP_HOST_RUN"

#: The Android targets whose artifacts this host executes (the stand-ins' runtimes: ExecuTorch's portable and
#: XNNPACK CPU kernels, LiteRT's CPU); the device tests of the others are skipped and reported as such.
HOST_TARGETS = ("executorch:xnnpack", "litert:cpu")

#: What a host run of the bindings does not exercise; the report quotes it beside the result.
COVERAGE = (
    "runs the generated bindings and their golden tests on the JVM over the real runtimes (ExecuTorch "
    "pybindings, LiteRT interpreter) through host stand-ins of the runtime classes; not covered: the "
    "runtimes' JNI layer, the Android framework (assets, storage and Bitmap are host stand-ins), the ARM ABI "
    "and delegates this host lacks (Vulkan, Core ML, NPUs)"
)


def sources_digest() -> str:
    """sha256 of the stand-ins and the bridge: part of the check stage's cache key."""
    h = hashlib.sha256()
    root = ANDROID_SOURCES.parent
    ios = root / "ios"
    for f in sorted(
        [*ANDROID_SOURCES.rglob("*"), *ios.rglob("*"), root / "bridge.py", root / "android.py", root / "ios.py"]
    ):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]
