"""The Android library: a Gradle (Kotlin DSL) module with the model as assets and a Kotlin API.

:func:`build_view` is the only place a ModelSpec becomes template data; every name and string in the view
is already valid Kotlin (see :mod:`.naming`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen.runtimes import TargetInfo
from sdkgen.sdk.android import naming
from sdkgen.sdk.chat import chat_format_for, view_fields
from sdkgen.sdk.common import (
    GENERATOR,
    USAGE_CLASSIFY,
    USAGE_PROMPT,
    USAGE_QUERY,
    USAGE_TEXTS,
    GeneratedSdk,
    artifacts_view,
    backend_case,
    embedding_floor,
    end_to_end_artifact,
    engine_suffix,
    engines_for,
    generate_sdk,
    golden_agreement,
    golden_view,
    task_view,
    top1,
)
from sdkgen.sdk.guard import check_spec
from sdkgen.sdk.members import float_literal, member_names
from sdkgen.sdk.naming import markdown_text
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import ArtifactSpec, ModelSpec, TensorValue

AGP_VERSION = "8.7.3"
KOTLIN_VERSION = "2.1.0"
COROUTINES_VERSION = "1.9.0"
COMPILE_SDK = 35

#: dtype -> (array type, Tensor accessor, element literal)
_TYPES = {
    "float32": ("FloatArray", "dataAsFloatArray", "floatArrayOf"),
    "int64": ("LongArray", "dataAsLongArray", "longArrayOf"),
    "int32": ("IntArray", "dataAsIntArray", "intArrayOf"),
}


_LITERT_WRITE = {
    "float32": "writeFloat(input.{name})",
    "int32": "writeInt(input.{name})",
    "int64": "writeInt(IntArray(input.{name}.size) {{ input.{name}[it].toInt() }})",
}
_LITERT_READ = {
    "float32": "readFloat()",
    "int32": "readInt()",
    "int64": "readInt().let { ints -> LongArray(ints.size) { ints[it].toLong() } }",
}


def build_view(spec: ModelSpec) -> dict[str, Any]:
    """The template data: shared fields, plus ``engines`` (one entry per artifact serving Android, the
    per-engine fields its binding templates see) for tensor-shaped tasks."""
    engines = engines_for(spec, "android")
    lit = naming.string_literal
    class_name = naming.type_name(spec.name)
    view: dict[str, Any] = {
        "sdkgen_version": GENERATOR.split()[1],
        "model_doc": naming.doc_text(f"The {spec.name} model ({spec.task})"),
        "model_md": markdown_text(f"The {spec.name} model ({spec.task})"),
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
        "runtime_dependencies": list(
            dict.fromkeys(
                d.replace("{version}", a.runtime_version) for a, i in engines for d in i.binding.gradle_dependencies
            )
        ),
        "proguard_files": ", ".join(
            f'"proguard-{b}.pro"' for b in dict.fromkeys(i.binding.templates for _, i in engines)
        ),
        "no_compress": [lit(ext) for ext in sorted({a.file.rsplit(".", 1)[-1] for a, _ in engines})],
        "runtime_label": naming.doc_text(" or ".join(f"{i.runtime} {a.runtime_version}" for a, i in engines)),
        "asset_dir_literal": lit(spec.name),
    }
    view["engines"] = [_engine_view(spec, a, i, class_name) for a, i in engines]
    view["default_backend"] = view["engines"][0]["backend_case"]
    # ModelFiles never removes the extracted folder of one of this library's engines as stale.
    view["in_use_hashes"] = ", ".join(dict.fromkeys(e["content_hash_literal"] for e in view["engines"]))
    view["artifacts"] = [
        {**a, "backend": e["backend_case"]}
        for a, e in zip(artifacts_view(spec, "android"), view["engines"], strict=True)
    ]
    if spec.task == "text-generation":
        view.update(_text_generation_view(spec))
    else:
        view.update(_tensor_view(spec))
        for e, (a, info) in zip(view["engines"], engines, strict=True):
            e.update(_engine_golden_view(spec, a, info, view["outputs"]))
        e2e = end_to_end_artifact(spec, "android")
        view["e2e_backend"] = view["engines"][[a for a, _ in engines].index(e2e)]["backend_case"]
        if spec.task == "text-embedding":
            view.update(_embedding_view(spec, e2e))
        elif spec.task == "image-classification":
            view.update(_image_view(spec))
        elif spec.task == "text-classification":
            view.update(_text_classification_view(spec, e2e))
    view.update(_usage_view(spec.task, view))
    return view


#: Per task: what the README says the API does, and how it uses threads (the KDoc of the API class says the
#: same in more words).
_SUMMARIES = {
    "text-generation": "streams generated text as a `Flow<String>` (`generate`) or returns it whole (`generateText`)",
    "text-embedding": "turns texts into float vectors (`embed`) and compares them (`cosineSimilarity`)",
    "image-classification": "ranks the model's labels for a `Bitmap` (`classify`) as `Classification(label, score)`",
    "text-classification": "ranks the model's labels for a text (`classify`) as `Classification(label, score)`",
    "tensor": "runs the model on typed inputs named after its tensors (`run`)",
}
_THREADING = {
    "text-generation": "`load` reads files on `Dispatchers.IO`; generation runs on `Dispatchers.Default`, one at a "
    "time (a second `generate` waits, suspended, for the first). Each collection of `generate` is its own request: "
    "cancelling its collector stops that request only; one still waiting never starts, and a running one stops at "
    "the runtime's next token, even while the prompt is processed. `stop()` stops the running generation from any "
    "thread. `close()` returns at once (safe in `onCleared()`): it stops the running generation, fails the waiting "
    "ones with `Closed`, and frees the native model in the background once the running one has returned.",
    "text-embedding": "`load` reads files on `Dispatchers.IO`; `embed` tokenizes and runs the model on "
    "`Dispatchers.Default`, one text at a time.",
    "image-classification": "`load` reads files on `Dispatchers.IO`; `classify` scales the image and runs the model "
    "on `Dispatchers.Default`, one image at a time.",
    "text-classification": "`load` reads files on `Dispatchers.IO`; `classify` tokenizes and runs the model on "
    "`Dispatchers.Default`, one text at a time.",
    "tensor": "`load` reads files on `Dispatchers.IO`; `run` computes on `Dispatchers.Default`, one call at a time.",
}


def _usage_view(task: str, view: dict[str, Any]) -> dict[str, Any]:
    """The README's usage example (``usage_example``, at most five lines of Kotlin in a suspend function
    with ``usage_params``) and the prose around it. ``ReadmeExample.kt`` compiles the same field."""
    c, lit = view["class_name"], naming.string_literal
    params, imports = "context: Context", ["android.content.Context"]
    if task == "text-generation":
        body = [
            f"model.generate({lit(USAGE_PROMPT)}).collect {{ piece -> print(piece) }}",
            f"println(model.generateText({lit(USAGE_PROMPT)}, GenerationSettings(temperature = 0f)))",
        ]
    elif task == "text-embedding":
        texts = ", ".join(lit(t) for t in USAGE_TEXTS)
        body = [
            f"val query = model.embed({lit(USAGE_QUERY)})",
            f"val answers = model.embed(listOf({texts}))",
            f"println({c}.cosineSimilarity(query, answers[0]))",
        ]
    elif task == "image-classification":
        params, imports = "context: Context, bitmap: Bitmap", [*imports, "android.graphics.Bitmap"]
        body = [
            "for (result in model.classify(bitmap, topK = 3)) {",
            '    println(result.label + ": " + result.score)',
            "}",
        ]
    elif task == "text-classification":
        body = [
            f"for (result in model.classify({lit(USAGE_CLASSIFY)}, topK = 3)) {{",
            '    println(result.label + ": " + result.score)',
            "}",
        ]
    else:
        args = ", ".join(f"{t['name']} = {t['type']}({t['count']})" for t in view["inputs"])
        body = [
            f"val output = model.run({c}Input({args}))",
            f"println(output.{view['outputs'][0]['name']}.joinToString())",
        ]
    lines = [f"{c}.load(context).use {{ model ->", *("    " + line for line in body), "}"]
    return {
        "usage_example": "\n".join(lines),
        "usage_params": params,
        "usage_imports": sorted(imports),
        "usage_summary": _SUMMARIES[task],
        "threading_doc": _THREADING[task],
    }


def _engine_view(spec: ModelSpec, artifact: ArtifactSpec, info: TargetInfo, class_name: str) -> dict[str, Any]:
    lit = naming.string_literal
    suffix = engine_suffix(info)
    return {
        "engine": class_name + suffix,
        "target": info.name,
        "backend_case": backend_case(info),
        "backend_doc": naming.doc_text(
            f"{info.name}: {info.binding.delegate_doc}, {info.runtime} {artifact.runtime_version}"
        ),
        "runtime_version": artifact.runtime_version,
        "runtime_version_literal": lit(artifact.runtime_version),
        "delegate_doc": info.binding.delegate_doc,
        "content_hash_literal": lit(artifact.sha256[:16]),
        # ModelFiles checks each extracted model file against what the build wrote.
        "model_key_literal": lit(f"{artifact.sha256[:16]}/{artifact.file}"),
        "model_size": artifact.size,
        "model_sha256_literal": lit(artifact.sha256),
        "model_file_literal": lit(artifact.file),
        "model_asset_literal": lit(f"{spec.name}/{artifact.file}"),
        "asset_files": ", ".join(lit(f) for f in [artifact.file, *([spec.tokenizer.file] if spec.tokenizer else [])]),
        "accelerator": info.binding.accelerator,
        "golden": golden_view(spec.golden_for(artifact), lit),  # text generation: greedy continuations
    }


def _floats(values: tuple[float, ...] | list[float]) -> str:
    return (
        "floatArrayOf(" + ", ".join(float_literal(x, "f", "Float.NaN", "Float.POSITIVE_INFINITY") for x in values) + ")"
    )


def _engine_golden_view(
    spec: ModelSpec, artifact: ArtifactSpec, info: TargetInfo, outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """One backend's device golden test: the outputs and tolerance the host verified its artifact with."""
    case = spec.tensor_golden_for(artifact)[0]
    suffix = engine_suffix(info)
    return {
        "golden_test": suffix[:1].lower() + suffix[1:] + "MatchesHostGolden",
        "target_literal": naming.string_literal(info.name),
        "golden_outputs": [
            {"name": t["name"], "label": t["label"], "golden": _values_literal(v)}
            for t, v in zip(outputs, case.outputs, strict=True)
        ],
        "golden_tolerance": float_literal(spec.tolerance_for(artifact), "f", "Float.NaN", "Float.POSITIVE_INFINITY"),
        "golden_source": "the float32 model" if artifact.golden_reference else "the model this artifact was built from",
    }


