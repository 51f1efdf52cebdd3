"""The Android library: a Gradle (Kotlin DSL) module with the model as assets and a Kotlin API.

:func:`build_view` is the only place a ModelSpec becomes template data; every name and string in the view
is already valid Kotlin (see :mod:`.naming`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen.sdk.android import naming
from sdkgen.sdk.common import GENERATOR, GeneratedSdk, artifact_for, generate_sdk, golden_view
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import ModelSpec

AGP_VERSION = "8.7.3"
KOTLIN_VERSION = "2.1.0"
COROUTINES_VERSION = "1.9.0"
COMPILE_SDK = 35


def build_view(spec: ModelSpec) -> dict[str, Any]:
    artifact, info = artifact_for(spec, "android")
    lit = naming.string_literal
    class_name = naming.type_name(spec.name)
    asset_dir = spec.name
    return {
        "sdkgen_version": GENERATOR.split()[1],
        "model_doc": naming.doc_text(f"The {spec.name} model ({spec.task})"),
        "class_name": class_name,
        "package": spec.android.package,
        "package_path": spec.android.package.replace(".", "/"),
        "group": spec.android.group,
        "artifact": spec.android.artifact,
        "version": spec.android.version,
        "min_sdk": spec.android.min_sdk,
        "compile_sdk": COMPILE_SDK,
        "agp_version": AGP_VERSION,
        "kotlin_version": KOTLIN_VERSION,
        "coroutines_version": COROUTINES_VERSION,
        "runtime_dependencies": [
            d.replace("{version}", artifact.runtime_version) for d in info.binding.gradle_dependencies
        ],
        "no_compress": [artifact.file.rsplit(".", 1)[-1]],
        "runtime_version": artifact.runtime_version,
        "runtime_version_literal": lit(artifact.runtime_version),
        "runtime_label": naming.doc_text(f"{info.runtime} {artifact.runtime_version}"),
        "delegate_doc": info.binding.delegate_doc,
        "asset_dir": asset_dir,
        "asset_dir_literal": lit(asset_dir),
        "content_hash_literal": lit(artifact.sha256[:16]),
        "model_file_literal": lit(artifact.file),
        "tokenizer_file_literal": lit(spec.tokenizer.file),
        "max_seq_len": spec.generation.max_seq_len,
        "default_max_new_tokens": spec.generation.default_max_new_tokens,
        "bos_count": spec.generation.bos_count,
        "golden": golden_view(spec, lit),
    }


def generate(spec: ModelSpec, files: dict[str, Path], out: Path, templates_root: Path = TEMPLATES_ROOT) -> GeneratedSdk:
    """Render the library into ``out`` and copy ``files`` (artifact name -> path) into its assets."""
    return generate_sdk(
        "android", spec, build_view(spec), files, out, PurePosixPath("src/main/assets", spec.name), templates_root
    )
