"""``sdkgen init MODEL_FOLDER``: write a commented ``sdkgen.toml`` for a new model.

A sentence-transformers folder gets a text-embedding config. Otherwise it inspects the checkpoint
(architecture, size, layer widths, context and sliding window), chooses the task, the targets that serve
each platform, and a compression recipe that fits the model. Either way it validates the text it wrote
with the same parser ``sdkgen build`` uses before moving it into place.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from sdkgen.cache import write_text_atomic
from sdkgen.config import GROUP_SIZES, parse_config
from sdkgen.errors import OutputPathError
from sdkgen.models.embedding import SUPPORTED_ENCODERS, EncoderInfo, inspect_encoder
from sdkgen.models.hf import CheckpointInfo, inspect_checkpoint
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.sdk.naming import upper_camel, words

TASK_BY_SUFFIX = {"ForCausalLM": "text-generation"}


def init_config(model_dir: Path, out: Path, *, force: bool = False) -> Path:
    """Write a config for the checkpoint at ``model_dir`` to ``out`` and return ``out``."""
    if out.is_dir():
        out = out / "sdkgen.toml"
    if out.exists() and not force:
        raise OutputPathError(f"{out} already exists", hint="pass --force to overwrite it, or --out another path")
    folder = model_dir.resolve()
    if is_sentence_encoder(folder):
        text = render_embedder_config(inspect_encoder(folder), out.parent.resolve())
    else:
        text = render_config(inspect_checkpoint(folder), out.parent.resolve())
    parse_config(tomllib.loads(text), root=out.parent)  # what we write must build
    return write_text_atomic(out, text)


def is_sentence_encoder(folder: Path) -> bool:
    """A sentence-transformers folder (``modules.json``) or a bare encoder config: the embedding task."""
    if (folder / "modules.json").is_file():
        return True
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and (config.get("architectures") or [None])[0] in SUPPORTED_ENCODERS


def _names(folder: Path) -> tuple[str, str, str]:
    """The artifact name, a Kotlin package segment and a Swift module name derived from the folder's name."""
    name = "-".join(w.lower() for w in words(folder.name)) or "model"
    ident = re.sub(r"[^a-z0-9]", "", name.replace("-", "")) or "model"
    if ident[0].isdigit():
        ident = "m" + ident
    module = (upper_camel(name) or "Model") + "Kit"
    if module[0].isdigit():
        module = "Model" + module
    return name, ident, module


def _serving(task: str, recipe: str) -> dict[str, list[str]]:
    return {
        p: [
            t
            for t in TARGETS.names()
            if p in TARGETS.get(t).platforms and task in TARGETS.get(t).tasks and recipe in TARGETS.get(t).recipes
        ]
        for p in ("android", "ios")
    }


def _platform_sections(name: str, ident: str, module: str) -> list[str]:
    return [
        "[android]",
        f'package = "com.example.{ident}"',
        'group = "com.example"',
        f'artifact = "{name}"',
        "min_sdk = 24",
        "",
        "[ios]",
        f'module = "{module}"',
        'minimum_ios = "17.0"',
        "",
    ]


#: What ``init`` proposes for an embedder, in SDK order: each platform's SDK ships the first that serves it.
EMBEDDER_TARGETS = ("executorch:xnnpack", "litert:cpu", "coreml:ane")


def render_embedder_config(info: EncoderInfo, root: Path) -> str:
    """The commented TOML text for a sentence encoder (task ``text-embedding``, fp32)."""
    load_runtimes()
    config = json.loads((info.path / "config.json").read_text(encoding="utf-8"))
    name, ident, module = _names(info.path)
    serving = _serving("text-embedding", "none")
    targets = [t for t in EMBEDDER_TARGETS if t in TARGETS.names()]
    max_pos = int(config.get("max_position_embeddings", 512))
    lines = [
        f"# sdkgen config written by `sdkgen init` for {info.path.name}.",
        f"# Detected: {info.architecture} sentence encoder ({info.hidden_size}-dimensional, {info.pooling} pooling"
        + (", L2-normalised" if info.normalized else "")
        + "), task text-embedding.",
        "# Build with: sdkgen build <this folder>   (see `sdkgen doctor` for what this machine can build)",
        "",
        "# Targets are runtime:delegate. All that serve each platform:",
        *(f"#   {p}: {', '.join(ts) or '(none available)'}" for p, ts in serving.items()),
        "# Each platform's SDK ships the first listed target that serves it; the others are built and verified.",
        f"targets = {json.dumps(targets)}",
        "",
        "[model]",
        f"source = {json.dumps(os.path.relpath(info.path, root))}",
        'task = "text-embedding"',
        f'name = "{name}"',
        "",
        "[compress]",
        "# Encoders of this size are kept in fp32: the cosine gate below measures what a recipe would cost.",
        'recipe = "none"',
        "",
        "[export]",
        f"# Every text is padded or truncated to this many WordPiece ids (the model allows {max_pos}).",
        f"max_seq_len = {min(128, max_pos)}",
        "",
        *_platform_sections(name, ident, module),
        "[verify]",
        "# Every text's embedding from an artifact must have at least this cosine similarity to the eager fp32 one.",
        "min_cosine = 0.99",
        "output_tolerance = 1e-3",
        "",
    ]
    return "\n".join(lines)


