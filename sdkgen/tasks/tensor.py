"""The tensor-task stages: a Python factory's module, golden outputs for the example and seeded random
inputs, ``torch.export``, then each runtime's backend lowers and verifies."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen.cache import key
from sdkgen.runtimes import TargetInfo
from sdkgen.spec import TensorCase, TensorValue
from sdkgen.stages import ModelParts, StageRunner, backend
from sdkgen.verify import summarize


class TensorStages(StageRunner):
    def _tensor_stages(self) -> ModelParts:
        from sdkgen.models.factory import load_factory
        from sdkgen.models.tensor import golden_inputs, method_specs

        cfg = self.config
        fm = load_factory(cfg.model.source, cfg.root)
        self._model = fm.module
        k_load = key("load", fm.fingerprint, fm.input_names)
        k_ref = key("reference", k_load)
        k_compress = key("compress", k_load, self.recipe.as_dict(), self.model_versions)
        k_golden = key("golden", k_compress, k_ref)
        k_export = key("export", k_compress)
        if not all(
            self.cache.lookup(s, k) for s, k in (("reference", k_ref), ("golden", k_golden), ("export", k_export))
        ):
            self._forget_in_memory_stages({"load": k_load, "compress": k_compress})
        cases = golden_inputs(fm.inputs)

        def run_load(d: Path, meta: dict[str, Any]) -> None:
            meta.update({"parameters": int(sum(p.numel() for p in fm.module.parameters())), "inputs": fm.input_names})
            (d / "model.json").write_text(json.dumps(meta, indent=2))

        self._stage("load", k_load, run_load)
        ref_dir = self._stage("reference", k_ref, partial(self._run_tensor_golden, cases=cases, names=fm.input_names))
        self._stage("compress", k_compress, self._run_compress)
        golden_dir = self._stage(
            "golden", k_golden, partial(self._run_tensor_golden, cases=cases, names=fm.input_names)
        )
        export_dir = self._stage("export", k_export, partial(self._run_tensor_export, inputs=fm.inputs))
        golden = _read_tensor_golden(golden_dir)
        artifacts, files, verify = self._lower_and_verify(
            k_export,
            {},
            [k_golden, cfg.verify.output_tolerance],
            partial(self._run_tensor_lower, export_dir=export_dir, inputs=fm.inputs),
            partial(self._run_tensor_verify, golden_dir=golden_dir),
        )
        reference = _read_tensor_golden(ref_dir)
        effect = {"max_relative_output_change_fp32_vs_compressed": _max_rel_change(reference, golden)}
        fields = {
            "methods": method_specs(golden[0]),
            "tokenizer": None,
            "generation": None,
            "artifacts": tuple(artifacts),
            "golden": (),
            "tensor_golden": tuple(golden),
            "output_tolerance": cfg.verify.output_tolerance,
        }
        return ModelParts(fields, artifacts, files, verify, effect)

    def _run_tensor_golden(self, d: Path, meta: dict[str, Any], cases: list[Any], names: list[str]) -> None:
        from sdkgen.models.tensor import tensor_cases

        result = tensor_cases(self._model, names, cases)
        (d / "golden.json").write_text(json.dumps([asdict(c) for c in result]))
        meta["cases"] = len(result)

    def _run_tensor_export(self, d: Path, meta: dict[str, Any], inputs: tuple[Any, ...]) -> None:
        import torch

        from sdkgen.models.tensor import export_tensor

        torch.export.save(export_tensor(self._model, inputs), d / "program.pt2")
        meta["program_bytes"] = (d / "program.pt2").stat().st_size

    def _run_tensor_lower(
        self, d: Path, meta: dict[str, Any], ti: TargetInfo, export_dir: Path, inputs: tuple[Any, ...]
    ) -> None:
        runtime = backend(ti)
        out = d / f"model{ti.artifact_suffix}"
        delegation = runtime.lower_tensor(
            export_dir / "program.pt2", self._model, inputs, ti.delegate, out, self._target_options(ti)
        )
        (d / "delegation.json").write_text(json.dumps(delegation, indent=2))
        meta.update({"runtime_version": runtime.runtime_version(), "bytes": out.stat().st_size})

    def _run_tensor_verify(
        self, d: Path, meta: dict[str, Any], ti: TargetInfo, lower_dir: Path, golden_dir: Path
    ) -> None:
        checks = backend(ti).verify_tensor(
            lower_dir / f"model{ti.artifact_suffix}",
            _read_tensor_golden(golden_dir),
            tolerance=self.config.verify.output_tolerance,
        )
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2))
        meta["status"] = summarize(checks)


def _read_tensor_golden(d: Path) -> list[TensorCase]:
    def values(items: list[dict[str, Any]]) -> tuple[TensorValue, ...]:
        return tuple(TensorValue(v["name"], v["dtype"], tuple(v["shape"]), tuple(v["values"])) for v in items)

    return [TensorCase(values(c["inputs"]), values(c["outputs"])) for c in json.loads((d / "golden.json").read_text())]


def _max_rel_change(reference: list[TensorCase], golden: list[TensorCase]) -> float:
    worst = 0.0
    for r, g in zip(reference, golden, strict=True):
        for a, b in zip(r.outputs, g.outputs, strict=True):
            scale = max((abs(x) for x in a.values), default=0.0) or 1e-6
            worst = max(worst, max((abs(x - y) for x, y in zip(a.values, b.values, strict=True)), default=0.0) / scale)
    return round(worst, 6)