def _embedding_view(spec: ModelSpec, e2e: ArtifactSpec) -> dict[str, Any]:
    assert spec.tokenizer is not None and spec.embedding is not None
    return {
        **task_view(spec),
        "vocab_asset_literal": naming.string_literal(f"{spec.name}/{spec.tokenizer.file}"),
        "golden_texts": [
            {"text": naming.string_literal(t), "embedding": _floats(c.outputs[0].values)}
            for t, c in zip(spec.texts, spec.tensor_golden_for(e2e), strict=False)
        ],
        "min_cosine": float_literal(embedding_floor(spec, e2e), "f", "Float.NaN", "Float.POSITIVE_INFINITY"),
    }


def _image_view(spec: ModelSpec) -> dict[str, Any]:
    assert spec.image is not None
    return {
        **task_view(spec),
        "mean": _floats(spec.image.mean),
        "std": _floats(spec.image.std),
        "labels": "listOf(" + ", ".join(naming.string_literal(x) for x in spec.labels) + ")",
    }


def _text_classification_view(spec: ModelSpec, e2e: ArtifactSpec) -> dict[str, Any]:
    assert spec.tokenizer is not None
    lit = naming.string_literal
    golden = []
    min_agreed, max_score_diff = golden_agreement(spec, e2e)
    for text, case in zip(spec.texts, spec.tensor_golden_for(e2e), strict=False):
        best, score = top1(case)
        golden.append(
            {
                "text": lit(text),
                "label": lit(spec.labels[best]),
                "score": float_literal(score, "f", "Float.NaN", "Float.POSITIVE_INFINITY"),
            }
        )
    return {
        **task_view(spec),
        "vocab_asset_literal": lit(f"{spec.name}/{spec.tokenizer.file}"),
        "labels": "listOf(" + ", ".join(lit(x) for x in spec.labels) + ")",
        "golden_texts": golden,
        "golden_count": len(golden),
        "min_agreed": min_agreed,
        "max_score_diff": float_literal(max_score_diff, "f", "Float.NaN", "Float.POSITIVE_INFINITY"),
    }