def _recipe(info: CheckpointInfo) -> tuple[str, int, str]:
    widths = [w for w in (info.config.get("hidden_size"), info.config.get("intermediate_size")) if isinstance(w, int)]
    fits = [g for g in GROUP_SIZES if all(w % g == 0 for w in widths)]
    params = info.parameter_count
    if not fits:
        return "none", 32, f"no group size in {GROUP_SIZES} divides the layer widths {widths}: kept in fp32"
    fp32_mb = params * 4 / 1e6
    q_mb = params * 0.5 / 1e6  # 4-bit weights; scales and embeddings add to this
    return (
        "8da4w",
        fits[0],
        f"{params:,} parameters: about {fp32_mb:.0f} MB in fp32, roughly {q_mb:.0f} MB of 4-bit linear weights",
    )


def render_config(info: CheckpointInfo, root: Path) -> str:
    """The commented TOML text for ``info``; paths are written relative to ``root``."""
    load_runtimes()
    arch = info.architecture
    task = next(t for suffix, t in TASK_BY_SUFFIX.items() if arch.endswith(suffix))
    name, ident, module = _names(info.path)
    recipe, group, why = _recipe(info)
    window = info.sliding_window
    max_seq = min(512, info.max_position_embeddings, window or 512)
    serving = {
        p: [t for t in TARGETS.names() if p in TARGETS.get(t).platforms and task in TARGETS.get(t).tasks]
        for p in ("android", "ios")
    }
    # Targets that convert the checkpoint themselves re-author a few architectures only (LiteRT: Llama); they
    # stay listed in the comment above the targets, for the user to add.
    targets = sorted(
        {
            t
            for ts in serving.values()
            for t in ts
            if recipe in TARGETS.get(t).recipes and task not in TARGETS.get(t).converts_checkpoint
        }
    )
    source = os.path.relpath(info.path, root)
    lines = [
        f"# sdkgen config written by `sdkgen init` for {info.path.name}.",
        f"# Detected: {arch} (model_type {info.model_type!r}), task {task}.",
        "# Build with: sdkgen build <this folder>   (see `sdkgen doctor` for what this machine can build)",
        "",
        "# Targets are runtime:delegate. Recommended per platform:",
        *(f"#   {p}: {', '.join(ts) or '(none available)'}" for p, ts in serving.items()),
        f"targets = {json.dumps(targets)}",
        "",
        "[model]",
        f"source = {json.dumps(source)}",
        f'task = "{task}"',
        f'name = "{name}"',
        "",
        "[compress]",
        f"# {why}.",
        "# 8da4w = 8-bit dynamic activations, 4-bit weights in groups; smaller groups keep more accuracy.",
        f'recipe = "{recipe}"',
        f"group_size = {group}",
        "",
        "[export]",
        "# Prompt plus generated tokens (the static KV cache). The model allows "
        f"{info.max_position_embeddings}" + (f"; its sliding window is {window}." if window else "."),
        f"max_seq_len = {max_seq}",
        "",
        *_platform_sections(name, ident, module),
        "[verify]",
        "# Golden prompts: greedy continuations from the eager model must match the artifact on this host.",
        'prompts = ["Hello", "The capital of France is"]',
        "max_new_tokens = 12",
        "logits_tolerance = 0.05",
        "",
    ]
    return "\n".join(lines)
