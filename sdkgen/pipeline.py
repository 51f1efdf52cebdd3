"""One build: load -> reference -> compress -> golden -> export -> lower -> verify -> sdk -> check -> report.

Every stage is cached by a content hash of what its output depends on (:mod:`sdkgen.cache`); a stage
whose result is cached is reused and reported as ``cached``. The model is loaded only when a stage that
needs it is not cached. The output folder ``<out>/<name>`` is assembled in a temporary sibling folder and
swapped into place at the end, so a failed or interrupted build never leaves a half-written output and
never touches the previous one. A build whose verification fails writes ``<out>/<name>.rejected`` instead.
The whole run holds the output folder's lock (:mod:`sdkgen.output`): two builds of one output never
interleave, and what a killed build left there is recovered first.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen import __version__, toolchain
from sdkgen.cache import StageCache, copy_path, default_root, key, path_digest
from sdkgen.config import BuildConfig
from sdkgen.errors import OutputPathError, QualityGateFailed, ToolchainMissing, VerificationFailed
from sdkgen.interrupt import raise_pending
from sdkgen.models.hf import inspect_checkpoint
from sdkgen.output import output_lock, recover, swap_into_place
from sdkgen.resources import check_resources
from sdkgen.runtimes import TARGETS
from sdkgen.sdk.render import TEMPLATES_ROOT
from sdkgen.spec import (
    AndroidPackage,
    IosPackage,
    ModelSpec,
)
from sdkgen.stages import Log, StageRecord
from sdkgen.tasks.tensor import TensorStages
from sdkgen.tasks.text_generation import TextGenerationStages, check_model_fits
from sdkgen.verify import Check, summarize


@dataclass
class BuildResult:
    """What :func:`build` returns: where the output went and the report written there."""

    output: Path
    report: dict[str, Any]
    passed: bool
    stages: list[StageRecord] = field(default_factory=list)


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(
    config: BuildConfig,
    out_root: Path,
    *,
    targets: list[str] | None = None,
    cache_root: Path | None = None,
    log: Log = _stderr,
    sdks: bool = True,
    lock_timeout: float = 0.0,
) -> BuildResult:
    """Run the whole pipeline for ``config`` into ``out_root/<name>``; see the module docstring.
    ``sdks=False`` stops after verification (artifacts, model-spec and report only: the compression sweep).
    ``lock_timeout``: seconds to wait for another build holding the output's lock before ``OutputBusy``."""
    if targets:
        config = config.with_targets(targets)
    dest = _check_output(out_root, config.name)
    info = None
    if config.model.task == "text-generation":
        info = inspect_checkpoint(config.model_source)
        check_model_fits(config, info)
    skipped = {t: why for t in config.targets if (why := toolchain.target_unavailable(TARGETS.get(t)))}
    if len(skipped) == len(config.targets):
        first = next(iter(skipped.values()))
        raise ToolchainMissing("; ".join(w.message for w in skipped.values()), hint=first.hint)
    for t, why in skipped.items():
        log(f"[{t}] not built: {why.message} (hint: {why.hint})")
    config = config.model_copy(update={"targets": [t for t in config.targets if t not in skipped]})
    if info is not None:
        check_resources(config, info, [out_root, cache_root or default_root()])
    run = _Build(config, info, dest, StageCache(cache_root or default_root()), log, skipped)
    run.sdks = sdks
    with output_lock(out_root, config.name, timeout=lock_timeout, log=log):
        recover(out_root, config.name, log)
        return run.run()


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