def _text_generation_view(spec: ModelSpec) -> dict[str, Any]:
    assert spec.tokenizer is not None and spec.generation is not None
    chat, _ = chat_format_for(spec.tokenizer.chat_template, spec.tokenizer.bos_token, spec.tokenizer.eos_token)
    runtime_bos = spec.tokenizer.bos_token if spec.generation.bos_count > 0 else ""
    return {
        "chat": None
        if chat is None
        else view_fields(chat, runtime_bos, naming.string_literal, lambda r: r.upper(), "null"),
        "chat_doc": "" if chat is None else ", or reply to a conversation with `generate(messages)`",
        "tokenizer_file_literal": naming.string_literal(spec.tokenizer.file),
        "max_seq_len": spec.generation.max_seq_len,
        "default_max_new_tokens": spec.generation.default_max_new_tokens,
        "bos_count": spec.generation.bos_count,
        # Step runtimes (LiteRT): the SDK tokenizes and drives the KV cache itself.
        "tokenizer_asset_literal": naming.string_literal(f"{spec.name}/{spec.tokenizer.file}"),
        "prefill_len": spec.generation.prefill_len,
        "num_layers": spec.generation.num_layers,
        "vocab_size": spec.tokenizer.vocab_size,
        "kv_cache_values": spec.generation.max_seq_len * spec.generation.kv_heads * spec.generation.head_dim,
        "bos_id": spec.tokenizer.bos_id,
        "eos_ids": ", ".join(str(i) for i in spec.tokenizer.eos_ids),
    }


