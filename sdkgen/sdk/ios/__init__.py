"""The iOS Swift package: ``Package.swift`` pinned to the runtime, the model as resources, an async API.

:func:`build_view` is the only place a ModelSpec becomes template data; every name and string in the view
is already valid Swift (see :mod:`.naming`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from sdkgen.runtimes import TargetInfo
from sdkgen.sdk.chat import chat_format_for, view_fields
from sdkgen.sdk.common import (
    GENERATOR,
    USAGE_CLASSIFY,
    USAGE_PROMPT,
    USAGE_QUERY,
    USAGE_TEXTS,
    GeneratedSdk,
    artifacts_view,
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
from sdkgen.sdk.ios import naming, platforms
from sdkgen.sdk.members import float_literal, member_names
from sdkgen.sdk.naming import markdown_text
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import ArtifactSpec, ModelSpec, TensorValue

_SCALARS = {"float32": "Float", "int64": "Int64", "int32": "Int32"}


def build_view(spec: ModelSpec) -> dict[str, Any]:
    """The template data: shared fields, plus ``engines`` (one entry per artifact serving iOS, the
    per-engine fields its binding templates see) for tensor-shaped tasks."""
    engines = engines_for(spec, "ios")
    lit = naming.string_literal
    class_name = naming.type_name(spec.name)
    resources = [a.file for a, _ in engines] + ([spec.tokenizer.file] if spec.tokenizer else [])
    executorch = [(a, i) for a, i in engines if i.runtime == "executorch"]
    products = dict.fromkeys(p for _, i in executorch for p in i.binding.products(spec.task))
    package_platforms = platforms.derive(spec, engines)
    view: dict[str, Any] = {
        "sdkgen_version": GENERATOR.split()[1],
        "model_doc": naming.doc_text(f"The {spec.name} model ({spec.task})"),
        "model_md": markdown_text(f"The {spec.name} model ({spec.task})"),
        "class_name": class_name,
        "module": spec.ios.module,
        "minimum_ios": package_platforms.ios,
        "minimum_macos": package_platforms.macos,
        "platforms_reason": naming.doc_text(package_platforms.reason),
        "runtime_label": naming.doc_text(" or ".join(f"{i.runtime} {a.runtime_version}" for a, i in engines)),
        # The ExecuTorch Swift package, pinned to the version that exported the .pte files (one version
        # per build: every ExecuTorch target of a build is lowered by the same installed ExecuTorch).
        "executorch_versions": [executorch[0][0].runtime_version] if executorch else [],
        "runtime_products": list(products),
        # Xcode compiles a Core ML model package into an .mlmodelc (.process); other files are copied.
        "resources": [
            {"path": r, "literal": lit(f"Resources/{r}"), "rule": "process" if r.endswith(".mlpackage") else "copy"}
            for r in sorted(resources)
        ],
        "queue_label_literal": lit(f"sdkgen.{spec.ios.module}.runtime"),
        # Image classification reads CVPixelBuffers too, and has an error case for the formats it cannot read.
        "pixel_buffer_input": spec.task == "image-classification",
    }
    if spec.task == "text-generation":
        view["engines"] = [_engine_view(spec, a, i, class_name) for a, i in engines]
        view.update(_text_generation_view(spec))
    else:
        view.update(_tensor_view(spec))
        view["engines"] = [_engine_view(spec, a, i, class_name, view["outputs"]) for a, i in engines]
        e2e = end_to_end_artifact(spec, "ios")
        view["e2e_backend"] = view["engines"][[a for a, _ in engines].index(e2e)]["backend_case"]
        if spec.task == "text-embedding":
            view.update(_embedding_view(spec, view, e2e))
        elif spec.task == "image-classification":
            view.update(_image_view(spec, view))
        elif spec.task == "text-classification":
            view.update(_text_classification_view(spec, view, e2e))
    view["default_backend"] = view["engines"][0]["backend_case"]
    view["artifacts"] = [
        {**a, "backend": e["backend_case"]} for a, e in zip(artifacts_view(spec, "ios"), view["engines"], strict=True)
    ]
    view.update(_usage_view(spec.task, view))
    return view


#: Per task: what the README says the API does, and how it uses threads (the DocC of the API class says the
#: same in more words).
_SUMMARIES = {
    "text-generation": "streams generated text as an `AsyncThrowingStream<String, Error>` (`generate`) or returns "
    "it whole (`generateText`)",
    "text-embedding": "turns texts into float vectors (`embed`) and compares them (`cosineSimilarity`)",
    "image-classification": "ranks the model's labels for a `CGImage`, a `CVPixelBuffer` or RGBA bytes (`classify`) as "
    "`Classification` values with a `label` and a `score`",
    "text-classification": "ranks the model's labels for a text (`classify`) as `Classification` values with a "
    "`label` and a `score`",
    "tensor": "runs the model on typed inputs named after its tensors (`run`)",
}
_THREADING = {
    "text-generation": "The runtimes are not thread-safe, so every call into them runs on one private serial "
    "queue, off the caller's thread (the main actor included); a second generation waits for the first, and "
    "`await reset()` for a running one, without blocking. Each stream of `generate` is its own request: cancelling "
    "the task that iterates it stops that request only; one still waiting never starts, and a running one stops at "
    "the runtime's next token, even while the prompt is processed. `stop()` stops the running generation from any "
    "thread.",
    "text-embedding": "`{class_name}` is an actor, safe to share between tasks; `load` and `embed` are `async` and "
    "tokenize and run off the caller's thread (the main actor included), and the engine serialises calls into the "
    "runtime when it must.",
    "image-classification": "`{class_name}` is an actor, safe to share between tasks; `load` and `classify` are "
    "`async` and prepare the image and run off the caller's thread (the main actor included), and the engine "
    "serialises calls into the runtime when it must.",
    "text-classification": "`{class_name}` is an actor, safe to share between tasks; `load` and `classify` are "
    "`async` and tokenize and run off the caller's thread (the main actor included), and the engine serialises "
    "calls into the runtime when it must.",
    "tensor": "`{class_name}` is an actor, safe to share between tasks; `load` and `run` are `async` and run off the "
    "caller's thread (the main actor included), and the engine serialises calls into the runtime when it must.",
}


def _usage_view(task: str, view: dict[str, Any]) -> dict[str, Any]:
    """The README's usage example (``usage_example``, at most five lines of Swift in an ``async throws``
    function) and the prose around it. ``Tests/<Module>Tests/ReadmeExample.swift`` compiles the same field."""
    c, lit = view["class_name"], naming.string_literal
    if task == "text-generation":
        body = [
            f'for try await piece in model.generate({lit(USAGE_PROMPT)}) {{ print(piece, terminator: "") }}',
            f"print(try await model.generateText({lit(USAGE_PROMPT)}, settings: GenerationSettings(temperature: 0)))",
        ]
    elif task == "text-embedding":
        texts = ", ".join(lit(t) for t in USAGE_TEXTS)
        body = [
            f"let query = try await model.embed({lit(USAGE_QUERY)})",
            f"let answers = try await model.embed([{texts}])",
            f"print({c}.cosineSimilarity(query, answers[0]))",
        ]
    elif task == "image-classification":
        body = [
            f"let rgba = [UInt8](repeating: 128, count: {c}.width * {c}.height * 4)",
            "for result in try await model.classify(rgba: rgba, topK: 3) { print(result.label, result.score) }",
        ]
    elif task == "text-classification":
        body = [
            f"for result in try await model.classify({lit(USAGE_CLASSIFY)}, topK: 3) {{",
            "    print(result.label, result.score)",
            "}",
        ]
    else:
        args = ", ".join(
            f"{t['name'].strip('`')}: [{t['scalar']}](repeating: 0, count: {t['count']})" for t in view["inputs"]
        )
        body = [
            f"let output = try await model.run({c}Input({args}))",
            f"print(output.{view['outputs'][0]['name']})",
        ]
    return {
        "usage_example": "\n".join([f"let model = try await {c}.load()", *body]),
        "usage_summary": _SUMMARIES[task],
        "threading_doc": _THREADING[task].format(class_name=c),
    }


def _engine_view(
    spec: ModelSpec,
    artifact: ArtifactSpec,
    info: TargetInfo,
    class_name: str,
    outputs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    tolerance = spec.tolerance_for(artifact)
    lit = naming.string_literal
    suffix = engine_suffix(info)
    model_stem, model_ext = artifact.file.rsplit(".", 1)
    view: dict[str, Any] = {
        "engine": class_name + suffix,
        "target": info.name,
        "backend_case": suffix[:1].lower() + suffix[1:],
        "backend_doc": naming.doc_text(
            f"{info.name}: {info.binding.delegate_doc}, {info.runtime} {artifact.runtime_version}"
        ),
        "runtime_version": artifact.runtime_version,
        "runtime_version_literal": lit(artifact.runtime_version),
        "delegate_doc": info.binding.delegate_doc,
        "model_resource_literal": lit(model_stem),
        "model_extension_literal": lit(model_ext),
        "model_file_literal": lit(artifact.file),
        "tolerance": float_literal(tolerance, "", ".nan", ".infinity"),
        "golden": golden_view(spec.golden_for(artifact), lit),  # text generation: greedy continuations
    }
    if artifact.runtime == "coreml":
        from sdkgen.runtimes.coreml import COMPUTE_UNITS

        view["compute_units"] = COMPUTE_UNITS[artifact.delegate][1]
        # Core ML ML programs compute in float16: the device tests allow for its precision.
        view["tolerance"] = float_literal(max(tolerance, COREML_FP16_TOLERANCE), "", ".nan", ".infinity")
        if outputs is not None:
            view["coreml_output_args"] = ", ".join(f"{t['name'].strip('`')}: {_coreml_read(t)}" for t in outputs)
    if outputs is not None:  # tensor-shaped tasks: the backend's device golden test
        case = spec.tensor_golden_for(artifact)[0]
        view["golden_test"] = f"test{suffix}MatchesHostGolden"
        view["target_literal"] = lit(info.name)
        view["golden_outputs"] = [
            {"name": t["name"], "label": t["label"], "golden": _values_literal(v)}
            for t, v in zip(outputs, case.outputs, strict=True)
        ]
        view["golden_source"] = (
            "the float32 model" if artifact.golden_reference else "the model this artifact was built from"
        )
    return view


def _floats(values: tuple[float, ...] | list[float]) -> str:
    return "[" + ", ".join(float_literal(x, "", ".nan", ".infinity") for x in values) + "]"


def _embedding_view(spec: ModelSpec, view: dict[str, Any], e2e: ArtifactSpec) -> dict[str, Any]:
    assert spec.tokenizer is not None and spec.embedding is not None
    ids, mask = (t["name"].strip("`") for t in view["inputs"])
    vocab_stem, vocab_ext = spec.tokenizer.file.rsplit(".", 1)
    return {
        **task_view(spec),
        "vocab_resource_literal": naming.string_literal(vocab_stem),
        "vocab_extension_literal": naming.string_literal(vocab_ext),
        "vocab_file_literal": naming.string_literal(spec.tokenizer.file),
        "engine_input_args": f"{ids}: encoding.inputIds, {mask}: encoding.attentionMask",
        "golden_texts": [
            {"text": naming.string_literal(t), "embedding": _floats(c.outputs[0].values)}
            for t, c in zip(spec.texts, spec.tensor_golden_for(e2e), strict=False)
        ],
        "min_cosine": float_literal(embedding_floor(spec, e2e), "", ".nan", ".infinity"),
    }


def _image_view(spec: ModelSpec, view: dict[str, Any]) -> dict[str, Any]:
    assert spec.image is not None
    return {
        **task_view(spec),
        "engine_input_args": f"{view['inputs'][0]['name'].strip('`')}: input",
        "mean": _floats(spec.image.mean),
        "std": _floats(spec.image.std),
        "labels": "[" + ", ".join(naming.string_literal(x) for x in spec.labels) + "]",
    }


def _text_classification_view(spec: ModelSpec, view: dict[str, Any], e2e: ArtifactSpec) -> dict[str, Any]:
    assert spec.tokenizer is not None
    lit = naming.string_literal
    ids, mask = (t["name"].strip("`") for t in view["inputs"])
    vocab_stem, vocab_ext = spec.tokenizer.file.rsplit(".", 1)
    golden = []
    min_agreed, max_score_diff = golden_agreement(spec, e2e)
    for text, case in zip(spec.texts, spec.tensor_golden_for(e2e), strict=False):
        best, score = top1(case)
        golden.append(
            {"text": lit(text), "label": lit(spec.labels[best]), "score": float_literal(score, "", ".nan", ".infinity")}
        )
    return {
        **task_view(spec),
        "vocab_resource_literal": lit(vocab_stem),
        "vocab_extension_literal": lit(vocab_ext),
        "vocab_file_literal": lit(spec.tokenizer.file),
        "engine_input_args": f"{ids}: encoding.inputIds, {mask}: encoding.attentionMask",
        "labels": "[" + ", ".join(lit(x) for x in spec.labels) + "]",
        "golden_texts": golden,
        "golden_count": len(golden),
        "min_agreed": min_agreed,
        "max_score_diff": float_literal(max_score_diff, "", ".nan", ".infinity"),
    }


def _text_generation_view(spec: ModelSpec) -> dict[str, Any]:
    assert spec.tokenizer is not None and spec.generation is not None
    lit = naming.string_literal
    tok_stem, tok_ext = spec.tokenizer.file.rsplit(".", 1)
    chat, _ = chat_format_for(spec.tokenizer.chat_template, spec.tokenizer.bos_token, spec.tokenizer.eos_token)
    runtime_bos = spec.tokenizer.bos_token if spec.generation.bos_count > 0 else ""
    return {
        "chat": None if chat is None else view_fields(chat, runtime_bos, naming.string_literal, lambda r: r, "nil"),
        "chat_doc": "" if chat is None else ", or reply to a conversation with ``generate(messages:settings:)``",
        "tokenizer_resource_literal": lit(tok_stem),
        "tokenizer_extension_literal": lit(tok_ext),
        "tokenizer_file_literal": lit(spec.tokenizer.file),
        "max_seq_len": spec.generation.max_seq_len,
        # Step runtimes (Core ML): the SDK tokenizes and drives the KV cache itself.
        "prefill_len": spec.generation.prefill_len,
        "bos_id": spec.tokenizer.bos_id,
        "eos_ids": ", ".join(str(i) for i in spec.tokenizer.eos_ids),
        "default_max_new_tokens": spec.generation.default_max_new_tokens,
        "bos_count": spec.generation.bos_count,
    }


COREML_FP16_TOLERANCE = 1e-2


def _coreml_read(t: dict[str, Any]) -> str:
    if t["dtype"] == "float32":
        return f"MLShapedArray<Float>(converting: {t['local']}).scalars"
    ints = f"MLShapedArray<Int32>(converting: {t['local']}).scalars"
    return ints if t["dtype"] == "int32" else f"{ints}.map {{ Int64($0) }}"


def _values_literal(v: TensorValue) -> str:
    if v.dtype == "float32":
        items = [float_literal(x, "", ".nan", ".infinity") for x in v.values]
    else:
        items = [str(int(x)) for x in v.values]
    return "[" + ", ".join(items) + "]"


def _tensors(values: tuple[TensorValue, ...], prefix: str) -> list[dict[str, Any]]:
    names = member_names([v.name for v in values], naming.KEYWORDS, renamed=naming.RENAMED_MEMBERS)
    return [
        {
            "name": name,
            "local": f"{prefix}{i}",
            "label": naming.string_literal(v.name),
            "doc": naming.doc_text(v.name),
            "dtype": v.dtype,
            "scalar": _SCALARS[v.dtype],
            "count": len(v.values),
            "shape": "[" + ", ".join(map(str, v.shape)) + "]",
            "index": i,
            "is_float": v.dtype == "float32",
            "golden": _values_literal(v),
            # Core ML has no int64 arrays: int64 goes in and out as int32.
            "coreml_scalar": "Float" if v.dtype == "float32" else "Int32",
            "coreml_values": f"input.{name}"
            if v.dtype != "int64"
            else f"input.{name}.map {{ Int32(truncatingIfNeeded: $0) }}",
        }
        for i, (name, v) in enumerate(zip(names, values, strict=True))
    ]


def _tensor_view(spec: ModelSpec) -> dict[str, Any]:
    case = spec.tensor_golden[0]
    inputs, outputs = _tensors(case.inputs, "input"), _tensors(case.outputs, "output")
    return {
        "inputs": inputs,
        "outputs": outputs,
        "input_params": ", ".join(f"{t['name']}: [{t['scalar']}]" for t in inputs),
        "output_params": ", ".join(f"{t['name']}: [{t['scalar']}]" for t in outputs),
        "golden_input_args": ", ".join(f"{t['name'].strip('`')}: {t['golden']}" for t in inputs),
        "output_args": ", ".join(f"{t['name'].strip('`')}: {t['local']}.scalars()" for t in outputs),
    }


def generate(
    spec: ModelSpec,
    files: dict[str, Path],
    out: Path,
    templates_root: Path = TEMPLATES_ROOT,
    user_templates: Path | None = None,
) -> GeneratedSdk:
    """Render the package into ``out`` and copy ``files`` (artifact name -> path) into its resources."""
    check_spec(spec)  # before the view: it parses versions and splits file names
    return generate_sdk(
        "ios",
        spec,
        build_view(spec),
        files,
        out,
        PurePosixPath("Sources", spec.ios.module, "Resources"),
        PurePosixPath("Tests", f"{spec.ios.module}CoreTests", "Golden"),
        templates_root,
        user_templates,
    )
