"""One build: load -> reference -> compress -> golden -> export -> lower -> verify -> sdk -> check -> report.

Every stage is cached by a content hash of what its output depends on (:mod:`sdkgen.cache`); a stage
whose result is cached is reused and reported as ``cached``. The model is loaded only when a stage that
needs it is not cached. The output folder ``<out>/<name>`` is assembled in a temporary sibling folder and
swapped into place at the end, so a failed or interrupted build never leaves a half-written output and
never touches the previous one. A build whose verification fails writes ``<out>/<name>.rejected`` instead.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen import __version__, toolchain
from sdkgen.cache import StageCache, default_root, key
from sdkgen.compress import Recipe
from sdkgen.config import BuildConfig, parse_config
from sdkgen.errors import OutputPathError, StageError, ToolchainMissing, VerificationFailed
from sdkgen.models.hf import CheckpointInfo, inspect_checkpoint
from sdkgen.runtimes import TARGETS, TargetInfo
from sdkgen.runtimes.executorch.export import RUNNER_BOS_COUNT
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import (
    AndroidPackage,
    ArtifactSpec,
    GenerationSpec,
    GoldenCase,
    IosPackage,
    ModelSpec,
    TensorCase,
    TensorValue,
    TokenizerSpec,
)
from sdkgen.verify import Check, summarize

STAGES = ("load", "reference", "compress", "golden", "export", "lower", "verify", "sdk", "check", "report")


@dataclass
class StageRecord:
    name: str
    status: str  # "ran" | "cached"
    seconds: float
    key: str
    detail: str = ""


@dataclass
class _ModelParts:
    """What the task-specific stages hand to the shared SDK, check and report stages."""

    spec_fields: dict[str, Any]
    artifacts: list[ArtifactSpec]
    files: dict[str, Path]
    verify: dict[str, list[Check]]
    compression_effect: dict[str, Any]


@dataclass
class BuildResult:
    """What :func:`build` returns: where the output went and the report written there."""

    output: Path
    report: dict[str, Any]
    passed: bool
    stages: list[StageRecord] = field(default_factory=list)


Log = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(
    config: BuildConfig,
    out_root: Path,
    *,
    targets: list[str] | None = None,
    cache_root: Path | None = None,
    log: Log = _stderr,
) -> BuildResult:
    """Run the whole pipeline for ``config`` into ``out_root/<name>``; see the module docstring."""
    if targets:
        config = parse_config(
            {**config.model_dump(mode="python", exclude={"root"}), "targets": targets}, root=config.root
        )
    dest = _check_output(out_root, config.name)
    info = None
    if config.model.task == "text-generation":
        info = inspect_checkpoint(config.model_source)
        _check_model_fits(config, info)
    skipped = {t: why for t in config.targets if (why := toolchain.target_unavailable(TARGETS.get(t)))}
    if len(skipped) == len(config.targets):
        first = next(iter(skipped.values()))
        raise ToolchainMissing("; ".join(w.message for w in skipped.values()), hint=first.hint)
    for t, why in skipped.items():
        log(f"[{t}] not built: {why.message} (hint: {why.hint})")
    config = config.model_copy(update={"targets": [t for t in config.targets if t not in skipped]})
    return _Build(config, info, dest, StageCache(cache_root or default_root()), log, skipped).run()


def _check_output(out_root: Path, name: str) -> Path:
    if out_root.exists() and not out_root.is_dir():
        raise OutputPathError(
            f"output folder {str(out_root)!r} is a file", hint="pass --out a folder path (it is created if missing)"
        )
    dest = out_root / name
    if dest.exists() and not dest.is_dir():
        raise OutputPathError(
            f"output path {str(dest)!r} exists and is a file", hint="remove the file or choose another --out"
        )
    return dest


def _check_model_fits(config: BuildConfig, info: CheckpointInfo) -> None:
    from sdkgen.errors import ConfigError

    if config.export.max_seq_len > info.max_position_embeddings:
        raise ConfigError(
            f"export.max_seq_len = {config.export.max_seq_len} exceeds the model's max_position_embeddings "
            f"({info.max_position_embeddings})",
            hint=f"set export.max_seq_len to {info.max_position_embeddings} or less",
        )
    window = info.sliding_window
    if window is not None and config.export.max_seq_len > window:
        # transformers' exportable cache turns sliding-window layers into full static layers, which only
        # matches the model while every position is inside the window.
        raise ConfigError(
            f"export.max_seq_len = {config.export.max_seq_len} exceeds the model's sliding window ({window}); "
            "the exported static cache cannot reproduce sliding-window attention beyond it",
            hint=f"set export.max_seq_len to {window} or less",
        )
    if config.compress.recipe != "none":
        widths = {"hidden_size": info.config["hidden_size"], "intermediate_size": info.config.get("intermediate_size")}
        bad = {k: v for k, v in widths.items() if isinstance(v, int) and v % config.compress.group_size}
        if bad:
            raise ConfigError(
                f"compress.group_size = {config.compress.group_size} does not divide {bad}",
                hint="choose a group size that divides the model's layer widths, e.g. 32",
            )


class _Build:
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
        self.recipe = Recipe(config.compress.recipe, config.compress.group_size)
        self.versions = {
            t.name: t.version
            for t in (*toolchain.python_packages(), *toolchain.compilers())
            if t.available and t.version
        }
        # What model stages depend on (compiler versions key only the check stage).
        self.model_versions = {k: self.versions.get(k) for k in ("torch", "torchao", "executorch", "transformers")}
        self.versions["sdkgen"] = __version__
        self._model: Any = None
        self._tokenizer: Any = None
        self._compressed = False
        self._step_index = 0

    @property
    def ckpt(self) -> CheckpointInfo:
        """The checkpoint of a text-generation build (tensor builds have none)."""
        if self.info is None:
            raise RuntimeError("this stage needs a Hugging Face checkpoint")
        return self.info

    # -- stage plumbing -------------------------------------------------------------------------

    def _stage(self, name: str, k: str, fn: Callable[[Path, dict[str, Any]], None], label: str | None = None) -> Path:
        label = label or name
        self._step_index += 1
        hit = self.cache.lookup(name, k)
        if hit is not None:
            self.records.append(StageRecord(label, "cached", 0.0, k))
            self.log(f"[{label}] reused from cache ({k[:12]})")
            return hit
        self.log(f"[{label}] running ...")
        t0 = time.perf_counter()
        with self.cache.write(name, k) as (tmp, meta):
            fn(tmp, meta)
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

    # -- the pipeline ---------------------------------------------------------------------------

    def run(self) -> BuildResult:
        warnings.filterwarnings("ignore")
        cfg = self.config
        parts = self._tensor_stages() if cfg.model.task == "tensor" else self._text_generation_stages()
        spec = ModelSpec(
            name=cfg.name,
            task=cfg.model.task,
            android=AndroidPackage(
                cfg.android.package,
                cfg.android.group or cfg.android.package.rsplit(".", 1)[0],
                cfg.android.artifact or cfg.name,
                cfg.android.version,
                cfg.android.min_sdk,
            ),
            ios=IosPackage(cfg.ios.module, cfg.ios.minimum_ios),
            compression=self.recipe.as_dict(),
            **parts.spec_fields,
        )
        artifacts, files, verify = parts.artifacts, parts.files, parts.verify
        for t, why in self.skipped.items():
            verify[t] = [Check("lower", "not_executed", f"not built here: {why.message}; hint: {why.hint}")]
        spec_json = spec.to_json()
        sdk_dirs: dict[str, Path] = {}
        checks: dict[str, list[Check]] = {}
        for platform in ("android", "ios"):
            serving = [a for a in artifacts if platform in TARGETS.get(a.target).platforms]
            if not serving:
                reason = f"not executed here: no target in `targets` serves {platform}"
                checks[platform] = [Check(f"{platform}-sdk", "not_executed", reason)]
                continue
            # The platform's SDK carries its own artifact (the first target serving it) and the tokenizer.
            own = {serving[0].file, *([spec.tokenizer.file] if spec.tokenizer else [])}
            platform_files = {n: p for n, p in files.items() if n in own}
            k_sdk = key(
                "sdk",
                platform,
                spec_json,
                _tree_digest(TEMPLATES_ROOT / platform),
                [a.sha256 for a in artifacts],
                __version__,
            )
            sdk_dirs[platform] = self._stage(
                f"sdk-{platform}",
                k_sdk,
                partial(self._run_sdk, platform=platform, spec=spec, files=platform_files),
                f"sdk {platform}",
            )
            from sdkgen.sdk.check import checker_key

            k_check = key("check", k_sdk, checker_key(platform))
            cdir = self._stage(
                f"check-{platform}",
                k_check,
                partial(self._run_check, platform=platform, sdk_dir=sdk_dirs[platform]),
                f"check {platform}",
            )
            checks[platform] = [Check(**c) for c in json.loads((cdir / "checks.json").read_text())]

        return self._assemble(spec, files, sdk_dirs, verify, checks, parts.compression_effect)

    def _forget_in_memory_stages(self, keys: dict[str, str]) -> None:
        """``load`` and ``compress`` produce in-memory models; when a stage that needs the model is not
        cached, their cached summaries are not enough to go on, so they run again."""
        for s, k in keys.items():
            d = self.cache.root / s / k
            if d.exists():
                shutil.rmtree(d)

    def _target_options(self, ti: TargetInfo) -> dict[str, Any]:
        """The config settings a target's lowering depends on (and so its cache key)."""
        return self.config.coreml.model_dump() if ti.delegate == "coreml" else {}

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
            k_lower = key("lower", k_export, t, meta, self._target_options(ti), self.model_versions)
            lower_dir = self._stage("lower", k_lower, partial(lower_fn, ti=ti), f"lower {t}")
            delegation = json.loads((lower_dir / "delegation.json").read_text())
            self.coverage[t] = delegation.get("forward") or next(iter(delegation.values()), {})
            art = self._artifact_spec(ti, lower_dir)
            artifacts.append(art)
            files[art.file] = lower_dir / f"model{ti.artifact_suffix}"
            k_verify = key("verify", k_lower, *verify_key)
            vdir = self._stage("verify", k_verify, partial(verify_fn, ti=ti, lower_dir=lower_dir), f"verify {t}")
            verify[t] = [Check(**c) for c in json.loads((vdir / "checks.json").read_text())]
        return artifacts, files, verify

    def _text_generation_stages(self) -> _ModelParts:
        cfg = self.config
        tok = self._tokenizer_spec()
        assert self.info is not None
        k_load = key("load", self.ckpt.fingerprint, self.versions.get("transformers"))
        k_ref = key(
            "reference", k_load, RUNNER_BOS_COUNT, cfg.verify.prompts, cfg.verify.max_new_tokens, cfg.export.max_seq_len
        )
        k_compress = key("compress", k_load, self.recipe.as_dict(), self.model_versions)
        k_golden = key("golden", k_compress, k_ref)
        k_export = key("export", k_compress, cfg.export.max_seq_len)
        if not all(
            self.cache.lookup(s, k) for s, k in (("reference", k_ref), ("golden", k_golden), ("export", k_export))
        ):
            self._forget_in_memory_stages({"load": k_load, "compress": k_compress})

        self._stage("load", k_load, self._run_load)
        ref_dir = self._stage("reference", k_ref, partial(self._run_golden, tok=tok, kind="reference"))
        self._stage("compress", k_compress, self._run_compress)
        golden_dir = self._stage("golden", k_golden, partial(self._run_golden, tok=tok, kind="golden"))
        export_dir = self._stage("export", k_export, self._run_export)
        golden = _read_golden(golden_dir)
        meta = self._runner_metadata(tok)
        artifacts, files, verify = self._lower_and_verify(
            k_export,
            meta,
            [k_golden, cfg.verify.logits_tolerance],
            partial(self._run_lower, export_dir=export_dir, md=meta),
            partial(self._run_verify, golden_dir=golden_dir, md=meta, tok=tok),
        )
        files[tok.file] = self.ckpt.tokenizer
        reference = _read_golden(ref_dir)
        agree = sum(r.output_ids == g.output_ids for r, g in zip(reference, golden, strict=True))
        effect = {
            "greedy_agreement_fp32_vs_compressed": f"{agree}/{len(golden)} prompts identical",
            "examples": [
                {"prompt": g.prompt, "fp32": r.output_text, "compressed": g.output_text}
                for r, g in zip(reference, golden, strict=True)
            ],
        }
        fields = {
            "methods": _methods(tok.vocab_size),
            "tokenizer": tok,
            "generation": GenerationSpec(cfg.export.max_seq_len, cfg.verify.max_new_tokens, RUNNER_BOS_COUNT),
            "artifacts": tuple(artifacts),
            "golden": tuple(golden),
        }
        return _ModelParts(fields, artifacts, files, verify, effect)

    def _tensor_stages(self) -> _ModelParts:
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
        return _ModelParts(fields, artifacts, files, verify, effect)

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
        backend = _backend(ti)
        out = d / f"model{ti.artifact_suffix}"
        delegation = backend.lower_tensor(
            export_dir / "program.pt2", self._model, inputs, ti.delegate, out, self._target_options(ti)
        )
        (d / "delegation.json").write_text(json.dumps(delegation, indent=2))
        meta.update({"runtime_version": backend.runtime_version(), "bytes": out.stat().st_size})

    def _run_tensor_verify(
        self, d: Path, meta: dict[str, Any], ti: TargetInfo, lower_dir: Path, golden_dir: Path
    ) -> None:
        checks = _backend(ti).verify_tensor(
            lower_dir / f"model{ti.artifact_suffix}",
            _read_tensor_golden(golden_dir),
            tolerance=self.config.verify.output_tolerance,
        )
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2))
        meta["status"] = summarize(checks)

    # -- stage bodies ---------------------------------------------------------------------------

    def _run_load(self, d: Path, meta: dict[str, Any]) -> None:
        model, _ = self._model_fp32()
        summary = {
            "architecture": self.ckpt.architecture,
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "fingerprint": self.ckpt.fingerprint,
            "config": {
                k: self.ckpt.config.get(k)
                for k in (
                    "hidden_size",
                    "intermediate_size",
                    "num_hidden_layers",
                    "num_attention_heads",
                    "num_key_value_heads",
                    "vocab_size",
                    "max_position_embeddings",
                    "tie_word_embeddings",
                )
            },
        }
        (d / "checkpoint.json").write_text(json.dumps(summary, indent=2))
        meta.update(summary)

    def _run_compress(self, d: Path, meta: dict[str, Any]) -> None:
        from sdkgen.runtimes.executorch.quantize import apply_recipe

        model, _ = self._model_fp32()
        summary = {**self.recipe.as_dict(), **apply_recipe(model, self.recipe)}
        self._compressed = True
        (d / "compression.json").write_text(json.dumps(summary, indent=2))
        meta.update(summary)

    def _run_golden(self, d: Path, meta: dict[str, Any], tok: TokenizerSpec, kind: str) -> None:
        from sdkgen.models.text_generation import eager_step, static_cache_module
        from sdkgen.verify.golden import save_logits, text_generation_golden

        if kind == "reference":
            model, tokenizer = self._model_fp32()
        else:
            model, tokenizer = self._model, self._tokenizer
        wrapper = static_cache_module(model, self.config.export.max_seq_len)
        cases, decoded = text_generation_golden(
            eager_step(wrapper),
            tokenizer,
            self.config.verify.prompts,
            bos_id=tok.bos_id,
            bos_count=RUNNER_BOS_COUNT,
            eos_ids=tok.eos_ids,
            max_new_tokens=self.config.verify.max_new_tokens,
        )
        (d / "golden.json").write_text(json.dumps([c.__dict__ for c in cases], indent=2, ensure_ascii=False))
        save_logits(d / "logits.npz", decoded)
        meta["cases"] = len(cases)

    def _run_export(self, d: Path, meta: dict[str, Any]) -> None:
        import torch

        from sdkgen.models.text_generation import static_cache_module
        from sdkgen.runtimes.executorch.export import export_text_generation

        wrapper = static_cache_module(self._model, self.config.export.max_seq_len)
        ep = export_text_generation(wrapper, self.config.export.max_seq_len)
        torch.export.save(ep, d / "program.pt2")
        meta["program_bytes"] = (d / "program.pt2").stat().st_size

    def _runner_metadata(self, tok: TokenizerSpec) -> dict[str, Any]:
        from sdkgen.runtimes.executorch.export import runner_metadata

        return runner_metadata(self.config.export.max_seq_len, tok.vocab_size, tok.bos_id, list(tok.eos_ids))

    def _run_lower(self, d: Path, meta: dict[str, Any], ti: TargetInfo, export_dir: Path, md: dict[str, Any]) -> None:
        from sdkgen.runtimes.executorch.lower import lower_program, runtime_version

        delegation = lower_program(
            export_dir / "program.pt2", ti.delegate, md, d / "model.pte", self._target_options(ti)
        )
        (d / "delegation.json").write_text(json.dumps(delegation, indent=2))
        meta.update({"runtime_version": runtime_version(), "bytes": (d / "model.pte").stat().st_size})

    def _run_verify(
        self,
        d: Path,
        meta: dict[str, Any],
        ti: TargetInfo,
        lower_dir: Path,
        golden_dir: Path,
        md: dict[str, Any],
        tok: TokenizerSpec,
    ) -> None:
        from sdkgen.runtimes.executorch.verify import verify_text_generation
        from sdkgen.verify.golden import load_logits

        checks = verify_text_generation(
            lower_dir / "model.pte",
            self.ckpt.tokenizer,
            _read_golden(golden_dir),
            load_logits(golden_dir / "logits.npz"),
            md,
            logits_tolerance=self.config.verify.logits_tolerance,
            eos_ids=tok.eos_ids,
            bos_count=RUNNER_BOS_COUNT,
        )
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2, ensure_ascii=False))
        meta["status"] = summarize(checks)

    def _run_sdk(self, d: Path, meta: dict[str, Any], platform: str, spec: ModelSpec, files: dict[str, Path]) -> None:
        from sdkgen.sdk import android, ios

        gen = {"android": android.generate, "ios": ios.generate}[platform]
        result = gen(spec, files, d / "out")
        meta.update({"files": [str(f) for f in result.files], "core": [str(f) for f in result.core]})

    def _run_check(self, d: Path, meta: dict[str, Any], platform: str, sdk_dir: Path) -> None:
        from sdkgen.sdk.check import check_core

        sdk_meta = json.loads((sdk_dir / "done.json").read_text())
        checks = check_core(platform, sdk_dir / "out", [Path(p) for p in sdk_meta["core"]], d / "work")
        shutil.rmtree(d / "work", ignore_errors=True)
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2))
        meta["status"] = summarize(checks)

    # -- helpers --------------------------------------------------------------------------------

    def _tokenizer_spec(self) -> TokenizerSpec:
        tj = json.loads(self.ckpt.tokenizer.read_text(encoding="utf-8"))
        cfg = self.ckpt.config
        vocab = {**tj.get("model", {}).get("vocab", {}), **{t["content"]: t["id"] for t in tj.get("added_tokens", [])}}
        inverse = {v: k for k, v in vocab.items()}
        bos = cfg.get("bos_token_id")
        eos = cfg.get("eos_token_id")
        eos_ids = tuple(eos if isinstance(eos, list) else [eos]) if eos is not None else ()
        if not isinstance(bos, int) or not eos_ids:
            raise StageError(
                f"{self.ckpt.path / 'config.json'} has no bos_token_id/eos_token_id",
                hint="set bos_token_id and eos_token_id in config.json; the on-device runner needs them",
            )
        model_type = tj.get("model", {}).get("type")
        pre = json.dumps(tj.get("pre_tokenizer"))
        if model_type != "BPE" or "ByteLevel" not in pre:
            raise StageError(
                f"tokenizer.json is {model_type} with pre-tokenizer {pre[:80]}; text generation supports "
                "byte-level BPE tokenizers (Llama 3, SmolLM, Qwen)",
                hint="SentencePiece-style tokenizers (Gemma, Phi-3, TinyLlama) are not supported yet: ExecuTorch "
                "1.5.1's C++ tokenizer maps their byte-fallback pieces to <unk> (measured)",
            )
        tok_cfg_path = self.ckpt.path / "tokenizer_config.json"
        chat = None
        if tok_cfg_path.is_file():
            chat = json.loads(tok_cfg_path.read_text(encoding="utf-8")).get("chat_template")
        return TokenizerSpec(
            kind="byte-level-bpe",
            file="tokenizer.json",
            bos_id=bos,
            eos_ids=eos_ids,
            bos_token=inverse.get(bos, ""),
            eos_token=inverse.get(eos_ids[0], ""),
            vocab_size=self.ckpt.vocab_size,
            chat_template=chat if isinstance(chat, str) else None,
        )

    def _artifact_spec(self, ti: TargetInfo, lower_dir: Path) -> ArtifactSpec:
        import hashlib

        pte = lower_dir / f"model{ti.artifact_suffix}"
        meta = json.loads((lower_dir / "done.json").read_text())
        delegation = json.loads((lower_dir / "delegation.json").read_text())
        return ArtifactSpec(
            target=ti.name,
            runtime=ti.runtime,
            delegate=ti.delegate,
            file=f"{self.config.name}-{ti.delegate}{ti.artifact_suffix}",
            sha256=hashlib.sha256(pte.read_bytes()).hexdigest(),
            size=pte.stat().st_size,
            runtime_version=meta["runtime_version"],
            min_android_sdk=ti.min_android_sdk,
            min_ios=ti.min_ios,
            delegates=tuple(sorted({b for m in delegation.values() for b in m["delegates"]})),
        )

    def _assemble(
        self,
        spec: ModelSpec,
        files: dict[str, Path],
        sdk_dirs: dict[str, Path],
        verify: dict[str, list[Check]],
        checks: dict[str, list[Check]],
        compression_effect: dict[str, Any],
    ) -> BuildResult:
        from sdkgen.report import build_report, write_report

        out_root = self.dest.parent
        out_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.dest.name}.staging-", dir=out_root))
        try:
            for name, src in files.items():
                shutil.copyfile(src, staging / name)
            spec.write(staging / "model-spec.json")
            for platform, d in sdk_dirs.items():
                shutil.copytree(d / "out", staging / platform)
            self.records.append(StageRecord("report", "ran", 0.0, ""))
            report = build_report(
                spec=spec,
                config=self.config,
                versions=self.versions,
                stages=self.records,
                verify=verify,
                checks=checks,
                compression_effect=compression_effect,
                coverage=self.coverage,
                output_files=sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()),
            )
            write_report(report, staging)
            passed = report["status"] != "failed"
            final = self.dest if passed else self.dest.with_name(self.dest.name + ".rejected")
            _swap_into_place(staging, final)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        result = BuildResult(final, report, passed, self.records)
        if not passed:
            failed = [
                f"{t}: {c.name}: {c.detail}"
                for t, cs in {**verify, **checks}.items()
                for c in cs
                if c.status == "failed"
            ]
            error = VerificationFailed(
                "verification failed; the previous output was left untouched:\n  " + "\n  ".join(failed),
                hint=f"see {final / 'report.md'}; loosen verify.logits_tolerance only if the difference is expected",
            )
            error.report = report
            raise error
        return result


def _swap_into_place(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{time.time_ns()}")
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _read_golden(d: Path) -> list[GoldenCase]:
    items = json.loads((d / "golden.json").read_text(encoding="utf-8"))
    return [GoldenCase(i["prompt"], tuple(i["prompt_ids"]), tuple(i["output_ids"]), i["output_text"]) for i in items]


def _backend(ti: TargetInfo) -> Any:
    """The runtime package's tensor-task backend (``sdkgen.runtimes.<runtime>.backend``), imported lazily."""
    import importlib

    return importlib.import_module(f"sdkgen.runtimes.{ti.runtime}.backend")


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


def _methods(vocab_size: int) -> Any:
    from sdkgen.runtimes.executorch.export import method_specs

    return method_specs(vocab_size)


def _tree_digest(root: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()
