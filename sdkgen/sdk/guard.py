"""What a ModelSpec must satisfy before SDK templates see it.

Most of a spec reaches generated code only through the views' escaping (string literals, comment and
Markdown text; :mod:`sdkgen.sdk.naming`): labels, texts, prompts, tensor names and the model name may hold
any character. A few fields cannot be escaped because they *are* syntax or paths: the Kotlin package, the
Swift module, the Maven coordinates, versions, and the names of the files the SDK ships (the model name is
the Android asset folder). :func:`check_spec` refuses a spec whose such field is not what the config loader
would accept, with a :class:`~sdkgen.errors.ConfigError` naming the field, the value and the fix, before
anything is written. ``sdkgen build`` never makes such a spec from a valid ``sdkgen.toml``; a hand-edited
``model-spec.json`` or a model folder with odd file names can.
"""

from __future__ import annotations

import re

from sdkgen.errors import ConfigError
from sdkgen.sdk.render import path_segment_problem
from sdkgen.spec import ModelSpec

KOTLIN_PACKAGE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
SWIFT_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAVEN_PART = re.compile(r"[A-Za-z0-9_.\-]+")
OS_VERSION = re.compile(r"\d+(\.\d+){0,2}")
#: A runtime version as packages write it (``1.5.1``, ``2.3.0rc1``, ``0.10.0+cpu``): it is a Gradle coordinate's
#: version and part of a Swift package branch name.
RUNTIME_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_\-]*")


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a file the SDK ships (an asset or resource beside the model), or ``None``: it
    must be one path segment (:func:`~sdkgen.sdk.render.path_segment_problem`), have a stem and an extension
    (the Swift package looks resources up by both), and not start with '.' nor end with '~' (Android's asset
    packager leaves such files out)."""
    problem = path_segment_problem(name)
    if problem:
        return problem
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext:
        return "has no 'name.extension' form"
    if name.startswith(".") or name.endswith("~"):
        return "starts with '.' or ends with '~' (Android's asset packager skips such files)"
    return None


def check_spec(spec: ModelSpec) -> None:
    """Refuse ``spec`` (ConfigError, exit 2) when a field that generated code uses as syntax or as a path is
    invalid; see the module docstring."""
    # sdkgen.sdk.android and sdkgen.sdk.ios import this module: their naming rules are imported here.
    from sdkgen.sdk.android.naming import check_package
    from sdkgen.sdk.ios.naming import check_module

    problem = path_segment_problem(spec.name)
    if problem is None and spec.name[0] in "._":
        problem = "starts with '.' or '_' (Android's asset packager skips such folders)"
    if problem:
        _refuse("name", spec.name, problem, "set model.name to letters, digits, '.', '_' and '-' (e.g. 'tiny-llm')")
    for i, a in enumerate(spec.artifacts):
        problem = file_name_problem(a.file)
        if problem:
            _refuse(f"artifacts[{i}].file", a.file, problem, "name the artifact <model>-<delegate>.<extension>")
        if not RUNTIME_VERSION.fullmatch(a.runtime_version):
            _refuse(
                f"artifacts[{i}].runtime_version",
                a.runtime_version,
                "is not a version (letters, digits, '.', '+', '_', '-')",
                "rebuild the artifact with an installed runtime",
            )
    if spec.tokenizer is not None:
        problem = file_name_problem(spec.tokenizer.file)
        if problem:
            _refuse("tokenizer.file", spec.tokenizer.file, problem, "rename the tokenizer file in the model folder")
    pkg = spec.android.package
    if not KOTLIN_PACKAGE.fullmatch(pkg):
        _refuse(
            "android.package", pkg, "is not a lower-case dotted Kotlin package", "set android.package = 'com.example.x'"
        )
    keyword = check_package(pkg)
    if keyword:
        _refuse("android.package", pkg, keyword, "rename that segment")
    for field in ("group", "artifact", "version"):
        value = getattr(spec.android, field)
        if not MAVEN_PART.fullmatch(value):
            _refuse(
                f"android.{field}",
                value,
                "is not a Maven coordinate part (letters, digits, '.', '_', '-')",
                f"set android.{field} in sdkgen.toml",
            )
    if not SWIFT_MODULE.fullmatch(spec.ios.module):
        _refuse("ios.module", spec.ios.module, "is not a Swift identifier", "set ios.module = 'TinyLlm'")
    if (problem := check_module(spec.ios.module)) is not None:
        _refuse("ios.module", spec.ios.module, f"cannot be a module name: {problem}", "set ios.module = 'TinyLlmKit'")
    if not OS_VERSION.fullmatch(spec.ios.minimum_ios):
        _refuse("ios.minimum_ios", spec.ios.minimum_ios, "is not a version such as '17.0'", "set ios.minimum_ios")


def _refuse(field: str, value: str, problem: str, hint: str) -> None:
    shown = value if len(value) <= 80 else value[:80] + f"... ({len(value)} characters)"
    raise ConfigError(f"model spec: {field} = {shown!r} {problem}; it cannot be used in generated code", hint=hint)
