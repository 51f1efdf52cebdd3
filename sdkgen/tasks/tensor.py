"""The tensor-task stages: a Python factory's module, golden outputs for the example and seeded random
inputs, ``torch.export``, then each runtime's backend lowers and verifies. A Keras or SavedModel source
(:mod:`sdkgen.models.keras`) goes the same way with TensorFlow: no compression, a SavedModel as the export,
and the runtime's ``backend_tensorflow`` lowering it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen.cache import key, path_digest
from sdkgen.config import BuildConfig
from sdkgen.models.tensor import TensorModel
from sdkgen.runtimes import TARGETS, TargetInfo
from sdkgen.spec import TensorCase, TensorValue
from sdkgen.stages import ModelParts, StageRunner, backend
from sdkgen.verify import summarize

#: What the export stage writes, per model framework: the file or folder the runtime backends lower.
EXPORTS = {"torch": "program.pt2", "tensorflow": "saved_model"}


class TensorStages(StageRunner):
    def _tensor_model(self) -> tuple[TensorModel, dict[str, Any]]:
        """The task's model and the config settings its stages depend on."""
        cfg = self.config
        task = cfg.model.task
        if task == "text-embedding":
            from sdkgen.models.embedding import load_embedder

            settings: dict[str, Any] = {
                "max_seq_len": cfg.export.max_seq_len,
                "sentences": cfg.verify.sentences,
                "min_cosine": cfg.verify.min_cosine,
            }
            return load_embedder(
                cfg.model_source, cfg.export.max_seq_len, cfg.verify.sentences, cfg.verify.min_cosine
            ), settings
        if task == "text-classification":
            from sdkgen.models.text_classification import load_text_classifier

            v = cfg.verify
            labels = cfg.path(cfg.model.labels) if cfg.model.labels else None
            eval_data = cfg.path(v.eval_data) if v.eval_data else None
            settings = {
                "max_seq_len": cfg.export.max_seq_len,
                "sentences": v.sentences,
                "max_accuracy_drop": v.max_accuracy_drop,
                "min_label_agreement": v.min_label_agreement,
            }
            return load_text_classifier(
                cfg.model_source,
                cfg.export.max_seq_len,
                v.sentences,
                labels,
                eval_data,
                v.max_accuracy_drop,
                v.min_label_agreement,
            ), settings
        if task == "image-classification":
            from sdkgen.models.image import load_image_classifier

            assert cfg.image is not None  # the config validator guarantees it
            eval_data = cfg.path(cfg.verify.eval_data) if cfg.verify.eval_data else None
            settings = {"image": cfg.image.model_dump(), "max_accuracy_drop": cfg.verify.max_accuracy_drop}
            return load_image_classifier(
                cfg.model.source,
                cfg.root,
                cfg.path(cfg.image.labels),
                cfg.image.mean,
                cfg.image.std,
                eval_data,
                cfg.verify.max_accuracy_drop,
            ), settings
        from sdkgen.models.keras import load_tf_source, source_kind

        if source_kind(cfg.model.source, cfg.root) is not None:
            tm = load_tf_source(cfg.model.source, cfg.root)
            return tm, {"tensorflow": tm.framework_version}
        from sdkgen.models.tensor import load_tensor_model

        return load_tensor_model(cfg.model.source, cfg.root), {}

    def _tensor_stages(self) -> ModelParts:
        from sdkgen.models.tensor import method_specs

        cfg = self.config
        tm, settings = self._tensor_model()
        self._model = tm.module
        self._tm = tm
        if cfg.compress.calibration and tm.calibrate is not None:
            # Read now, even when the recipe does not calibrate: bad data is refused before any stage runs
            # (the compress stage, which uses it, comes after the reference outputs), and never cached.
            tm.calibrate(cfg.path(cfg.compress.calibration))
        shapes = [(str(t.dtype), tuple(t.shape)) for t in tm.inputs]
        k_load = key("load", cfg.model.task, tm.fingerprint, tm.input_names, shapes, settings)
        k_ref = key("reference", k_load)
        k_compress = key("compress", k_load, self.recipe.as_dict(), self._calibration_key(), self.model_versions)
        k_golden = key("golden", k_compress, k_ref)
        k_export = key("export", k_compress)
        # Targets that quantize their own artifact lower the model before quantization: its own export when
        # the build's model is quantized (for ExecuTorch), else the same one.
        k_plain = k_export
        if self.recipe.name != "none" and any(TARGETS.get(t).quantizes_artifact for t in cfg.targets):
            k_plain = key("export", k_load)
        needed = [("reference", k_ref), ("golden", k_golden), ("export", k_export), ("export", k_plain)]
        if not all(self.cache.lookup(s, k) for s, k in needed):
            self._forget_in_memory_stages({"load": k_load, "compress": k_compress})

        def run_load(d: Path, meta: dict[str, Any]) -> None:
            meta.update({"parameters": _parameter_count(tm), "inputs": tm.input_names})
            (d / "model.json").write_text(json.dumps(meta, indent=2))
            for name, text in tm.files.items():
                (d / name).write_text(text, encoding="utf-8")

        load_dir = self._stage("load", k_load, run_load)
        ref_dir = self._stage("reference", k_ref, partial(self._run_tensor_golden, tm=tm, ref_dir=None))
        plain_dir = None
        if k_plain != k_export:
            plain_dir = self._stage("export", k_plain, partial(self._run_tensor_export, tm=tm), "export unquantized")
        self._stage("compress", k_compress, self._run_compress if tm.framework == "torch" else self._run_as_is)
        golden_dir = self._stage("golden", k_golden, partial(self._run_tensor_golden, tm=tm, ref_dir=ref_dir))
        export_dir = self._stage("export", k_export, partial(self._run_tensor_export, tm=tm))
        plain_dir = plain_dir or export_dir
        golden = _read_tensor_golden(golden_dir)
        reference = _read_tensor_golden(ref_dir)
        described = task_metadata(cfg, tm, load_dir)
        annotations = {t: _annotation_key(TARGETS.get(t), cfg.model.task, tm.framework) for t in cfg.targets}
        artifacts, files, verify = self._lower_and_verify(
            k_export,
            {"annotations": annotations},
            [
                k_golden,
                k_ref,
                cfg.verify.output_tolerance,
                cfg.verify.compressed_output_tolerance,
                cfg.verify.quantization_error_tolerance,
            ],
            partial(self._run_tensor_lower, export_dirs=(export_dir, plain_dir), tm=tm, described=described),
            partial(self._run_tensor_verify, golden_dir=golden_dir, ref_dir=ref_dir, tm=tm, described=described),
        )
        files.update({name: load_dir / name for name in tm.files})
        effect: dict[str, Any] = {"max_relative_output_change_fp32_vs_compressed": _max_rel_change(reference, golden)}
        if tm.quality is not None:
            effect[f"{tm.quality.name}_fp32"] = _read_quality(ref_dir)
            effect[f"{tm.quality.name}_compressed"] = _read_quality(golden_dir)
        fields = {
            "methods": method_specs(golden[0]),
            "tokenizer": None,
            "generation": None,
            "artifacts": tuple(artifacts),
            "golden": (),
            "tensor_golden": tuple(golden),
            "reference_tensor_golden": tuple(reference) if any(a.golden_reference for a in artifacts) else (),
            "output_tolerance": cfg.verify.output_tolerance,
            **tm.spec_fields,
        }
        return ModelParts(fields, artifacts, files, verify, effect)

    def _golden_fields(self, ti: TargetInfo) -> dict[str, Any]:
        # Mirrors _run_tensor_verify: what the host compared the artifact with is what the device compares.
        reference = ti.quantizes_artifact and self.recipe.name != "none"
        return {"golden_reference": reference, "golden_tolerance": self._output_tolerance(ti)}

    def _output_tolerance(self, ti: TargetInfo) -> float:
        """``verify.output_tolerance`` for a float target; a quantized ExecuTorch one may differ from the eager
        quantized model by ``verify.compressed_output_tolerance`` (eager and runtime kernels round apart); one
        that quantizes its own artifact is compared with the float32 model, within
        ``verify.quantization_error_tolerance``."""
        v = self.config.verify
        if self.config.recipe_for(ti.name) == "none":
            return v.output_tolerance
        return v.quantization_error_tolerance if ti.quantizes_artifact else v.compressed_output_tolerance

    def _calibration_inputs(self) -> list[tuple[Any, ...]]:
        c = self.config.compress.calibration
        if not c or self._tm.calibrate is None:
            return []
        return self._tm.calibrate(self.config.path(c))

    def _run_tensor_golden(self, d: Path, meta: dict[str, Any], tm: TensorModel, ref_dir: Path | None) -> None:
        """Golden outputs of the in-memory model (fp32 in ``reference``, compressed in ``golden``) and its
        quality, measured against the fp32 outputs in ``ref_dir`` (``None``: these are the fp32 outputs)."""
        from sdkgen.models.tensor import run_eager, tensor_cases

        if tm.framework == "tensorflow":
            from sdkgen.models.keras import tensor_cases as tf_tensor_cases

            result = tf_tensor_cases(self._model, tm.cases)
        else:
            result = tensor_cases(self._model, tm.input_names, tm.cases)
        (d / "golden.json").write_text(json.dumps([asdict(c) for c in result]))
        meta["cases"] = len(result)
        if tm.quality is not None:
            model = self._model

            def run(inputs: Sequence[Any]) -> list[Any]:
                import torch

                return [o.double().numpy() for _, o in run_eager(model, [torch.from_numpy(a) for a in inputs])]

            reference = result if ref_dir is None else _read_tensor_golden(ref_dir)
            quality = tm.quality.measure(run, reference)
            (d / "quality.json").write_text(json.dumps(quality, indent=2))
            meta["quality"] = quality

    def _run_as_is(self, d: Path, meta: dict[str, Any]) -> None:
        """The compress stage of a TensorFlow model: the config allows it only recipe ``none``."""
        summary = {**self.recipe.as_dict(), "quantized_linears": 0}
        (d / "compression.json").write_text(json.dumps(summary, indent=2))
        meta.update(summary)

    def _run_tensor_export(self, d: Path, meta: dict[str, Any], tm: TensorModel) -> None:
        if tm.framework == "tensorflow":
            self._model.export(d / EXPORTS[tm.framework])
            meta["saved_model_bytes"] = path_digest(d / EXPORTS[tm.framework])[1]
            return
        import torch

        from sdkgen.models.tensor import export_tensor

        torch.export.save(export_tensor(self._model, tm.inputs, tm.strict_export), d / "program.pt2")
        meta["program_bytes"] = (d / "program.pt2").stat().st_size

    def _run_tensor_lower(
        self,
        d: Path,
        meta: dict[str, Any],
        ti: TargetInfo,
        export_dirs: tuple[Path, Path],
        tm: TensorModel,
        described: dict[str, Any],
    ) -> None:
        """Lower the build's export, or for a target that quantizes its own artifact the unquantized one
        (``export_dirs``: the two, the same folder when the build's model is not quantized)."""
        runtime = backend(ti, tm.framework)
        out = d / f"model{ti.artifact_suffix}"
        export_dir = export_dirs[1] if ti.quantizes_artifact else export_dirs[0]
        delegation = runtime.lower_tensor(
            export_dir / EXPORTS[tm.framework], self._model, tm.inputs, ti.delegate, out, self._target_options(ti)
        )
        (d / "delegation.json").write_text(json.dumps(delegation, indent=2))
        if hasattr(runtime, "annotate"):
            meta.update(runtime.annotate(out, described, self._target_options(ti)))
        meta.update({"runtime_version": runtime.runtime_version(), "bytes": path_digest(out)[1]})

    def _run_tensor_verify(
        self,
        d: Path,
        meta: dict[str, Any],
        ti: TargetInfo,
        lower_dir: Path,
        golden_dir: Path,
        ref_dir: Path,
        tm: TensorModel,
        described: dict[str, Any],
    ) -> None:
        from sdkgen.verify.tensor import verify_tensor

        runtime = backend(ti, tm.framework)
        checks = verify_tensor(
            runtime,
            lower_dir / f"model{ti.artifact_suffix}",
            # A target that quantizes its own artifact lowered the float32 model: its expected outputs are those.
            _read_tensor_golden(ref_dir if ti.quantizes_artifact else golden_dir),
            tolerance=self._output_tolerance(ti),
            label=ti.artifact_suffix.lstrip("."),
            quality=tm.quality,
            reference=_read_tensor_golden(ref_dir),
            fp32_quality=_read_quality(ref_dir),
        )
        if (
            hasattr(runtime, "check_annotation")
            and _annotation_key(ti, self.config.model.task, tm.framework) is not None
        ):
            checks.append(
                runtime.check_annotation(lower_dir / f"model{ti.artifact_suffix}", described, self._target_options(ti))
            )
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2))
        meta["status"] = summarize(checks)