class _Build(TextGenerationStages, TensorStages):
    """One build: the task's model stages, then the SDK, check and report stages shared by every task."""

    sdks = True

    def run(self) -> BuildResult:
        warnings.filterwarnings("ignore")
        cfg = self.config
        parts = self._text_generation_stages() if cfg.model.task == "text-generation" else self._tensor_stages()
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
            compression=self.config.declared_recipe().as_dict(),
            **parts.spec_fields,
        )
        artifacts, files, verify = parts.artifacts, parts.files, parts.verify
        for t, why in self.skipped.items():
            verify[t] = [Check("lower", "not_executed", f"not built here: {why.message}; hint: {why.hint}")]
        spec_json = spec.to_json()
        sdk_dirs: dict[str, Path] = {}
        checks: dict[str, list[Check]] = {}
        self.compatibility: dict[str, list[dict[str, Any]]] = {}
        for platform in ("android", "ios") if self.sdks else ():
            serving = [a for a in artifacts if TARGETS.get(a.target).ships(platform, spec.task)]
            if not serving:
                reason = f"not executed here: no target in `targets` serves {platform}"
                checks[platform] = [Check(f"{platform}-sdk", "not_executed", reason)]
                continue
            # The platform's SDK carries every serving target's artifact (one engine each behind one API,
            # the first being the default) and the tokenizer.
            own = {*(a.file for a in serving), *([spec.tokenizer.file] if spec.tokenizer else [])}
            platform_files = {n: p for n, p in files.items() if n in own}
            k_sdk = key(
                "sdk",
                platform,
                spec_json,
                path_digest(TEMPLATES_ROOT / platform)[0],
                # User template overrides (sdk.templates) change the SDK as much as ours do.
                *([path_digest(self.config.templates_dir)[0]] if self.config.templates_dir is not None else []),
                [a.sha256 for a in artifacts],
                __version__,
            )
            sdk_dirs[platform] = self._stage(
                f"sdk-{platform}",
                k_sdk,
                partial(self._run_sdk, platform=platform, spec=spec, files=platform_files),
                f"sdk {platform}",
            )
            # Read back from the generated files, cached or not: a pin that cannot load an artifact is exit 10.
            from sdkgen.runtimes.compat import check_sdk

            self.compatibility[platform] = check_sdk(platform, sdk_dirs[platform] / "out", serving, files)
            from sdkgen.sdk.check import checker_key

            k_check = key("check", k_sdk, checker_key(platform))
            cdir = self._stage(
                f"check-{platform}",
                k_check,
                partial(self._run_check, platform=platform, sdk_dir=sdk_dirs[platform], spec=spec),
                f"check {platform}",
            )
            checks[platform] = [Check(**c) for c in json.loads((cdir / "checks.json").read_text())]

        return self._assemble(spec, files, sdk_dirs, verify, checks, parts.compression_effect)

    def _run_sdk(self, d: Path, meta: dict[str, Any], platform: str, spec: ModelSpec, files: dict[str, Path]) -> None:
        from sdkgen.sdk import android, ios

        gen = {"android": android.generate, "ios": ios.generate}[platform]
        result = gen(spec, files, d / "out", user_templates=self.config.templates_dir)
        meta.update({"files": [str(f) for f in result.files], "core": [str(f) for f in result.core]})

    def _run_check(self, d: Path, meta: dict[str, Any], platform: str, sdk_dir: Path, spec: ModelSpec) -> None:
        from sdkgen.sdk.chat import chat_check
        from sdkgen.sdk.check import check_core

        sdk_meta = json.loads((sdk_dir / "done.json").read_text())
        checks = check_core(
            platform, sdk_dir / "out", [Path(p) for p in sdk_meta["core"]], d / "work", _backends(spec, platform)
        )
        chat = chat_check(spec.tokenizer) if spec.task == "text-generation" and spec.tokenizer is not None else None
        if chat is not None:
            checks.append(chat)
        shutil.rmtree(d / "work", ignore_errors=True)
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2))
        meta["status"] = summarize(checks)

    def _assemble(
        self,
        spec: ModelSpec,
        files: dict[str, Path],
        sdk_dirs: dict[str, Path],
        verify: dict[str, list[Check]],
        checks: dict[str, list[Check]],
        compression_effect: dict[str, Any],
    ) -> BuildResult:
        from sdkgen import provenance
        from sdkgen.report import build_report, write_report

        self.log(f"[report] assembling {self.dest.name} ...")
        out_root = self.dest.parent
        out_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.dest.name}.staging-", dir=out_root))
        try:
            for name, src in files.items():
                copy_path(src, staging / name)
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
                inputs=provenance.inputs(self.config, self.versions),
                outputs=provenance.outputs(staging, sorted(sdk_dirs), sorted(files)),
                compatibility=self.compatibility,
            )
            write_report(report, staging)
            passed = report["status"] != "failed"
            final = self.dest if passed else self.dest.with_name(self.dest.name + ".rejected")
            raise_pending()  # never move a build into place after an interrupt, even a swallowed one
            swap_into_place(staging, final)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        result = BuildResult(final, report, passed, self.records)
        if not passed:
            raise _failure(verify, checks, final, report)
        return result


def _backends(spec: ModelSpec, platform: str) -> list[tuple[str, str]]:
    """The SDK's ``(backend case, target)`` pairs in config order (Android's host run picks what it can run)."""
    from sdkgen.sdk.common import backend_case, engines_for

    return [(backend_case(info), info.name) for _, info in engines_for(spec, platform)]


def _failure(
    verify: dict[str, list[Check]], checks: dict[str, list[Check]], final: Path, report: dict[str, Any]
) -> VerificationFailed:
    """The error of a rejected build: :class:`QualityGateFailed` (exit 5) naming the gates when only quality
    gates failed, else :class:`VerificationFailed` (exit 3)."""
    failed = [(t, c) for t, cs in {**verify, **checks}.items() for c in cs if c.status == "failed"]
    lines = "\n  ".join(f"{t}: {c.name}{f' [{c.gate}]' if c.gate else ''}: {c.detail}" for t, c in failed)
    error: VerificationFailed
    if all(c.gate for _, c in failed):
        gates = sorted({c.gate for _, c in failed})
        error = QualityGateFailed(
            f"quality gate failed ({', '.join(gates)}); the previous output was left untouched:\n  {lines}",
            hint=f"see {final / 'report.md'}; choose a milder compress.recipe, or relax {gates[0]} if the "
            "measured quality is acceptable",
        )
    else:
        error = VerificationFailed(
            f"verification failed; the previous output was left untouched:\n  {lines}",
            hint=f"see {final / 'report.md'}; loosen verify.logits_tolerance only if the difference is expected",
        )
    error.report = report
    return error