def _values_literal(v: TensorValue) -> str:
    fn = _TYPES[v.dtype][2]
    if v.dtype == "float32":
        items = [float_literal(x, "f", "Float.NaN", "Float.POSITIVE_INFINITY") for x in v.values]
    elif v.dtype == "int64":
        items = [f"{int(x)}L" for x in v.values]
    else:
        items = [str(int(x)) for x in v.values]
    return f"{fn}({', '.join(items)})"


def _tensors(values: tuple[TensorValue, ...], reserved: set[str]) -> list[dict[str, Any]]:
    names = member_names([v.name for v in values], naming.HARD_KEYWORDS, reserved)
    return [
        {
            "name": name,
            "label": naming.string_literal(v.name),
            "doc": naming.doc_text(v.name),
            "dtype": v.dtype,
            "type": _TYPES[v.dtype][0],
            "accessor": _TYPES[v.dtype][1],
            "count": len(v.values),
            "shape_doc": "[" + ", ".join(map(str, v.shape)) + "]",
            "shape": "longArrayOf(" + ", ".join(f"{d}L" for d in v.shape) + ")",
            "index": i,
            "is_float": v.dtype == "float32",
            "golden": _values_literal(v),
            # LiteRT narrows int64 to int32 at conversion; its binding converts at the boundary.
            "litert_write": _LITERT_WRITE[v.dtype].format(name=name),
            "litert_read": _LITERT_READ[v.dtype],
        }
        for i, (name, v) in enumerate(zip(names, values, strict=True))
    ]


def _tensor_view(spec: ModelSpec) -> dict[str, Any]:
    case = spec.tensor_golden[0]
    return {
        "inputs": _tensors(case.inputs, set()),
        # Output members must not shadow Any's members or the data class helpers.
        "outputs": _tensors(case.outputs, {"hashCode", "toString", "equals"}),
        "tolerance": float_literal(spec.output_tolerance, "f", "Float.NaN", "Float.POSITIVE_INFINITY"),
    }


def generate(
    spec: ModelSpec,
    files: dict[str, Path],
    out: Path,
    templates_root: Path = TEMPLATES_ROOT,
    user_templates: Path | None = None,
) -> GeneratedSdk:
    """Render the library into ``out`` and copy ``files`` (artifact name -> path) into its assets."""
    check_spec(spec)  # before the view: it parses versions and splits file names
    return generate_sdk(
        "android",
        spec,
        build_view(spec),
        files,
        out,
        PurePosixPath("src/main/assets", spec.name),
        PurePosixPath("src/test/resources/golden"),
        templates_root,
        user_templates,
    )
