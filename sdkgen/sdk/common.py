"""What both platform generators share: choosing the artifact, copying model files, the result type."""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen import __version__
from sdkgen.cache import copy_path
from sdkgen.errors import EXIT_CODES, StageError
from sdkgen.runtimes import TARGETS, TargetInfo, load_runtimes
from sdkgen.runtimes.base import TENSOR_TASKS
from sdkgen.sdk.naming import comment_text, markdown_table_code
from sdkgen.sdk.render import TEMPLATES_ROOT, refuse_links, render_files, write_files
from sdkgen.spec import ArtifactSpec, GoldenCase, ModelSpec, TensorCase

GENERATOR = f"sdkgen {__version__}"


@dataclass(frozen=True)
class GeneratedSdk:
    """Files written under the SDK folder; ``core`` are those from the platform-neutral core templates (its
    sources and unit tests) and the core's golden vectors."""

    platform: str
    files: tuple[PurePosixPath, ...]
    core: tuple[PurePosixPath, ...]
    target: str


def engines_for(spec: ModelSpec, platform: str) -> list[tuple[ArtifactSpec, TargetInfo]]:
    """Every artifact whose target ships on ``platform``, in config order (the first is the default);
    :class:`StageError` with a hint when there is none."""
    load_runtimes()
    engines = [(a, TARGETS.get(a.target)) for a in spec.artifacts if TARGETS.get(a.target).ships(platform, spec.task)]
    if not engines:
        raise StageError(
            f"no artifact of {spec.name!r} can ship on {platform}",
            hint=f"add a target that serves {platform} to `targets` in sdkgen.toml",
        )
    return engines


def artifact_for(spec: ModelSpec, platform: str) -> tuple[ArtifactSpec, TargetInfo]:
    """The default artifact on ``platform``: the first whose target ships there (config order)."""
    return engines_for(spec, platform)[0]


#: The core parts a task shares with others, rendered before ``core/<task>``: the WordPiece tokenizer
#: (``core/wordpiece``) and the ranked labels (``core/classification``: ``Classification`` and its ``topK``).
CORE_PARTS: dict[str, tuple[str, ...]] = {
    "text-embedding": ("wordpiece",),
    "image-classification": ("classification",),
    "text-classification": ("wordpiece", "classification"),
}


