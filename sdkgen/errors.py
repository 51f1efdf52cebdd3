"""The sdkgen error hierarchy.

Every error says what failed, the offending value, the valid choices where there are any, and a
``hint:`` line with the fix. The CLI prints ``str(error)`` and exits with ``error.exit_code``.

    SdkgenError
    ├── ConfigError          bad sdkgen.toml (exit 2)
    ├── ModelLoadError       missing / corrupt checkpoint, unsupported architecture, data files that do
    │   │                    not fit the model: tokenizer, labels, calibration (exit 7)
    │   └── RuntimeVersionMismatch   an artifact's runtime version and the SDK's pin disagree (exit 10)
    ├── UnknownNameError     a name not in a registry (exit 2)
    ├── OutputPathError      the output folder cannot be written (exit 2)
    │   └── OutputBusy       another build holds the output folder's lock (exit 8)
    ├── InsufficientResources   too little memory or disk for the conversion, estimated first (exit 9)
    ├── ToolchainMissing     a runtime, compiler or SDK is not installed (exit 4)
    ├── StageError           a pipeline stage failed while running (exit 1)
    ├── VerificationFailed   an artifact disagrees with the eager model, on the host or a device (exit 3)
    │   └── QualityGateFailed   only quality gates failed: perplexity, accuracy, cosine (exit 5)
    ├── DeviceError          an emulator / simulator did not boot, an install failed (exit 6)
    └── CheckFailed          generated code does not compile / its tests fail (exit 1)

The exit codes are the CLI's contract with CI systems (:data:`EXIT_CODES`, documented in the README).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "EXIT_CODES",
    "CheckFailed",
    "ConfigError",
    "DeviceError",
    "InsufficientResources",
    "ModelLoadError",
    "OutputBusy",
    "OutputPathError",
    "QualityGateFailed",
    "RuntimeVersionMismatch",
    "SdkgenError",
    "StageError",
    "ToolchainMissing",
    "UnknownNameError",
    "VerificationFailed",
]


#: Every exit code of the ``sdkgen`` command and what it means; stable across releases.
EXIT_CODES: dict[int, str] = {
    0: "success: every check that ran passed (some may be reported as not executed here)",
    1: "a stage failed while running, or generated code did not compile",
    2: "bad input: the config, the output path or the command-line arguments",
    3: "verification failed: an artifact disagrees with the eager model (host or device golden tests)",
    4: "a needed toolchain is missing: a runtime, compiler, Android SDK or Xcode",
    5: "a quality gate failed: perplexity, accuracy, label agreement or cosine below its verify.* bound",
    6: "a device failed: the emulator or simulator did not boot in time, or the test app did not install",
    7: "bad model or data files: a missing or truncated checkpoint, an unsupported architecture, or a tokenizer, "
    "label list or calibration set that does not fit the model",
    8: "the output folder is in use: another sdkgen build holds its lock",
    9: "this host has too little memory for the conversion (estimated before it starts)",
    10: "runtime version mismatch: an artifact written by one runtime version, an SDK pinned to another",
    130: "interrupted (SIGINT, Ctrl-C): the output folder holds what the last finished build wrote",
    143: "terminated (SIGTERM, e.g. a cancelled CI job): the output folder holds what the last finished build wrote",
}


class SdkgenError(Exception):
    """Base class: a message, optional valid choices, and a hint line."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, choices: Iterable[str] | None = None) -> None:
        self.message = message
        self.hint = hint
        self.choices = sorted(choices) if choices is not None else None
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.message]
        if self.choices is not None:
            lines.append("valid choices: " + ", ".join(self.choices))
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class ConfigError(SdkgenError, ValueError):
    exit_code = 2


class ModelLoadError(SdkgenError):
    """The model or a data file beside it (tokenizer, labels, calibration, evaluation data) is missing,
    damaged or does not fit the model."""

    exit_code = 7


class RuntimeVersionMismatch(ModelLoadError):
    """An artifact written by another version of its runtime than the one installed here, or than the one
    the generated SDK links."""

    exit_code = 10


class UnknownNameError(SdkgenError, KeyError):
    exit_code = 2

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.render()


class OutputPathError(SdkgenError):
    exit_code = 2


class OutputBusy(OutputPathError):
    """Another build holds the output folder's lock."""

    exit_code = 8


class InsufficientResources(SdkgenError):
    """The host has too little memory (or disk) for a conversion, estimated before it starts."""

    exit_code = 9


class ToolchainMissing(SdkgenError):
    exit_code = 4


class StageError(SdkgenError):
    exit_code = 1


class VerificationFailed(SdkgenError):
    """``report`` is the build report of the rejected output, when there is one."""

    exit_code = 3
    report: dict[str, object] | None = None


class QualityGateFailed(VerificationFailed):
    """Every failed check was a quality gate (its ``gate`` names the ``verify.*`` setting)."""

    exit_code = 5


class DeviceError(SdkgenError):
    """The device side failed before the tests could judge the SDK: boot timeout, install failure."""

    exit_code = 6


class CheckFailed(SdkgenError):
    exit_code = 1
