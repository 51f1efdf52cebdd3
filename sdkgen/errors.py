"""The sdkgen error hierarchy.

Every error says what failed, the offending value, the valid choices where there are any, and a
``hint:`` line with the fix. The CLI prints ``str(error)`` and exits with ``error.exit_code``.

    SdkgenError
    ├── ConfigError          bad sdkgen.toml (exit 2)
    ├── ModelLoadError       missing / corrupt checkpoint, unsupported architecture (exit 2)
    ├── UnknownNameError     a name not in a registry (exit 2)
    ├── OutputPathError      the output folder cannot be written (exit 2)
    ├── ToolchainMissing     a runtime, compiler or SDK is not installed (exit 4)
    ├── StageError           a pipeline stage failed while running (exit 1)
    ├── VerificationFailed   an artifact disagrees with the eager model (exit 3)
    └── CheckFailed          generated code does not compile / its tests fail (exit 1)
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CheckFailed",
    "ConfigError",
    "ModelLoadError",
    "OutputPathError",
    "SdkgenError",
    "StageError",
    "ToolchainMissing",
    "UnknownNameError",
    "VerificationFailed",
]


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
    exit_code = 2


class RuntimeVersionMismatch(ModelLoadError):
    """An artifact written by another version of its runtime than the one installed here."""


class UnknownNameError(SdkgenError, KeyError):
    exit_code = 2

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.render()


class OutputPathError(SdkgenError):
    exit_code = 2


class ToolchainMissing(SdkgenError):
    exit_code = 4


class StageError(SdkgenError):
    exit_code = 1


class VerificationFailed(SdkgenError):
    """``report`` is the build report of the rejected output, when there is one."""

    exit_code = 3
    report: dict[str, object] | None = None


class CheckFailed(SdkgenError):
    exit_code = 1