def shared_dirs(platform: str, task: str, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """The folders rendered once per SDK, in override order: the platform-neutral core (``core/common``,
    ``core/<task>``; a task built on tensors, :data:`~sdkgen.runtimes.base.TENSOR_TASKS`, also gets
    ``core/tensor``: typed tensors and the engine interface; then the parts of :data:`CORE_PARTS`) that the
    build's check stage compiles here, the platform's shared files (``library``), then the public API over the
    engines (``api/common``: the backend choice; ``api/tensor-shaped``: the tensor-level device test;
    ``api/<task>``)."""
    tensor_shaped = task in TENSOR_TASKS
    tasks = [*(["tensor"] if tensor_shaped and task != "tensor" else []), *CORE_PARTS.get(task, ()), task]
    dirs = [
        root / platform / "core" / "common",
        *(root / platform / "core" / t for t in tasks),
        root / platform / "library",
        root / platform / "api" / "common",
        *([root / platform / "api" / "tensor-shaped"] if tensor_shaped else []),
        root / platform / "api" / task,
    ]
    return [d for d in dirs if d.is_dir()]


def binding_dirs(platform: str, task: str, info: TargetInfo, root: Path = TEMPLATES_ROOT) -> list[Path]:
    """The folders rendered once per engine: ``<binding>/common`` and ``<binding>/<task>`` (``tensor`` for
    every tensor-shaped task)."""
    b = info.binding.templates
    t = "tensor" if task in TENSOR_TASKS else task
    return [d for d in (root / platform / b / "common", root / platform / b / t) if d.is_dir()]


def engine_suffix(info: TargetInfo) -> str:
    """``executorch:xnnpack`` -> ``ExecutorchXnnpack``, ``litert:npu-qualcomm`` -> ``LitertNpuQualcomm``: the
    engine class suffix and backend case."""
    parts = [info.runtime, *info.delegate.split("-")]
    return "".join(part[:1].upper() + part[1:] for part in parts)


def backend_case(info: TargetInfo) -> str:
    """``executorch:xnnpack`` -> ``EXECUTORCH_XNNPACK``: the Android backend enum case (and the device tests'
    ``backends`` argument)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", engine_suffix(info)).upper()


def end_to_end_artifact(spec: ModelSpec, platform: str) -> ArtifactSpec:
    """The artifact the end-to-end device tests (tokenizer and runtime together) load: the first whose host
    golden outputs are the build's compressed model's (``golden_reference`` false), else the default."""
    engines = [a for a, _ in engines_for(spec, platform)]
    return next((a for a in engines if not a.golden_reference), engines[0])


def golden_agreement(spec: ModelSpec, artifact: ArtifactSpec) -> tuple[int, float]:
    """Text classification on a device: how many golden texts must keep the host's best label, and the
    largest probability difference allowed. Exact for an artifact checked against the build's model; an
    artifact checked against the float32 model gets the quality gate's share and no probability bound (its
    host check bounded the quantization error, not the probabilities)."""
    n = min(len(spec.texts), len(spec.tensor_golden_for(artifact)))
    if not artifact.golden_reference:
        return n, 0.01
    return math.ceil(spec.min_label_agreement * n - 1e-9), 1.0


def embedding_floor(spec: ModelSpec, artifact: ArtifactSpec) -> float:
    """Text embedding on a device: the smallest cosine similarity to the golden embeddings (``verify.min_cosine``
    for an artifact checked against the float32 model)."""
    assert spec.embedding is not None
    return spec.embedding.min_cosine if artifact.golden_reference else 0.999


def task_view(spec: ModelSpec) -> dict[str, Any]:
    """The language-neutral view fields of the embedding, text and image classification tasks (numbers,
    booleans as Kotlin and Swift both write them, doc text); each platform adds its literals."""
    if spec.task == "text-classification" and spec.tokenizer is not None:
        return {
            "max_length": spec.tokenizer.max_length,
            "lowercase": "true" if spec.tokenizer.lowercase else "false",
            "label_count": len(spec.labels),
        }
    if spec.embedding is not None and spec.tokenizer is not None:
        return {
            "dimension": spec.embedding.dim,
            "normalized_doc": " (unit length: the dot product is the cosine similarity)"
            if spec.embedding.normalized
            else "",
            "max_length": spec.tokenizer.max_length,
            "lowercase": "true" if spec.tokenizer.lowercase else "false",
        }
    if spec.image is not None:
        return {
            "width": spec.image.width,
            "height": spec.image.height,
            "channels": spec.image.channels,
            "label_count": len(spec.labels),
        }
    return {}


#: The sample inputs of the README usage examples (the same in both languages).
USAGE_PROMPT = "Once upon a time"
USAGE_QUERY = "How do I reset my password?"
USAGE_TEXTS = ("I forgot my password.", "The weather is nice today.")
USAGE_CLASSIFY = "The new phone runs twice as fast."


def top1(case: TensorCase) -> tuple[int, float]:
    """The index and probability of the most probable class of a classifier's golden case (ties: the first)."""
    probs = case.outputs[0].values
    best = max(range(len(probs)), key=lambda i: (probs[i], -i))
    return best, probs[best]


def artifacts_view(spec: ModelSpec, platform: str) -> list[dict[str, Any]]:
    """The artifacts shipped on ``platform`` as the README lists them: target, runtime and version, the
    delegate, file name and size, first the default."""
    return [
        {
            "target": info.name,
            "runtime": f"{info.runtime} {a.runtime_version}",
            "delegate": info.binding.delegate_doc,
            "file": a.file,
            "file_md": markdown_table_code(a.file),
            "size": f"{a.size / 1e6:.2f} MB" if a.size >= 10_000 else f"{a.size} bytes",
        }
        for a, info in engines_for(spec, platform)
    ]


def golden_view(cases: tuple[GoldenCase, ...], literal: Callable[[str], str]) -> list[dict[str, Any]]:
    """Golden continuations as the device tests need them, strings already written as ``literal``s."""
    return [
        {"prompt": literal(g.prompt), "expected": literal(g.output_text), "max_new_tokens": max(1, len(g.output_ids))}
        for g in cases
    ]


