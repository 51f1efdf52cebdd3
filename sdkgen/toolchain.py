"""What is installed: Python packages, compilers and SDKs, with versions and how to get what is missing.

Used by ``sdkgen doctor``, by the build (to fail early with an install hint) and by the report.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version

from sdkgen.errors import ToolchainMissing
from sdkgen.runtimes.base import TargetInfo
from sdkgen.system import install_command


@dataclass(frozen=True)
class Tool:
    name: str
    available: bool
    version: str | None
    detail: str
    install: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


#: Python distributions sdkgen uses, the import name, and the extra that installs it.
PACKAGES = (
    ("torch", "torch", "executorch"),
    ("executorch", "executorch", "executorch"),
    ("torchao", "torchao", "executorch"),
    ("transformers", "transformers", "executorch"),
    ("tokenizers", "tokenizers", "executorch"),
    ("coremltools", "coremltools", "coreml"),
    ("litert-torch", "litert_torch", "litert"),
    ("ai-edge-litert", "ai_edge_litert", "litert"),
    ("tensorflow-cpu", "tensorflow", "tensorflow"),
    # Imported below tensorflow_lite_support.metadata, installed without its deps (see runtimes/litert/metadata).
    ("tflite-support", "tensorflow_lite_support", "litert"),
    ("kotlin-jupyter-kernel", "kotlin_kernel", "check"),
)


def package_version(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def installed_version(dist: str, extra: str) -> str:
    """The installed version of ``dist``; :class:`ToolchainMissing` naming the extra when it is absent."""
    v = package_version(dist)
    if v is None:
        raise ToolchainMissing(f"{dist} is not installed", hint=f"pip install 'sdkgen[{extra}]'")
    return v


#: Packages that an extra cannot install (a dependency pin conflicts), with the command that does.
_INSTALL = {"tflite-support": "pip install --no-deps tflite-support==0.4.4 (TFLite metadata; needs libusb-1.0)"}


def python_packages() -> list[Tool]:
    tools = []
    for dist, module, extra in PACKAGES:
        v = package_version(dist)
        how = _INSTALL.get(dist, f"pip install 'sdkgen[{extra}]'")
        tools.append(Tool(dist, v is not None, v, f"import {module}", None if v else how))
    return tools


def target_unavailable(info: TargetInfo) -> ToolchainMissing | None:
    """Why ``info`` cannot be built on this machine (modules or SDK variables missing), or ``None``."""
    missing = [m for m in info.modules if not _importable(m)]
    if missing:
        return ToolchainMissing(
            f"target {info.name!r} needs the Python modules {', '.join(missing)}, which are not installed",
            hint=info.install_hint or f"pip install 'sdkgen[{info.extra}]'",
        )
    unset = [v for v in info.requires_env if not os.environ.get(v)]
    if unset:
        return ToolchainMissing(
            f"target {info.name!r} needs {', '.join(unset)} set", hint=info.install_hint or f"set {unset[0]}"
        )
    return None


def targets() -> list[Tool]:
    """Every registered target and whether this machine can build it."""
    from sdkgen.runtimes import TARGETS, load_runtimes

    load_runtimes()
    tools = []
    for name in TARGETS.names():
        info = TARGETS.get(name)
        why = target_unavailable(info)
        detail = f"{'/'.join(info.platforms)}; tasks: {', '.join(info.tasks)}"
        tools.append(
            Tool(
                name,
                why is None,
                None,
                detail if why is None else f"{detail}; {why.message}",
                None if why is None else why.hint,
            )
        )
    return tools


def require_modules(modules: tuple[str, ...], extra: str, what: str) -> None:
    """Raise :class:`ToolchainMissing` naming the extra when any of ``modules`` cannot be imported."""
    missing = [m for m in modules if not _importable(m)]
    if missing:
        raise ToolchainMissing(
            f"{what} needs the Python packages {', '.join(missing)}, which are not installed",
            hint=f"pip install 'sdkgen[{extra}]'",
        )


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module blocked in sys.modules
        return False


def system_packages() -> list[Tool]:
    """Every Debian package of :data:`sdkgen.system.SYSTEM_PACKAGES`, present or not, with its install command."""
    from sdkgen.system import SYSTEM_PACKAGES

    tools = []
    for p in SYSTEM_PACKAGES:
        ok = p.present()
        detail = p.needed_by + (" (the test suite only)" if p.scope == "tests" else "")
        tools.append(Tool(p.name, ok, None, detail, None if ok else install_command(p.name)))
    return tools


def compilers() -> list[Tool]:
    from sdkgen.check.kotlin import find_kotlin_compiler
    from sdkgen.check.swift import find_swift

    tools = []
    kc = find_kotlin_compiler()
    tools.append(
        Tool(
            "kotlin",
            kc is not None,
            kc.version if kc else None,
            "compiles the generated Kotlin core",
            None if kc else "pip install 'sdkgen[check]' (kotlin-jupyter-kernel) or install kotlinc",
        )
    )
    java = shutil.which("java")
    tools.append(
        Tool(
            "java",
            java is not None,
            None,
            java or "needed by the Kotlin compiler",
            None if java else install_command("openjdk-17-jdk-headless"),
        )
    )
    sw = find_swift()
    tools.append(
        Tool(
            "swift",
            sw is not None,
            sw.version if sw else None,
            "builds the generated Swift core",
            None if sw else "install a Swift toolchain (swift.org) and put it on PATH or in /opt/swift",
        )
    )
    return tools


def device_sdks() -> list[Tool]:
    android = os.environ.get("ANDROID_HOME") or os.environ.get("ANDROID_SDK_ROOT")
    gradle = shutil.which("gradle")
    xcrun = shutil.which("xcrun")
    return [
        Tool(
            "android-sdk",
            bool(android),
            None,
            android or "builds and tests the Android library (Gradle)",
            None if android else "install the Android SDK command-line tools and set ANDROID_HOME",
        ),
        Tool(
            "gradle",
            gradle is not None,
            None,
            gradle or "builds the Android library",
            None if gradle else "install Gradle 8.9+ (or use a wrapper in your app)",
        ),
        Tool(
            "xcode",
            xcrun is not None,
            None,
            xcrun or "builds the Swift package for iOS; needs macOS",
            None if xcrun else "run on macOS with Xcode 16+",
        ),
    ]


def host() -> dict[str, str]:
    return {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine()}
