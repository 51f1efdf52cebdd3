"""Which mobile runtime loads what the installed exporter writes, checked against the generated SDKs.

The table, per runtime (``RULES``):

========== ============================================ ================================================
runtime    the exporter on the host writes               the phone needs (what the SDK pins)
========== ============================================ ================================================
executorch ``.pte`` with executorch X.Y.Z                the ExecuTorch runtime X.Y.*: the AAR
                                                         ``org.pytorch:executorch-android[-flavour]``
                                                         and the Swift package branch ``swiftpm-X.Y.*``
litert     ``.tflite`` with ai-edge-litert X.Y.Z         ``com.google.ai.edge.litert:litert`` X.Y or
                                                         newer (a runtime reads the flatbuffers of its
                                                         own and older converters; an older one lacks
                                                         newer operator versions)
coreml     ``.mlpackage`` of specification version N     iOS ``SPEC_VERSION_IOS[N]`` or newer (Core ML
           (coremltools' ``minimum_deployment_target``)  is part of the OS: the pin is ``Package.swift``'s
                                                         ``platforms: [.iOS(...)]``)
========== ============================================ ================================================

Every artifact also needs the platform minimum its target declares (``ArtifactSpec.min_ios``).

:func:`check_sdk` reads the pins from the generated files themselves (``build.gradle.kts``,
``Package.swift``) after the SDK stage, so whatever produced them, a pin that cannot load an artifact is a
:class:`~sdkgen.errors.RuntimeVersionMismatch` (exit 10) naming both versions and the fix, never a crash
on the phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdkgen.errors import RuntimeVersionMismatch
from sdkgen.spec import ArtifactSpec


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"2.13.0+cpu"`` -> ``(2, 13, 0)``, ``"1.5.0.dev1"`` ->
    ``(1, 5, 0)``."""
    parts = []
    for p in version.split("."):
        m = re.match(r"\d+", p)
        if m is None:
            break
        parts.append(int(m.group()))
        if m.end() != len(p):
            break
    return tuple(parts)


@dataclass(frozen=True)
class Rule:
    """One runtime's row of the table: the pins of the SDK for each platform (``(coordinate, version,
    file)`` found in the generated files), whether a pinned version loads what ``exported`` wrote, and
    what the phone needs, in words."""

    pins: Mapping[str, Callable[[Path], list[tuple[str, str, str]]]]
    loads: Callable[[str, str], bool]
    needs: Callable[[str], str]
    install: str  # the pip distribution of the exporter


def _gradle(pattern: str) -> Callable[[Path], list[tuple[str, str, str]]]:
    def pins(sdk: Path) -> list[tuple[str, str, str]]:
        f = sdk / "build.gradle.kts"
        text = f.read_text(encoding="utf-8") if f.is_file() else ""
        return [(m.group(1), m.group(2), f.name) for m in re.finditer(pattern, text)]

    return pins


def _swift_executorch(sdk: Path) -> list[tuple[str, str, str]]:
    f = sdk / "Package.swift"
    text = f.read_text(encoding="utf-8") if f.is_file() else ""
    found = re.finditer(r'url: "https://github\.com/pytorch/executorch\.git", branch: "swiftpm-([^"]+)"', text)
    return [("executorch Swift package (swiftpm branch)", m.group(1), f.name) for m in found]


def _same_minor(pinned: str, exported: str) -> bool:
    return release(pinned)[:2] == release(exported)[:2]


def _at_least_minor(pinned: str, exported: str) -> bool:
    return release(pinned)[:2] >= release(exported)[:2]


def _minor(version: str) -> str:
    return ".".join(str(p) for p in release(version)[:2])


RULES: dict[str, Rule] = {
    "executorch": Rule(
        pins={
            "android": _gradle(r'"org\.pytorch:(executorch-android[\w-]*)"\) \{ version \{ strictly\("([^"]+)"\)'),
            "ios": _swift_executorch,
        },
        loads=_same_minor,
        needs=lambda v: f"the ExecuTorch {_minor(v)}.x runtime",
        install="executorch",
    ),
    "litert": Rule(
        pins={"android": _gradle(r'"com\.google\.ai\.edge\.litert:(litert[\w-]*):([^"]+)"')},
        loads=_at_least_minor,
        needs=lambda v: f"LiteRT {_minor(v)} or newer",
        install="ai-edge-litert",
    ),
}


