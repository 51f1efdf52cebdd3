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
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen import __version__, toolchain
from sdkgen.cache import StageCache, default_root, key
from sdkgen.compress import Recipe
from sdkgen.config import BuildConfig, parse_config
from sdkgen.errors import OutputPathError, StageError, VerificationFailed
from sdkgen.models.hf import CheckpointInfo, inspect_checkpoint
from sdkgen.runtimes import TARGETS
from sdkgen.runtimes.executorch.export import RUNNER_BOS_COUNT
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import (
    AndroidPackage,
    ArtifactSpec,
    GenerationSpec,
    GoldenCase,
    IosPackage,
    ModelSpec,
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
    info = inspect_checkpoint(config.model_source)
    _check_model_fits(config, info)
    for t in config.targets:
        ti = TARGETS.get(t)
        toolchain.require_modules(ti.modules, ti.extra, f"target {t!r}")
    return _Build(config, info, dest, StageCache(cache_root or default_root()), log).run()


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
    def __init__(self, config: BuildConfig, info: CheckpointInfo, dest: Path, cache: StageCache, log: Log) -> None:
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

            self._model, self._tokenizer = load_causal_lm(self.info)
        if self._compressed:
            raise RuntimeError("the fp32 model was already compressed in place")
        return self._model, self._tokenizer

    # -- the pipeline ---------------------------------------------------------------------------

    def run(self) -> BuildResult:
        warnings.filterwarnings("ignore")
        cfg = self.config
        tok = self._tokenizer_spec()
        k_load = key("load", self.info.fingerprint, self.versions.get("transformers"))
        k_ref = key(
            "reference", k_load, RUNNER_BOS_COUNT, cfg.verify.prompts, cfg.verify.max_new_tokens, cfg.export.max_seq_len
        )
        k_compress = key("compress", k_load, self.recipe.as_dict(), self.model_versions)
        k_golden = key("golden", k_compress, k_ref)
        k_export = key("export", k_compress, cfg.export.max_seq_len)
        need_model = not all(
            self.cache.lookup(s, k) for s, k in (("reference", k_ref), ("golden", k_golden), ("export", k_export))
        )
        if need_model:  # in-memory stages: cached summaries are not enough to go on
            for s, k in (("load", k_load), ("compress", k_compress)):
                d = self.cache.root / s / k
                if d.exists():
                    shutil.rmtree(d)

        self._stage("load", k_load, self._run_load)
        ref_dir = self._stage("reference", k_ref, partial(self._run_golden, tok=tok, kind="reference"))
        self._stage("compress", k_compress, self._run_compress)
        golden_dir = self._stage("golden", k_golden, partial(self._run_golden, tok=tok, kind="golden"))
        export_dir = self._stage("export", k_export, self._run_export)
        golden = _read_golden(golden_dir)

        artifacts: list[ArtifactSpec] = []
        verify: dict[str, list[Check]] = {}
        files: dict[str, Path] = {tok.file: self.info.tokenizer}
        for t in cfg.targets:
            ti = TARGETS.get(t)
            meta = self._runner_metadata(tok)
            k_lower = key("lower", k_export, t, meta, self.model_versions)
            lower_dir = self._stage(
                "lower",
                k_lower,
                partial(self._run_lower, export_dir=export_dir, ti=ti, md=meta),
                f"lower {t}",
            )
            art = self._artifact_spec(ti, lower_dir)
            artifacts.append(art)
            files[art.file] = lower_dir / "model.pte"
            k_verify = key("verify", k_lower, k_golden, cfg.verify.logits_tolerance)
            vdir = self._stage(
                "verify",
                k_verify,
                partial(self._run_verify, lower_dir=lower_dir, golden_dir=golden_dir, md=meta, tok=tok),
                f"verify {t}",
            )
            verify[t] = [Check(**c) for c in json.loads((vdir / "checks.json").read_text())]

        spec = ModelSpec(
            name=cfg.name,
            task=cfg.model.task,
            methods=_methods(tok.vocab_size),
            tokenizer=tok,
            generation=GenerationSpec(cfg.export.max_seq_len, cfg.verify.max_new_tokens, RUNNER_BOS_COUNT),
            artifacts=tuple(artifacts),
            golden=tuple(golden),
            android=AndroidPackage(
                cfg.android.package,
                cfg.android.group or cfg.android.package.rsplit(".", 1)[0],
                cfg.android.artifact or cfg.name,
                cfg.android.version,
                cfg.android.min_sdk,
            ),
            ios=IosPackage(cfg.ios.module, cfg.ios.minimum_ios),
            compression=self.recipe.as_dict(),
        )
        spec_json = spec.to_json()
        sdk_dirs: dict[str, Path] = {}
        checks: dict[str, list[Check]] = {}
        for platform in ("android", "ios"):
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
                partial(self._run_sdk, platform=platform, spec=spec, files=files),
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

        return self._assemble(spec, files, sdk_dirs, verify, checks, ref_dir, golden_dir)

    # -- stage bodies ---------------------------------------------------------------------------

    def _run_load(self, d: Path, meta: dict[str, Any]) -> None:
        model, _ = self._model_fp32()
        summary = {
            "architecture": self.info.architecture,
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "fingerprint": self.info.fingerprint,
            "config": {
                k: self.info.config.get(k)
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

    def _run_lower(self, d: Path, meta: dict[str, Any], export_dir: Path, ti: Any, md: dict[str, Any]) -> None:
        from sdkgen.runtimes.executorch.lower import lower_program, runtime_version

        delegation = lower_program(export_dir / "program.pt2", ti.delegate, md, d / "model.pte")
        (d / "delegation.json").write_text(json.dumps(delegation, indent=2))
        meta.update({"runtime_version": runtime_version(), "bytes": (d / "model.pte").stat().st_size})

    def _run_verify(
        self, d: Path, meta: dict[str, Any], lower_dir: Path, golden_dir: Path, md: dict[str, Any], tok: TokenizerSpec
    ) -> None:
        from sdkgen.runtimes.executorch.verify import verify_text_generation
        from sdkgen.verify.golden import load_logits

        checks = verify_text_generation(
            lower_dir / "model.pte",
            self.info.tokenizer,
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
        tj = json.loads(self.info.tokenizer.read_text(encoding="utf-8"))
        cfg = self.info.config
        vocab = {**tj.get("model", {}).get("vocab", {}), **{t["content"]: t["id"] for t in tj.get("added_tokens", [])}}
        inverse = {v: k for k, v in vocab.items()}
        bos = cfg.get("bos_token_id")
        eos = cfg.get("eos_token_id")
        eos_ids = tuple(eos if isinstance(eos, list) else [eos]) if eos is not None else ()
        if not isinstance(bos, int) or not eos_ids:
            raise StageError(
                f"{self.info.path / 'config.json'} has no bos_token_id/eos_token_id",
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
        tok_cfg_path = self.info.path / "tokenizer_config.json"
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
            vocab_size=self.info.vocab_size,
            chat_template=chat if isinstance(chat, str) else None,
        )

    def _artifact_spec(self, ti: Any, lower_dir: Path) -> ArtifactSpec:
        import hashlib

        pte = lower_dir / "model.pte"
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
        ref_dir: Path,
        golden_dir: Path,
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
                reference=_read_golden(ref_dir),
                golden=_read_golden(golden_dir),
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


def _methods(vocab_size: int) -> Any:
    from sdkgen.runtimes.executorch.export import method_specs

    return method_specs(vocab_size)


def _tree_digest(root: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()