def task_metadata(cfg: BuildConfig, tm: TensorModel, load_dir: Path) -> dict[str, Any]:
    """What a runtime may embed in its artifact to describe the task (TFLite metadata): the model's name
    and version, and the labels and normalisation (image classification), the vocabulary (embedding) or the
    labels and vocabulary (text classification)."""
    described: dict[str, Any] = {"task": cfg.model.task, "name": cfg.name, "version": cfg.android.version}
    image = tm.spec_fields.get("image")
    if image is not None:
        described.update(
            labels=list(tm.spec_fields["labels"]), mean=list(image.mean), std=list(image.std), channels=image.channels
        )
    if cfg.model.task == "text-classification":
        described.update(
            labels=list(tm.spec_fields["labels"]),
            vocab_file=str(load_dir / tm.spec_fields["tokenizer"].file),
            lowercase=tm.spec_fields["tokenizer"].lowercase,
            max_seq_len=tm.spec_fields["tokenizer"].max_length,
        )
    embedding = tm.spec_fields.get("embedding")
    if embedding is not None:
        described.update(vocab_file=str(load_dir / tm.spec_fields["tokenizer"].file), dimension=embedding.dim)
    return described


def _annotation_key(ti: TargetInfo, task: str, framework: str) -> str | None:
    key_of = getattr(backend(ti, framework), "annotation_key", None)
    return key_of(task) if key_of is not None else None


def _parameter_count(tm: TensorModel) -> int:
    if tm.framework == "tensorflow":
        return int(tm.module.count_params())
    return int(sum(p.numel() for p in tm.module.parameters()))


def _read_tensor_golden(d: Path) -> list[TensorCase]:
    def values(items: list[dict[str, Any]]) -> tuple[TensorValue, ...]:
        return tuple(TensorValue(v["name"], v["dtype"], tuple(v["shape"]), tuple(v["values"])) for v in items)

    return [TensorCase(values(c["inputs"]), values(c["outputs"])) for c in json.loads((d / "golden.json").read_text())]


def _read_quality(d: Path) -> dict[str, float]:
    f = d / "quality.json"
    return json.loads(f.read_text()) if f.is_file() else {}


def _max_rel_change(reference: list[TensorCase], golden: list[TensorCase]) -> float:
    worst = 0.0
    for r, g in zip(reference, golden, strict=True):
        for a, b in zip(r.outputs, g.outputs, strict=True):
            scale = max((abs(x) for x in a.values), default=0.0) or 1e-6
            worst = max(worst, max((abs(x - y) for x, y in zip(a.values, b.values, strict=True)), default=0.0) / scale)
    return round(worst, 6)