def build_step_view(spec: ModelSpec) -> dict[str, Any]:
    """The fields of the build-step files every SDK carries (the Gradle task, the Xcode build phase): the
    build's name as the output folder's name (a Kotlin literal, a shell word, comment text) and sdkgen's exit
    codes (their meaning as comment text and as a shell word; ``sdkgen_failure_codes`` are those but 0)."""
    from sdkgen.sdk.android.naming import string_literal

    codes = [
        {"code": code, "meaning": meaning, "meaning_shell": shlex.quote(meaning)}
        for code, meaning in EXIT_CODES.items()
    ]
    return {
        "sdkgen_build_name_kotlin": string_literal(spec.name),
        "sdkgen_build_name_doc": comment_text(spec.name),
        "sdkgen_exit_codes": codes,
        "sdkgen_failure_codes": [c for c in codes if c["code"] != 0],
    }


def generate_sdk(
    platform: str,
    spec: ModelSpec,
    view: dict[str, Any],
    files: dict[str, Path],
    out: Path,
    model_dir: PurePosixPath,
    vectors_dir: PurePosixPath,
    templates_root: Path = TEMPLATES_ROOT,
    user_templates: Path | None = None,
) -> GeneratedSdk:
    """Render ``platform``'s templates with ``view`` into ``out`` and copy ``files`` (name -> path) into
    ``out/model_dir`` (the Android assets or the Swift package resources).

    The core's golden vectors (:func:`~sdkgen.sdk.golden_vectors.core_vectors`, computed from ``files``) are
    written into ``out/vectors_dir`` and count as core files, like the core's unit tests; ``view["core_tests"]``
    tells the templates whether there are any. The shared folders are rendered once, and each engine's binding
    folders with ``view`` updated by that engine's entry of ``view["engines"]``.

    ``user_templates`` (``[sdk] templates``) mirrors ``templates_root``: each of its folders is rendered right
    after ours, so its files override ours by relative path (and may add files). The spec is checked first
    (:func:`~sdkgen.sdk.guard.check_spec`, by the platform's ``generate`` before it builds the view) and every
    template is rendered before anything is written, so a
    refused spec or a failing template leaves ``out`` untouched."""
    from sdkgen.sdk.golden_vectors import core_vectors

    if user_templates is not None:
        refuse_links(user_templates)
    for name in files:
        _check_shipped(name)
    artifact, _ = artifact_for(spec, platform)
    vectors = core_vectors(spec, files)
    view = {**view, "core_tests": bool(vectors), **build_step_view(spec)}
    dirs = shared_dirs(platform, spec.task, templates_root)
    user = _user_dirs(dirs, templates_root, user_templates)
    rendered = render_files(_with_overrides(dirs, user), view, frozenset(user.values()))
    for engine in view["engines"]:
        bdirs = binding_dirs(platform, spec.task, TARGETS.get(engine["target"]), templates_root)
        buser = _user_dirs(bdirs, templates_root, user_templates)
        rendered.update(render_files(_with_overrides(bdirs, buser), {**view, **engine}, frozenset(buser.values())))
    write_files(rendered, out)
    core_roots = {d for d in dirs if d.parent.name == "core"} | {u for d, u in user.items() if d.parent.name == "core"}
    core = [f for f, r in rendered.items() if r.root in core_roots]
    for name, data in sorted(vectors.items()):
        (out / vectors_dir).mkdir(parents=True, exist_ok=True)
        (out / vectors_dir / name).write_bytes(data)
        core.append(vectors_dir / name)
    core.sort()
    (out / model_dir).mkdir(parents=True, exist_ok=True)
    for name, src in sorted(files.items()):
        copy_path(src, out / model_dir / name)
    all_files = sorted([*rendered, *(model_dir / n for n in files), *(vectors_dir / n for n in vectors)])
    return GeneratedSdk(platform, tuple(all_files), tuple(core), artifact.target)


def _check_shipped(name: str) -> None:
    from sdkgen.sdk.guard import file_name_problem

    problem = file_name_problem(name)
    if problem:
        raise StageError(
            f"model file {name!r} {problem}; it cannot be shipped in the SDK",
            hint="every file the SDK ships is one plain file name inside its model folder",
        )


def _user_dirs(dirs: list[Path], root: Path, user_root: Path | None) -> dict[Path, Path]:
    """Each of ``dirs`` (under ``root``) with its counterpart under ``user_root`` where that folder exists."""
    if user_root is None:
        return {}
    pairs = {d: user_root / d.relative_to(root) for d in dirs}
    return {d: u for d, u in pairs.items() if u.is_dir()}


def _with_overrides(dirs: list[Path], user: dict[Path, Path]) -> list[Path]:
    return [x for d in dirs for x in (d, *([user[d]] if d in user else []))]
