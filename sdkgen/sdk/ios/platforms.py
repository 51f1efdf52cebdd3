"""The platforms a generated Swift package declares, derived from what it ships.

Contract: :func:`derive` returns the package's iOS minimum as the highest of ``ios.minimum_ios`` (from
sdkgen.toml), what the generated code itself needs (:data:`CODE_MIN_IOS`, per task) and, for each artifact
that ships on iOS, what its target needs for the task and the recipe it was built with
(:meth:`TargetInfo.min_ios_for <sdkgen.runtimes.base.TargetInfo.min_ios_for>`: Core ML text generation keeps
its KV cache in ``MLState``, iOS 18; Core ML int4 needs iOS 18) and the ``min_ios`` recorded in the artifact.
The macOS minimum is the macOS of the same SDK year (:data:`MACOS_FOR_IOS`), so the APIs that set the iOS
minimum exist there too. ``reason`` is one line saying which of these set the iOS version; ``Package.swift``
carries it as a comment. Deterministic; raises :class:`ConfigError` for an iOS version that has no macOS
counterpart in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sdkgen.errors import ConfigError
from sdkgen.runtimes import TargetInfo
from sdkgen.runtimes.base import version_tuple
from sdkgen.spec import ArtifactSpec, ModelSpec

#: iOS major version -> the macOS major version released with the same SDK (minor versions pair up too:
#: iOS 17.4 and macOS 14.4). From iOS 26 on, both carry the year's number.
MACOS_FOR_IOS = {14: 11, 15: 12, 16: 13, 17: 14, 18: 15}
_SAME_NUMBER_FROM = 26

#: What the generated code needs on its own, per task, and why: text generation's actor runs on a custom
#: executor (``SerialExecutor.enqueue(_: ExecutorJob)``, iOS 17 / macOS 14).
CODE_MIN_IOS = {"text-generation": ("17.0", "the actor's executor (ExecutorJob)")}


@dataclass(frozen=True)
class Platforms:
    """``ios`` and ``macos`` minimum versions (``"18.0"``), and ``reason``: one line on where ``ios`` comes from."""

    ios: str
    macos: str
    reason: str


def macos_for(ios: str) -> str:
    """The macOS version of the same SDK as iOS ``ios`` (``"18.0"`` -> ``"15.0"``)."""
    major, *rest = version_tuple(ios)
    if major >= _SAME_NUMBER_FROM:
        mac = major
    elif major in MACOS_FOR_IOS:
        mac = MACOS_FOR_IOS[major]
    else:
        raise ConfigError(
            f"iOS {ios} has no macOS counterpart that sdkgen knows",
            hint=f"set ios.minimum_ios to a released iOS version from {min(MACOS_FOR_IOS)}.0 on",
        )
    return ".".join(str(p) for p in (mac, *(rest or [0])))


def derive(spec: ModelSpec, engines: list[tuple[ArtifactSpec, TargetInfo]]) -> Platforms:
    """The package's platforms for ``spec`` shipping ``engines`` (the artifacts that serve iOS)."""
    needs: list[tuple[str, str]] = []
    if spec.task in CODE_MIN_IOS:
        needs.append(CODE_MIN_IOS[spec.task])
    for artifact, info in engines:
        who = artifact.target + (f" ({artifact.recipe})" if artifact.recipe != "none" else "")
        needs += [(v, who) for v in (info.min_ios_for(spec.task, artifact.recipe), artifact.min_ios) if v]
    config = spec.ios.minimum_ios
    highest = max((v for v, _ in needs), key=version_tuple, default=config)
    names = list(dict.fromkeys(w for v, w in needs if version_tuple(v) == version_tuple(highest)))
    setters = f"{', '.join(names)} {'need' if len(names) > 1 else 'needs'}"
    if version_tuple(config) > version_tuple(highest):
        ios, why = config, f"ios.minimum_ios in sdkgen.toml ({spec.task} here needs {highest})"
    elif version_tuple(config) == version_tuple(highest):
        ios, why = config, f"what {setters} for {spec.task}" if needs else "ios.minimum_ios in sdkgen.toml"
    else:
        ios, why = highest, f"what {setters} for {spec.task}, above ios.minimum_ios = {config}"
    macos = macos_for(ios)
    return Platforms(ios=ios, macos=macos, reason=f"iOS {ios}: {why}; macOS {macos}: the same SDK year")
