"""``sdkgen ci github``: a GitHub Actions workflow that runs sdkgen as the team's build step.

Contract: :func:`render_workflow` turns a loaded config into the text of one workflow
(``templates/ci/github/sdkgen.yml.jinja``) with up to three jobs: ``build`` (ubuntu: ``sdkgen build --check``
with the stage cache restored and saved by ``actions/cache``, the build and its JUnit XML uploaded, the results
in the job summary), ``android`` (an x86_64 emulator with KVM running ``sdkgen test android``, with the Gradle
that builds its test APK) when a target ships on Android, and ``ios`` (a macOS simulator running ``sdkgen test
ios``) when a target ships on iOS. Each job installs sdkgen with ``pip`` from the requirement ``--sdkgen-spec``
gives (:func:`install_requirement`; default this version from PyPI). Every
value the template prints is already a YAML scalar (strings are JSON-quoted, which YAML reads as double-quoted
scalars); values reach shell steps through ``env`` or shell quoting, never as bare text. Paths in the workflow
are relative to the repository root (the working directory); a config outside it is a
:class:`~sdkgen.errors.ConfigError`. The text is deterministic: no dates, no absolute paths, no host facts.

:func:`write_workflow` refuses to replace an existing file unless ``force`` and writes atomically.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sdkgen import __version__
from sdkgen.cache import write_text_atomic
from sdkgen.devices import run_folder
from sdkgen.errors import EXIT_CODES, ConfigError, OutputPathError

if TYPE_CHECKING:
    from sdkgen.config import BuildConfig

# The config, runtime registry, SDK and template modules are imported where they are used: `sdkgen` builds
# this command's parser on every run, and importing them here cost every command about 150 ms at start-up.

__all__ = [
    "ACTIONS",
    "DEFAULT_OUT",
    "DEFAULT_SPEC",
    "install_requirement",
    "render_workflow",
    "workflow_view",
    "write_workflow",
]

DEFAULT_OUT = Path(".github/workflows/sdkgen.yml")
TEMPLATE = "sdkgen.yml.jinja"

#: Every action the workflow uses, pinned to the commit of a release tag (the comment names the tag): a tag can
#: be moved to other code, a commit cannot. Read from each action's repository; Dependabot's
#: ``github-actions`` ecosystem keeps such pins and their comments up to date.
ACTIONS = {
    "checkout": "actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
    "setup_python": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0",
    "setup_java": "actions/setup-java@cf277c60eb25467037889841efdb72551f06f6c3 # v4.9.1",
    "cache": "actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0",
    "upload_artifact": "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2",
    "download_artifact": "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0",
    "android_emulator": "reactivecircus/android-emulator-runner@e89f39f1abbbd05b1113a29cf4db69e7540cae5a # v2.37.0",
    "setup_gradle": "gradle/actions/setup-gradle@9c971963bec38e04b3d30dcc455b5382be2fdbfb # v6.3.0",
}
PYTHON_VERSION = "3.11"
JAVA_VERSION = 17
#: The Gradle that builds the harness's test APK (``sdkgen test android`` runs ``gradle`` from PATH). The runner
#: image has a Gradle too, but it follows Gradle's releases (8.12 in early 2025, 9.0 by September 2025) while
#: the harness pins Android Gradle Plugin ``AGP_VERSION`` (sdkgen/sdk/android), which needs Gradle 8.9 or newer
#: of the same major version; ``gradle/actions/setup-gradle`` puts this one on PATH (with its open-source cache).
GRADLE_VERSION = "8.11.1"
ANDROID_SERIAL = "emulator-5554"
IOS_RUNNER = "macos-15"
IOS_SIMULATOR = "iPhone 16"
#: Minutes per job: a cold build lowers every target; an emulator or simulator boots and installs once.
TIMEOUTS = {"build": 90, "android": 60, "ios": 60}
DIST = PurePosixPath("dist")
JUNIT = DIST / "sdkgen-junit.xml"

_PLAIN = re.compile(r"^[A-Za-z0-9_./@-]+( # [A-Za-z0-9_.-]+)?$")
#: The default ``--sdkgen-spec``: this version of sdkgen from PyPI.
DEFAULT_SPEC = f"sdkgen=={__version__}"
#: A requirement that starts with a distribution name (PEP 508): the name, its extras, and the rest (a version
#: specifier, ``@ URL``, a ``;`` marker, or nothing).
_NAMED = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?P<extras>\[[^\]]*\])?\s*(?P<rest>.*)", re.S
)
_AFTER_NAME = re.compile(r"(@|===?|~=|!=|<=?|>=?|;|$)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|zip)(\[[^\]]*\])?$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", nargs="?", type=Path, default=Path("samples/tiny-llm"), help="sdkgen.toml or its folder")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the workflow file (default: {DEFAULT_OUT})")
    p.add_argument("--force", action="store_true", help="overwrite an existing workflow")
    p.add_argument(
        "--sdkgen-spec",
        default=DEFAULT_SPEC,
        metavar="SPEC",
        help=(
            "the pip requirement each job installs sdkgen from: a version, a URL such as "
            "'sdkgen @ git+https://github.com/ORG/sdkgen@v0.1.0', or a wheel or folder in the repository "
            f"(default: {DEFAULT_SPEC}, from PyPI); the extras the targets need are added unless SPEC names extras"
        ),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sdkgen.config import load_config

    config = load_config(args.config)
    out = write_workflow(render_workflow(config, Path.cwd(), args.sdkgen_spec), args.out, force=args.force)
    print(f"wrote {out}: jobs {', '.join(_jobs(config))}; commit it and push to run sdkgen in GitHub Actions")
    return 0


def write_workflow(text: str, out: Path, *, force: bool = False) -> Path:
    """Write ``text`` to ``out`` atomically; :class:`OutputPathError` when ``out`` exists and not ``force``."""
    if out.is_dir():
        raise OutputPathError(f"{out} is a folder, not a workflow file", hint="pass a file path to --out")
    if out.exists() and not force:
        raise OutputPathError(
            f"{out} exists; not overwriting it",
            hint="pass --force to replace it, or --out to write the workflow elsewhere",
        )
    try:
        return write_text_atomic(out, text)
    except OSError as e:
        raise OutputPathError(f"cannot write {out}: {e.strerror}", hint="check the folder's permissions") from e


def render_workflow(config: BuildConfig, repo_root: Path, sdkgen_spec: str = DEFAULT_SPEC) -> str:
    """The workflow text for ``config``, with paths relative to ``repo_root`` (the repository's top folder),
    installing sdkgen from ``sdkgen_spec`` (see :func:`install_requirement`)."""
    view = workflow_view(config, repo_root, sdkgen_spec)
    from sdkgen.sdk.render import TEMPLATES_ROOT, environment

    return environment(TEMPLATES_ROOT / "ci" / "github").get_template(TEMPLATE).render(**view)


def workflow_view(config: BuildConfig, repo_root: Path, sdkgen_spec: str = DEFAULT_SPEC) -> dict[str, Any]:
    """The template data: every value a YAML scalar, every path relative to ``repo_root``."""
    from sdkgen.sdk.android import COMPILE_SDK

    config_file = _relative(config.root / "sdkgen.toml", repo_root)
    build_dir = DIST / config.name
    jobs = _jobs(config)
    build_spec, local = install_requirement(sdkgen_spec, _extras(config), repo_root)
    test_spec, _ = install_requirement(sdkgen_spec, [], repo_root)
    command = shlex.join(["sdkgen", "ci", "github", config_file.as_posix()])
    if sdkgen_spec != DEFAULT_SPEC:
        command += " --sdkgen-spec " + shlex.quote(sdkgen_spec)
    view: dict[str, Any] = {
        "header": f"{config.name}: build, verify and test the on-device model and its SDKs with sdkgen {__version__}",
        "command": command,
        "config_doc": str(config_file),
        "exit_codes": [f"{code:<4} {what}" for code, what in EXIT_CODES.items()],
        "actions": {k: _plain(v) for k, v in ACTIONS.items()},
        "python_version": _yaml(PYTHON_VERSION),
        "concurrency_group": _yaml("sdkgen-${{ github.workflow }}-${{ github.ref }}"),
        "config": _yaml(config_file.as_posix()),
        "build_dir": _yaml(build_dir.as_posix()),
        "build_timeout": TIMEOUTS["build"],
        "cache_path": _yaml("${{ env.SDKGEN_CACHE_DIR }}"),
        "cache_key": _yaml(_cache_prefix(config) + f"${{{{ hashFiles({_hash_patterns(config, repo_root)}) }}}}"),
        "cache_restore_key": _yaml(_cache_prefix(config)),
        "install_build": _yaml(_pip_install([build_spec, *_model_requirements(config)])),
        "install_test": _yaml(_pip_install([test_spec])),
        # A wheel or folder in the repository: the device jobs check it out too (the build job always does).
        "checkout_for_install": local,
        "build_command": _yaml(
            f'sdkgen build "$SDKGEN_CONFIG" --out {DIST} --check --junit {shlex.quote(JUNIT.as_posix())}'
        ),
        "android": None,
        "ios": None,
    }
    if "android" in jobs:
        results = PurePosixPath(run_folder(Path(build_dir), "android").as_posix())
        view["android"] = {
            "timeout": TIMEOUTS["android"],
            "java_version": JAVA_VERSION,
            # The emulator runs the API level the library compiles against (its minSdk is lower or equal).
            "api_level": COMPILE_SDK,
            "gradle_version": _yaml(GRADLE_VERSION),
            "command": _yaml(f'sdkgen test android "$SDKGEN_BUILD" --serial {ANDROID_SERIAL}'),
            "results": _yaml(results.as_posix()),
            "junit": _yaml((results / "junit.xml").as_posix()),
        }
    if "ios" in jobs:
        results = PurePosixPath(run_folder(Path(build_dir), "ios").as_posix())
        view["ios"] = {
            "runner": _plain(IOS_RUNNER),
            "timeout": TIMEOUTS["ios"],
            "command": _yaml(f'sdkgen test ios "$SDKGEN_BUILD" --simulator {shlex.quote(IOS_SIMULATOR)}'),
            "results": _yaml(results.as_posix()),
            "junit": _yaml((results / "junit.xml").as_posix()),
        }
    return view


def _jobs(config: BuildConfig) -> list[str]:
    """``build``, then each platform a target of ``config`` ships its artifact on."""
    from sdkgen.runtimes import TARGETS, load_runtimes

    load_runtimes()
    infos = [TARGETS.get(t) for t in config.targets]
    return ["build", *(p for p in ("android", "ios") if any(i.ships(p, config.model.task) for i in infos))]


def install_requirement(spec: str, extras: list[str], repo_root: Path) -> tuple[str, bool]:
    """The pip requirement that installs sdkgen from ``spec``, with ``extras`` added when ``spec`` names none, and
    whether it is a file or folder of the repository (which a job must check out before installing it).

    ``spec`` is one of: a requirement by name (``sdkgen``, ``sdkgen==0.1.0``, ``sdkgen>=0.1``, ``sdkgen @
    git+https://...``; extras go after the name); a bare remote URL (``git+https://github.com/org/sdkgen@v0.1.0``,
    which becomes ``sdkgen[extras] @ URL``); or a path relative to ``repo_root`` of a wheel, an sdist or a source
    folder (extras are appended, ``./path[extras]``, as pip accepts for local paths). :class:`ConfigError` for a
    control character, another distribution's name, a ``file:`` or local URL, an absolute path, a path outside
    the repository or missing from it, or text that is none of these."""
    if not spec.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in spec):
        raise ConfigError(f"--sdkgen-spec {spec!r} is empty or holds a control character", hint=_SPEC_HINT)
    spec = spec.strip()
    tail = f"[{','.join(extras)}]" if extras else ""
    if _URL.match(spec):
        _remote(spec, spec)
        return (f"sdkgen{tail} @ {spec}" if tail else spec), False
    named = _NAMED.fullmatch(spec)
    if named is not None and (named.group("rest").startswith("@") or not _looks_like_path(spec)):
        if not _AFTER_NAME.match(named.group("rest")):
            raise ConfigError(f"--sdkgen-spec {spec!r} is not a pip requirement", hint=_SPEC_HINT)
        if _canonical(named.group("name")) != "sdkgen":
            raise ConfigError(f"--sdkgen-spec {spec!r} names another distribution than sdkgen", hint=_SPEC_HINT)
        if named.group("rest").startswith("@"):
            _remote(named.group("rest")[1:].strip(), spec)
        if named.group("extras"):
            return spec, False
        return spec[: named.end("name")] + tail + spec[named.end("name") :], False
    if _looks_like_path(spec):
        path = PurePosixPath(re.sub(r"\[[^\]]*\]$", "", spec))
        if path.is_absolute() or spec.startswith("~") or "\\" in spec or ".." in path.parts:
            raise ConfigError(f"--sdkgen-spec {spec!r} is not a path inside the repository", hint=_SPEC_HINT)
        if not (repo_root / path).exists():
            raise ConfigError(
                f"--sdkgen-spec {spec!r}: {path} is not in the repository folder {repo_root.resolve()}",
                hint="commit the wheel (or sdkgen's source folder) to the repository at that path, or pass a git URL",
            )
        text = spec if spec.startswith(".") else f"./{spec}"  # pip reads an argument as a path when it looks like one
        return (text if spec.endswith("]") else text + tail), True
    raise ConfigError(f"--sdkgen-spec {spec!r} is not a pip requirement", hint=_SPEC_HINT)


_SPEC_HINT = (
    "pass a version (sdkgen==0.1.0), a URL ('sdkgen @ git+https://github.com/ORG/sdkgen@v0.1.0') or the "
    "repository-relative path of a sdkgen wheel or source folder (wheels/sdkgen-0.1.0-py3-none-any.whl)"
)


def _looks_like_path(spec: str) -> bool:
    return not _URL.match(spec) and (
        "/" in spec or "\\" in spec or spec.startswith((".", "~")) or bool(_ARCHIVE.search(spec))
    )


def _canonical(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _remote(url: str, spec: str) -> None:
    if not _URL.match(url) or url.lower().startswith("file:"):
        raise ConfigError(
            f"--sdkgen-spec {spec!r}: {url!r} is not a remote URL (the workflow runs on GitHub's machines)",
            hint=_SPEC_HINT,
        )


def _extras(config: BuildConfig) -> list[str]:
    """The extras the build needs: those the targets name, and ``check`` (the Kotlin compiler of the check
    stage)."""
    from sdkgen.runtimes import TARGETS, load_runtimes

    load_runtimes()
    return sorted({TARGETS.get(t).extra for t in config.targets} | {"check"})


def _model_requirements(config: BuildConfig) -> list[str]:
    """The distribution of a ``pkg:`` model source at the version installed here (none for other sources)."""
    reqs: list[str] = []
    from sdkgen.config import PACKAGE_SOURCE

    m = PACKAGE_SOURCE.fullmatch(config.model.source)
    if m is not None:
        top = m.group(1).split(".")[0]
        dists = sorted(importlib.metadata.packages_distributions().get(top, []))
        if not dists:
            raise ConfigError(
                f"model.source = {config.model.source!r}: the Python package {top!r} is not installed here, so "
                "the workflow cannot name the distribution to install",
                hint=f"pip install the distribution that provides {top!r}, then run sdkgen ci github again",
            )
        reqs += [f"{d}=={importlib.metadata.version(d)}" for d in dists]
    return reqs


def _hash_patterns(config: BuildConfig, repo_root: Path) -> str:
    """``hashFiles`` arguments: the config file and the model (a checkpoint folder's files, the file itself, or
    for a factory the config's folder, where its module and weights live), as expression string literals."""
    source = config.model.source
    patterns = [_relative(config.root / "sdkgen.toml", repo_root).as_posix()]
    from sdkgen.config import FACTORY_SOURCE, PACKAGE_SOURCE

    if FACTORY_SOURCE.fullmatch(source):
        patterns.append((_relative(config.root, repo_root) / "**").as_posix())
    elif PACKAGE_SOURCE.fullmatch(source) is None:
        model = _relative(config.root / source, repo_root)
        patterns.append((model / "**").as_posix() if (config.root / source).is_dir() else model.as_posix())
    # The expression language quotes strings with ' and escapes it by doubling.
    return ", ".join("'" + p.replace("'", "''") + "'" for p in patterns)


def _cache_prefix(config: BuildConfig) -> str:
    return f"sdkgen-{__version__}-${{{{ runner.os }}}}-{config.name}-"


def _pip_install(requirements: list[str]) -> str:
    return "python -m pip install " + " ".join(shlex.quote(r) for r in requirements)


def _relative(path: Path, repo_root: Path) -> PurePosixPath:
    """``path`` relative to ``repo_root`` (both resolved); :class:`ConfigError` when it lies outside."""
    resolved, root = path.resolve(), repo_root.resolve()
    if not resolved.is_relative_to(root):
        raise ConfigError(
            f"{path} is outside the repository folder {root}; the workflow can only name files in the repository",
            hint="run `sdkgen ci github` from the repository's top folder with a config inside it",
        )
    return PurePosixPath(os.path.relpath(resolved, root).replace(os.sep, "/"))


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(value, ensure_ascii=False)


def _plain(value: str) -> str:
    """A constant printed as a plain YAML scalar; only characters that need no quoting are allowed."""
    if not _PLAIN.fullmatch(value):
        raise ValueError(f"not a plain YAML scalar: {value!r}")
    return value
