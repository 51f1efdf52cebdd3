"""The iOS Swift package: ``Package.swift`` pinned to the runtime, the model as resources, an async API.

:func:`build_view` is the only place a ModelSpec becomes template data; every name and string in the view
is already valid Swift (see :mod:`.naming`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen.sdk.common import GENERATOR, GeneratedSdk, artifact_for, generate_sdk, golden_view
from sdkgen.sdk.ios import naming
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import ModelSpec

MINIMUM_MACOS = "12.0"


def build_view(spec: ModelSpec) -> dict[str, Any]:
    artifact, info = artifact_for(spec, "ios")
    lit = naming.string_literal
    model_stem, model_ext = artifact.file.rsplit(".", 1)
    tok_stem, tok_ext = spec.tokenizer.file.rsplit(".", 1)
    return {
        "sdkgen_version": GENERATOR.split()[1],
        "model_doc": naming.doc_text(f"The {spec.name} model ({spec.task})"),
        "class_name": naming.type_name(spec.name),
        "module": spec.ios.module,
        "minimum_ios": spec.ios.minimum_ios,
        "minimum_macos": MINIMUM_MACOS,
        "runtime_version": artifact.runtime_version,
        "runtime_version_literal": lit(artifact.runtime_version),
        "runtime_label": naming.doc_text(f"{info.runtime} {artifact.runtime_version}"),
        "runtime_products": list(info.binding.swift_products),
        "delegate_doc": info.binding.delegate_doc,
        "resources": sorted([artifact.file, spec.tokenizer.file]),
        "queue_label_literal": lit(f"sdkgen.{spec.ios.module}.runtime"),
        "model_resource_literal": lit(model_stem),
        "model_extension_literal": lit(model_ext),
        "model_file_literal": lit(artifact.file),
        "tokenizer_resource_literal": lit(tok_stem),
        "tokenizer_extension_literal": lit(tok_ext),
        "tokenizer_file_literal": lit(spec.tokenizer.file),
        "max_seq_len": spec.generation.max_seq_len,
        "default_max_new_tokens": spec.generation.default_max_new_tokens,
        "bos_count": spec.generation.bos_count,
        "golden": golden_view(spec, lit),
    }


def generate(spec: ModelSpec, files: dict[str, Path], out: Path, templates_root: Path = TEMPLATES_ROOT) -> GeneratedSdk:
    """Render the package into ``out`` and copy ``files`` (artifact name -> path) into its resources."""
    return generate_sdk(
        "ios",
        spec,
        build_view(spec),
        files,
        out,
        PurePosixPath("Sources", spec.ios.module, "Resources"),
        templates_root,
    )
