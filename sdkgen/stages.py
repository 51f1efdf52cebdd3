"""What every task's stages share: the cached stage runner, the in-memory model, lowering and verifying
every target, and the artifact description. Task stage sequences live in :mod:`sdkgen.tasks`.

A stage's output lives in the stage cache under a key that hashes everything it depends on; a cached stage
is reused and recorded as ``cached``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen import __version__, toolchain
from sdkgen.cache import StageCache, key, path_digest
from sdkgen.compress import QUANTIZATIONS
from sdkgen.config import BuildConfig
from sdkgen.errors import ToolchainMissing
from sdkgen.interrupt import raise_pending
from sdkgen.models.hf import CheckpointInfo
from sdkgen.runtimes import TARGETS, TargetInfo
from sdkgen.spec import ArtifactSpec
from sdkgen.verify import Check

Log = Callable[[str], None]


@dataclass
class StageRecord:
    name: str
    status: str  # "ran" | "cached"
    seconds: float
    key: str
    detail: str = ""


@dataclass
class ModelParts:
    """What the task-specific stages hand to the shared SDK, check and report stages."""

    spec_fields: dict[str, Any]
    artifacts: list[ArtifactSpec]
    files: dict[str, Path]
    verify: dict[str, list[Check]]
    compression_effect: dict[str, Any]


def lowers_program(ti: TargetInfo) -> bool:
    """Whether ``ti`` lowers the exported torch program (``program.pt2``) of a text-generation build rather
    than converting the checkpoint itself."""
    return ti.runtime == "executorch" and "text-generation" not in ti.converts_checkpoint


class StageRunner:
    """Runs cached stages for one build; subclassed by the task stage mixins and the pipeline."""

    def __init__(
        self,
        config: BuildConfig,
        info: CheckpointInfo | None,
        dest: Path,
        cache: StageCache,
        log: Log,
        skipped: dict[str, ToolchainMissing] | None = None,
    ) -> None:
        self.skipped = skipped or {}
        self.coverage: dict[str, dict[str, Any]] = {}
        self.config = config
        self.info = info
        self.dest = dest
        self.cache = cache
        self.log = log
        self.records: list[StageRecord] = []
        self.recipe = config.recipe()
        self.versions = {
            t.name: t.version
            for t in (*toolchain.python_packages(), *toolchain.compilers())
            if t.available and t.version
        }
        # What model stages depend on (compiler versions key only the check stage).
        self.model_versions = {k: self.versions.get(k) for k in ("torch", "torchao", "executorch", "transformers")}
        self.model_versions["sdkgen"] = __version__
        # What a lowering depends on beyond the model: the converters and quantizers of every runtime.
        self.lower_versions = {
            **self.model_versions,
            **{k: self.versions.get(k) for k in ("coremltools", "litert-torch", "ai-edge-litert", "tensorflow-cpu")},
            "ai-edge-quantizer": toolchain.package_version("ai-edge-quantizer"),
        }
        self.versions["sdkgen"] = __version__
        self._model: Any = None
        self._tokenizer: Any = None
        self._compressed = False
        self._rerun: set[tuple[str, str]] = set()

    @property
    def ckpt(self) -> CheckpointInfo:
        """The checkpoint of a text-generation build (tensor builds have none)."""
        if self.info is None:
            raise RuntimeError("this stage needs a Hugging Face checkpoint")
        return self.info

    def _stage(self, name: str, k: str, fn: Callable[[Path, dict[str, Any]], None], label: str | None = None) -> Path:
        label = label or name
        raise_pending()  # an interrupt that a library caught during the previous stage still ends the build
        hit = None if (name, k) in self._rerun else self.cache.lookup(name, k)
        if hit is not None:
            self.records.append(StageRecord(label, "cached", 0.0, k))
            self.log(f"[{label}] reused from cache ({k[:12]})")
            return hit
        self.log(f"[{label}] running ...")
        t0 = time.perf_counter()
        with self.cache.write(name, k) as (tmp, meta):
            fn(tmp, meta)
            raise_pending()  # interrupted during this stage: its entry is not kept
            meta["seconds"] = round(time.perf_counter() - t0, 3)
        secs = time.perf_counter() - t0
        self.records.append(StageRecord(label, "ran", round(secs, 3), k))
        self.log(f"[{label}] done in {secs:.1f}s")
        found = self.cache.lookup(name, k)
        assert found is not None
        return found

    def _model_fp32(self) -> tuple[Any, Any]:
        if self._model is None:
            from sdkgen.models.hf import load_causal_lm

            self._model, self._tokenizer = load_causal_lm(self.ckpt)
        if self._compressed:
            raise RuntimeError("the fp32 model was already compressed in place")
        return self._model, self._tokenizer

    def _forget_in_memory_stages(self, keys: dict[str, str]) -> None:
        """``load`` and ``compress`` produce in-memory models; when a stage that needs the model is not
        cached, their cached summaries are not enough to go on, so they run again. Their cache entries stay:
        another build may be reading them, and the rerun's commit keeps the existing complete entry."""
        self._rerun.update(keys.items())

    def _target_options(self, ti: TargetInfo) -> dict[str, Any]:
        """The config settings a target's lowering depends on (and so its cache key): the recipe of a runtime
        that quantizes its own artifact, the ExecuTorch Core ML delegate's and the NPU compilers' settings."""
        options: dict[str, Any] = {}
        if ti.quantizes_artifact:
            recipe = self.config.recipe_for(ti.name)
            options["recipe"] = recipe
            if QUANTIZATIONS.get(recipe).grouped:
                options["group_size"] = self.config.compress.group_size
        if ti.delegate == "coreml":
            options.update(self.config.coreml.model_dump())
        if ti.delegate.startswith("npu-"):
            options.update(self.config.litert.model_dump())
        return options

    def _lower_and_verify(
        self,
        k_export: str,
        meta: dict[str, Any],
        verify_key: list[Any],
        lower_fn: Callable[..., None],
        verify_fn: Callable[..., None],
    ) -> tuple[list[ArtifactSpec], dict[str, Path], dict[str, list[Check]]]:
        """Lower and verify every target; ``lower_fn(d, meta, ti)`` writes ``d/model<suffix>``,
        ``verify_fn(d, meta, ti, lower_dir)`` writes ``d/checks.json``."""
        artifacts: list[ArtifactSpec] = []
        files: dict[str, Path] = {}
        verify: dict[str, list[Check]] = {}
        for t in self.config.targets:
            ti = TARGETS.get(t)
            k_lower = key("lower", k_export, t, meta, self._target_options(ti), self.lower_versions)
            lower_dir = self._stage("lower", k_lower, partial(lower_fn, ti=ti), f"lower {t}")
            delegation = json.loads((lower_dir / "delegation.json").read_text())
            self.coverage[t] = delegation.get("forward") or next(iter(delegation.values()), {})
            art = self._artifact_spec(ti, lower_dir, delegation)
            artifacts.append(art)
            files[art.file] = lower_dir / f"model{ti.artifact_suffix}"
            k_verify = key("verify", k_lower, *verify_key, self._verify_settings_key())
            vdir = self._stage("verify", k_verify, partial(verify_fn, ti=ti, lower_dir=lower_dir), f"verify {t}")
            verify[t] = [Check(**c) for c in json.loads((vdir / "checks.json").read_text())]
        return artifacts, files, verify

    def _artifact_spec(self, ti: TargetInfo, lower_dir: Path, delegation: dict[str, Any]) -> ArtifactSpec:
        sha256, size = path_digest(lower_dir / f"model{ti.artifact_suffix}")
        meta = json.loads((lower_dir / "done.json").read_text())
        return ArtifactSpec(
            target=ti.name,
            runtime=ti.runtime,
            delegate=ti.delegate,
            file=f"{self.config.name}-{ti.delegate}{ti.artifact_suffix}",
            sha256=sha256,
            size=size,
            runtime_version=meta["runtime_version"],
            min_android_sdk=ti.min_android_sdk,
            min_ios=ti.min_ios,
            delegates=tuple(sorted({b for m in delegation.values() for b in m["delegates"]})),
            recipe=self.config.recipe_for(ti.name),
            **self._golden_fields(ti),
        )

    def _golden_fields(self, ti: TargetInfo) -> dict[str, Any]:
        """The artifact's ``golden_reference`` / ``golden_tolerance`` (tensor-shaped tasks set them)."""
        return {}

    def _run_compress(self, d: Path, meta: dict[str, Any]) -> None:
        """Prune, factorise, then quantize the in-memory model (:attr:`recipe`), in that order."""
        model, _ = self._model_fp32()
        recipe = self.recipe
        summary: dict[str, Any] = recipe.as_dict()
        teacher = None
        if recipe.recovery is not None:
            import copy

            teacher = copy.deepcopy(model)
        calibration = self._calibration_ids() if recipe.pruning or recipe.recovery else None
        if recipe.pruning is not None:
            from sdkgen.compress.prune import prune

            summary["pruned"] = prune(model, recipe.pruning.method, recipe.pruning.amount, calibration)
        if recipe.low_rank is not None:
            from sdkgen.compress.low_rank import factorize

            lr = recipe.low_rank
            # The rank is the next layer's input width: keep it divisible by the 4-bit group size.
            multiple = recipe.group_size if QUANTIZATIONS.get(recipe.name).grouped else 1
            summary["factorized"] = factorize(
                model, energy=lr.energy, rank=lr.rank, layers=lr.layers, multiple_of=multiple
            )
        if recipe.recovery is not None:
            from sdkgen.compress.recovery import distill

            summary["recovered"] = distill(
                model,
                teacher,
                calibration or [],
                steps=recipe.recovery.steps,
                learning_rate=recipe.recovery.learning_rate,
            )
            del teacher
        if self._fuses_projections():
            import torch

            from sdkgen.runtimes.executorch.fuse import fuse_projections

            probe = (torch.arange(8, dtype=torch.long)[None] * 7 + 3) % self.ckpt.vocab_size
            summary["fused_projections"] = fuse_projections(model, probe)
        from sdkgen.runtimes.executorch.quantize import quantize

        self._model, q = quantize(
            model,
            recipe,
            self._calibration_inputs() if QUANTIZATIONS.get(recipe.name).calibrated else [],
            float32_io=self.config.model.task != "text-generation",
        )
        summary.update(q)
        self._compressed = True
        (d / "compression.json").write_text(json.dumps(summary, indent=2, default=str))
        meta.update({k: v for k, v in summary.items() if k not in ("pruned", "factorized")})

    def _fuses_projections(self) -> bool:
        """Whether the compressed model gets fused projections (:mod:`sdkgen.runtimes.executorch.fuse`): text
        generation with a target that lowers the exported program. Part of the compress stage's key."""
        return self.config.model.task == "text-generation" and any(
            lowers_program(TARGETS.get(t)) for t in self.config.targets
        )

    def _calibration_key(self) -> str | None:
        """The digest of ``compress.calibration`` (part of the compress stage's key)."""
        c = self.config.compress.calibration
        return path_digest(self.config.path(c))[0] if c else None

    def _verify_settings_key(self) -> list[Any]:
        """Every ``verify.*`` setting and the digests of its data files (part of each verify stage's key):
        a changed gate or evaluation file is judged again, never read back from an earlier verdict."""
        v = self.config.verify
        files = [path_digest(self.config.path(f))[0] for f in (v.heldout_text, v.eval_data) if f]
        return [v.model_dump(mode="json"), files]

    def _calibration_ids(self) -> list[list[int]] | None:
        """Token-id sequences of the calibration text (text generation overrides this)."""
        return None

    def _calibration_inputs(self) -> list[tuple[Any, ...]]:
        """Model input tuples made from the calibration data (tensor-shaped tasks override this)."""
        return []


def backend(ti: TargetInfo, framework: str = "torch") -> Any:
    """The runtime package's tensor-task backend for models of ``framework``, imported lazily:
    ``sdkgen.runtimes.<runtime>.backend`` for torch, ``sdkgen.runtimes.<runtime>.backend_<framework>`` else."""
    import importlib

    name = "backend" if framework == "torch" else f"backend_{framework}"
    return importlib.import_module(f"sdkgen.runtimes.{ti.runtime}.{name}")