def minimum_ios(sdk: Path) -> str | None:
    """The iOS version ``Package.swift`` declares (``platforms: [.iOS("17.0"), ...]``), or ``None``."""
    f = sdk / "Package.swift"
    m = re.search(r'\.iOS\("([^"]+)"\)', f.read_text(encoding="utf-8")) if f.is_file() else None
    return m.group(1) if m else None


def check_sdk(
    platform: str, sdk: Path, artifacts: list[ArtifactSpec], files: Mapping[str, Path]
) -> list[dict[str, Any]]:
    """Check that the SDK generated in ``sdk`` for ``platform`` loads every artifact it ships (``artifacts``;
    ``files`` maps their names to the artifact files). Returns one entry per (artifact, pin) checked, for the
    report; raises :class:`RuntimeVersionMismatch` on the first pin that cannot load an artifact."""
    checked: list[dict[str, Any]] = []
    where = f"the generated {'Android library' if platform == 'android' else 'Swift package'}"
    for a in artifacts:
        rule = RULES.get(a.runtime)
        if rule is not None and platform in rule.pins:
            pins = rule.pins[platform](sdk)
            if not pins:
                raise RuntimeVersionMismatch(
                    f"{a.file} was exported by {a.runtime} {a.runtime_version}, and {where} does not depend on "
                    f"{a.runtime} at all (no pin found in {platform}/)",
                    hint=f"the SDK must link {rule.needs(a.runtime_version)}; regenerate it with `sdkgen build`",
                )
            for coordinate, pinned, file in pins:
                if not rule.loads(pinned, a.runtime_version):
                    raise RuntimeVersionMismatch(
                        f"{a.file} was exported by {a.runtime} {a.runtime_version}, but {where} pins {coordinate} "
                        f"{pinned} ({platform}/{file}); the artifact needs {rule.needs(a.runtime_version)}",
                        hint=f"pin {coordinate} to {a.runtime_version}, or export the artifact with the runtime "
                        f"the app ships: pip install '{rule.install}=={pinned}' and run `sdkgen build` again",
                    )
                checked.append(_entry(a, f"{coordinate} {pinned}", f"{platform}/{file}"))
        if platform == "ios":
            checked += _check_ios_minimum(sdk, a, files.get(a.file), where)
    return checked


def _check_ios_minimum(sdk: Path, a: ArtifactSpec, file: Path | None, where: str) -> list[dict[str, Any]]:
    """The package's iOS version against the artifact's target minimum and, for a Core ML package, the iOS
    of its specification version."""
    declared = minimum_ios(sdk)
    needs = [(a.min_ios, f"target {a.target} runs on iOS {a.min_ios} or newer")] if a.min_ios else []
    if a.runtime == "coreml" and file is not None:
        from sdkgen.runtimes.coreml.inspect import spec_versions

        v = spec_versions(file)
        if v["minimum_ios"] is None:
            raise RuntimeVersionMismatch(
                f"{a.file} has Core ML specification version {v['specification_version']}, which sdkgen does not "
                f"know the iOS version of (coremltools {v['coremltools']})",
                hint="use the coremltools version sdkgen supports (`sdkgen doctor`), or update sdkgen",
            )
        needs.append(
            (
                v["minimum_ios"],
                f"Core ML specification version {v['specification_version']} loads on iOS {v['minimum_ios']}",
            )
        )
    checked = []
    for version, why in needs:
        if declared is None or release(declared) < release(version):
            raise RuntimeVersionMismatch(
                f"{a.file} needs iOS {version} ({why}), but {where} declares iOS {declared} (ios/Package.swift)",
                hint=f'set ios.minimum_ios = "{version}" in sdkgen.toml, or build this target for an older iOS',
            )
        checked.append(_entry(a, f"iOS {declared}", "ios/Package.swift", needs=f"iOS {version}"))
    return checked


def _entry(a: ArtifactSpec, pin: str, file: str, needs: str | None = None) -> dict[str, Any]:
    return {
        "artifact": a.file,
        "exported_by": f"{a.runtime} {a.runtime_version}",
        "pinned": pin,
        "file": file,
        "needs": needs or RULES[a.runtime].needs(a.runtime_version),
        "status": "passed",
    }
