"""The text-generation stages: load a checkpoint, golden vectors from the fp32 and compressed eager model,
export with a static KV cache, lower and verify each target (ExecuTorch's LLM runner protocol)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from sdkgen.cache import key, path_digest
from sdkgen.config import BuildConfig
from sdkgen.errors import ConfigError, StageError
from sdkgen.models.hf import CheckpointInfo
from sdkgen.runtimes import TARGETS, TargetInfo
from sdkgen.runtimes.executorch.export import PROGRAM_VERSION, runner_bos_count
from sdkgen.spec import GenerationSpec, GoldenCase, TokenizerSpec
from sdkgen.stages import ModelParts, StageRunner, lowers_program
from sdkgen.verify import Check, summarize

#: The llama2.c form of a SentencePiece ``tokenizer.model``, for ExecuTorch's LLM runner in the host check.
RUNNER_TOKENIZER = "tokenizer.bin"


class TextGenerationStages(StageRunner):
    def _text_generation_stages(self) -> ModelParts:
        cfg = self.config
        if cfg.compress.calibration:
            from sdkgen.models.embedding import read_calibration_text

            # Read now, even when the recipe does not use it: bad data is refused before any stage runs.
            read_calibration_text(cfg.path(cfg.compress.calibration))
        tok = self._tokenizer_spec()
        bos_count = runner_bos_count(tok.kind)
        k_load = key("load", self.ckpt.fingerprint, self.versions.get("transformers"))
        heldout = path_digest(cfg.path(cfg.verify.heldout_text))[0] if cfg.verify.heldout_text else None
        k_ref = key(
            "reference",
            k_load,
            bos_count,
            cfg.verify.prompts,
            cfg.verify.max_new_tokens,
            cfg.export.max_seq_len,
            heldout,
        )
        # Only ExecuTorch targets that do not convert the checkpoint themselves lower the exported program; a
        # build of LiteRT or Core ML targets alone skips the torch.export of the whole model.
        exports = any(lowers_program(TARGETS.get(t)) for t in cfg.targets)
        k_compress = key(
            "compress",
            k_load,
            self.recipe.as_dict(),
            self._calibration_key(),
            self.model_versions,
            self._fuses_projections(),
        )
        k_golden = key("golden", k_compress, k_ref)
        k_export = key("export", k_compress, cfg.export.max_seq_len, PROGRAM_VERSION)
        needed = [("reference", k_ref), ("golden", k_golden), *([("export", k_export)] if exports else [])]
        if not all(self.cache.lookup(s, k) for s, k in needed):
            self._forget_in_memory_stages({"load": k_load, "compress": k_compress})

        load_dir = self._stage("load", k_load, partial(self._run_load, tok=tok))
        ref_dir = self._stage("reference", k_ref, partial(self._run_golden, tok=tok, kind="reference"))
        self._stage("compress", k_compress, self._run_compress)
        golden_dir = self._stage("golden", k_golden, partial(self._run_golden, tok=tok, kind="golden"))
        export_dir = self._stage("export", k_export, self._run_export) if exports else None
        golden = _read_golden(golden_dir)
        meta = self._runner_metadata(tok)
        artifacts, files, verify = self._lower_and_verify(
            k_export,
            meta,
            [
                k_golden,
                k_ref,
                cfg.verify.logits_tolerance,
                cfg.verify.fp32_logits_tolerance,
                cfg.verify.quantization_error_tolerance,
            ],
            partial(self._run_lower, export_dir=export_dir, md=meta, ref_dir=ref_dir),
            partial(
                self._run_verify,
                golden_dir=golden_dir,
                ref_dir=ref_dir,
                md=meta,
                tok=tok,
                tokenizer_file=self._runner_tokenizer(tok, load_dir),
            ),
        )
        files[tok.file] = self.ckpt.path / tok.file
        reference = _read_golden(ref_dir)
        agree = sum(r.output_ids == g.output_ids for r, g in zip(reference, golden, strict=True))
        effect: dict[str, Any] = {
            "greedy_agreement_fp32_vs_compressed": f"{agree}/{len(golden)} prompts identical",
            "examples": [
                {"prompt": g.prompt, "fp32": r.output_text, "compressed": g.output_text}
                for r, g in zip(reference, golden, strict=True)
            ],
        }
        for label, stage_dir in (("fp32", ref_dir), ("compressed", golden_dir)):
            if (stage_dir / "perplexity.json").is_file():
                effect[f"perplexity_{label}"] = json.loads((stage_dir / "perplexity.json").read_text())["perplexity"]
        fields = {
            "methods": _methods(tok.vocab_size),
            "tokenizer": tok,
            "generation": self._generation_spec(bos_count),
            "artifacts": tuple(artifacts),
            "golden": tuple(golden),
            "reference_golden": tuple(reference),
        }
        return ModelParts(fields, artifacts, files, verify, effect)

    def _perplexity_check(self, ti: TargetInfo, artifact: Path, ref_dir: Path) -> Check:
        """The artifact's held-out perplexity (run here) against the fp32 eager model's."""
        from sdkgen.verify.perplexity import perplexity, perplexity_check

        windows = json.loads((ref_dir / "heldout.json").read_text())
        if lowers_program(ti):
            from sdkgen.runtimes.executorch.verify import pte_step

            step = pte_step(artifact)[1]
        elif ti.runtime == "litert":
            from sdkgen.runtimes.litert.generative import litert_step

            step = litert_step(artifact, every_row=True)  # prefill gives no logits
        else:
            return Check("perplexity", "not_executed", "not executed here: the artifact needs Core ML (macOS/iOS)")
        got = perplexity(step, windows)
        fp32 = json.loads((ref_dir / "perplexity.json").read_text())
        return perplexity_check(got, fp32, self.config.verify.max_perplexity_increase)

    def _calibration_ids(self) -> list[list[int]] | None:
        """The calibration text as token-id chunks of at most ``export.max_seq_len`` (at most 32 chunks)."""
        c = self.config.compress.calibration
        if not c:
            return None
        from sdkgen.models.embedding import read_calibration_text

        _, tokenizer = self._model_fp32()
        ids = tokenizer.encode(
            "\n".join(read_calibration_text(self.config.path(c), limit=100_000)), add_special_tokens=False
        )
        n = min(128, self.config.export.max_seq_len)
        return [ids[i : i + n] for i in range(0, len(ids), n) if len(ids[i : i + n]) > 1][:32]

    def _generation_spec(self, bos_count: int) -> GenerationSpec:
        cfg, hf = self.config, self.ckpt.config
        text = hf.get("text_config", hf)
        heads = int(text["num_attention_heads"])
        return GenerationSpec(
            max_seq_len=cfg.export.max_seq_len,
            default_max_new_tokens=cfg.verify.max_new_tokens,
            bos_count=bos_count,
            prefill_len=cfg.export.prefill_len,
            num_layers=int(text["num_hidden_layers"]),
            kv_heads=int(text.get("num_key_value_heads") or heads),
            head_dim=int(text.get("head_dim") or int(text["hidden_size"]) // heads),
        )

    def _runner_tokenizer(self, tok: TokenizerSpec, load_dir: Path) -> Path:
        """The tokenizer file ExecuTorch's LLM runner reads in the host check: the checkpoint's
        ``tokenizer.json``, or for SentencePiece the ``tokenizer.bin`` the load stage converts
        ``tokenizer.model`` to (the runner's tokenizer.json reader maps byte-fallback pieces to <unk>).
        The SDKs ship ``tok.file`` (``tokenizer.json``) whatever the runtime: their core tokenizes."""
        return load_dir / RUNNER_TOKENIZER if self._runner_needs_llama2c(tok.kind) else self.ckpt.path / tok.file

    def _runner_needs_llama2c(self, kind: str) -> bool:
        return kind == "sentencepiece" and self._executorch_runner()

    def _run_load(self, d: Path, meta: dict[str, Any], tok: TokenizerSpec) -> None:
        if self._runner_needs_llama2c(tok.kind):
            from sdkgen.runtimes.executorch.export import sentencepiece_to_llama2c

            sentencepiece_to_llama2c(self.ckpt.path / "tokenizer.model", d / RUNNER_TOKENIZER)
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
            bos_count=runner_bos_count(tok.kind),
            eos_ids=tok.eos_ids,
            max_new_tokens=self.config.verify.max_new_tokens,
        )
        (d / "golden.json").write_text(json.dumps([c.__dict__ for c in cases], indent=2, ensure_ascii=False))
        save_logits(d / "logits.npz", decoded)
        meta["cases"] = len(cases)
        heldout = self.config.verify.heldout_text
        if heldout:
            from sdkgen.verify.perplexity import heldout_windows, perplexity

            windows = heldout_windows(
                tokenizer,
                self.config.path(heldout),
                self.config.export.max_seq_len - 1,  # the export's longest call (dynamic dim bound)
                [tok.bos_id] * runner_bos_count(tok.kind),
            )
            (d / "heldout.json").write_text(json.dumps(windows))
            result = perplexity(eager_step(wrapper), windows)
            (d / "perplexity.json").write_text(json.dumps(result))
            meta["perplexity"] = result

    def _run_export(self, d: Path, meta: dict[str, Any]) -> None:
        import torch

        from sdkgen.runtimes.executorch.export import export_text_generation

        ep = export_text_generation(self._model, self.config.export.max_seq_len)
        torch.export.save(ep, d / "program.pt2")
        meta["program_bytes"] = (d / "program.pt2").stat().st_size

    def _runner_metadata(self, tok: TokenizerSpec) -> dict[str, Any]:
        from sdkgen.runtimes.executorch.export import runner_metadata

        return runner_metadata(self.config.export.max_seq_len, tok.vocab_size, tok.bos_id, list(tok.eos_ids))

    def _run_lower(
        self,
        d: Path,
        meta: dict[str, Any],
        ti: TargetInfo,
        export_dir: Path | None,
        md: dict[str, Any],
        ref_dir: Path,
    ) -> None:
        """ExecuTorch lowers the exported compressed program; LiteRT and Core ML convert the checkpoint
        themselves and quantize it with their own recipe (``compress.targets``; no pruning or low-rank)."""
        cfg = self.config
        out = d / f"model{ti.artifact_suffix}"
        if ti.runtime == "executorch" and "text-generation" in ti.converts_checkpoint:
            from sdkgen.runtimes.executorch.coreml_llm import lower_text_generation_coreml
            from sdkgen.runtimes.executorch.lower import COREML_COMPUTE_UNITS, deterministic_coreml, runtime_version

            seed = json.dumps([self.ckpt.fingerprint, cfg.export.max_seq_len, cfg.coreml.compute_units])
            with deterministic_coreml(seed):
                facts = lower_text_generation_coreml(
                    self.ckpt.path,
                    out,
                    max_seq_len=cfg.export.max_seq_len,
                    compute_units=COREML_COMPUTE_UNITS[cfg.coreml.compute_units],
                    metadata=md,
                    check_prompts=[c.prompt_ids for c in _read_golden(ref_dir)],
                    check_tokens=cfg.verify.max_new_tokens,
                )
            (d / "facts.json").write_text(json.dumps(facts, indent=2, default=str))
            delegation = facts["delegation"]
            version = runtime_version()
        elif ti.runtime == "executorch":
            from sdkgen.runtimes.executorch.lower import lower_program, runtime_version

            assert export_dir is not None, "an ExecuTorch target always runs the export stage"
            delegation = lower_program(export_dir / "program.pt2", ti.delegate, md, out, self._target_options(ti))
            version = runtime_version()
        elif ti.runtime == "litert":
            from sdkgen.runtimes.litert.backend import runtime_version as litert_version
            from sdkgen.runtimes.litert.generative import PREFILL, convert_causal_lm

            facts = convert_causal_lm(
                self.ckpt.path,
                out,
                max_seq_len=cfg.export.max_seq_len,
                prefill_len=cfg.export.prefill_len,
                quantize=cfg.recipe_for(ti.name),
                group_size=cfg.compress.group_size,
            )
            (d / "facts.json").write_text(json.dumps(facts, indent=2, default=str))
            delegation = {
                PREFILL: {"delegates": {"XNNPACK (applied at load)": 1}, "portable_operators": facts["operators"]}
            }
            version = litert_version()
        elif ti.runtime == "coreml":
            from sdkgen.runtimes.coreml import COMPUTE_UNITS
            from sdkgen.runtimes.coreml.backend import make_deterministic
            from sdkgen.runtimes.coreml.backend import runtime_version as coreml_version
            from sdkgen.runtimes.coreml.generative import DECODE
            from sdkgen.runtimes.coreml.generative import convert_causal_lm as coreml_convert

            units, _, doc = COMPUTE_UNITS[ti.delegate]
            facts = coreml_convert(
                self.ckpt.path,
                out,
                max_seq_len=cfg.export.max_seq_len,
                prefill_len=cfg.export.prefill_len,
                compute_units=units,
                check_prompts=[c.prompt_ids for c in _read_golden(ref_dir)],
                check_tokens=cfg.verify.max_new_tokens,
                quantize=cfg.recipe_for(ti.name),
                group_size=cfg.compress.group_size,
            )
            make_deterministic(out)
            (d / "facts.json").write_text(json.dumps(facts, indent=2, default=str))
            ops = sorted({op for f in facts["functions"].values() for op in f.get("operations", [])})
            delegation = {DECODE: {"delegates": {f"CoreML ({doc})": 1}, "portable_operators": ops}}
            version = coreml_version()
        else:
            raise StageError(f"no text-generation lowering for runtime {ti.runtime!r}", hint="choose another target")
        (d / "delegation.json").write_text(json.dumps(delegation, indent=2))
        meta.update({"runtime_version": version, "bytes": path_digest(out)[1]})

    def _run_verify(
        self,
        d: Path,
        meta: dict[str, Any],
        ti: TargetInfo,
        lower_dir: Path,
        golden_dir: Path,
        ref_dir: Path,
        md: dict[str, Any],
        tok: TokenizerSpec,
        tokenizer_file: Path,
    ) -> None:
        from sdkgen.verify.golden import load_logits

        artifact = lower_dir / f"model{ti.artifact_suffix}"
        cfg = self.config
        fp32 = cfg.recipe_for(ti.name) == "none"
        tolerance = cfg.verify.fp32_logits_tolerance if fp32 else cfg.verify.logits_tolerance
        if ti.quantizes_artifact and not fp32:
            # Its artifact is compared with the float32 model: the difference is the quantization itself.
            tolerance = cfg.verify.quantization_error_tolerance
        if ti.runtime == "executorch" and "text-generation" in ti.converts_checkpoint:
            checks = _converted_checks(json.loads((lower_dir / "facts.json").read_text()), md)
        elif ti.runtime == "executorch":
            from sdkgen.runtimes.executorch.verify import verify_text_generation

            checks = verify_text_generation(
                artifact,
                tokenizer_file,
                _read_golden(golden_dir),
                load_logits(golden_dir / "logits.npz"),
                md,
                logits_tolerance=tolerance,
                eos_ids=tok.eos_ids,
                bos_count=runner_bos_count(tok.kind),
            )
        elif ti.runtime == "litert":
            from sdkgen.runtimes.litert.generative import litert_step
            from sdkgen.verify.text_generation import step_checks

            # Converted from the fp32 checkpoint: compared with the fp32 reference.
            checks = step_checks(
                litert_step(artifact),
                _read_golden(ref_dir),
                load_logits(ref_dir / "logits.npz"),
                logits_tolerance=tolerance,
                eos_ids=tok.eos_ids,
                artifact="tflite",
            )
        else:
            checks = _coreml_checks(json.loads((lower_dir / "facts.json").read_text()))
        if (ref_dir / "perplexity.json").is_file():
            checks.append(self._perplexity_check(ti, artifact, ref_dir))
        (d / "checks.json").write_text(json.dumps([c.as_dict() for c in checks], indent=2, ensure_ascii=False))
        meta["status"] = summarize(checks)

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
        kind = self._tokenizer_kind(tj)
        tok_cfg_path = self.ckpt.path / "tokenizer_config.json"
        chat = None
        if tok_cfg_path.is_file():
            chat = json.loads(tok_cfg_path.read_text(encoding="utf-8")).get("chat_template")
        return TokenizerSpec(
            kind=kind,
            file="tokenizer.json",
            bos_id=bos,
            eos_ids=eos_ids,
            bos_token=inverse.get(bos, ""),
            eos_token=inverse.get(eos_ids[0], ""),
            vocab_size=self.ckpt.vocab_size,
            chat_template=chat if isinstance(chat, str) else None,
        )

    def _executorch_runner(self) -> bool:
        """Whether the host verification runs ExecuTorch's LLM runner (which tokenizes itself) on an artifact.
        The SDKs never use the runner: their core tokenizes and drives every runtime step by step."""
        return any(TARGETS.get(t).runtime == "executorch" for t in self.config.targets)

    def _tokenizer_kind(self, tj: dict[str, Any]) -> str:
        """``byte-level-bpe`` or ``sentencepiece`` (BPE with byte fallback and the ``▁`` word marker). For
        ExecuTorch targets SentencePiece needs ``tokenizer.model`` beside it (the runner reads its llama2.c form);
        for targets whose SDK core tokenizes (LiteRT, Core ML) the ``tokenizer.json`` must be of the form the core
        supports (``sdkgen.sdk.tokenizer_support``). Anything else is refused, as is a SentencePiece build that mixes
        both kinds of target (an SDK ships one tokenizer file)."""
        model = tj.get("model") or {}
        pre = json.dumps(tj.get("pre_tokenizer"))
        described = f"tokenizer.json is {model.get('type')} with pre-tokenizer {pre[:80]}"
        if model.get("type") == "BPE" and "ByteLevel" in pre:
            return "byte-level-bpe"
        sentencepiece = (
            model.get("type") == "BPE" and model.get("byte_fallback") and "\u2581" in json.dumps(tj, ensure_ascii=False)
        )
        if not sentencepiece:
            raise StageError(
                f"{described}; text generation supports byte-level BPE (Llama 3, SmolLM, Qwen) and SentencePiece "
                "BPE with byte fallback (Llama 2, TinyLlama, Gemma, Phi-3)",
                hint="use a checkpoint whose tokenizer is one of these",
            )
        from sdkgen.sdk.tokenizer_support import SUPPORTED, sentencepiece_bpe_problems

        problems = sentencepiece_bpe_problems(tj)
        if problems:
            raise StageError(
                f"the SDKs generate with their own tokenizer, which does not support this SentencePiece-style "
                f"tokenizer.json: {'; '.join(problems)}",
                hint=f"the SDK tokenizer supports {SUPPORTED}",
            )
        if not self._executorch_runner():
            return "sentencepiece"
        if not (self.ckpt.path / "tokenizer.model").is_file():
            raise StageError(
                f"{described} (SentencePiece style) but {self.ckpt.path} has no tokenizer.model",
                hint="save tokenizer.model with the checkpoint: the host check runs ExecuTorch's LLM runner, which "
                "reads its llama2.c conversion (its tokenizer.json reader maps byte-fallback pieces to <unk>, "
                "measured with 1.5.1)",
            )
        return "sentencepiece"


def _coreml_checks(facts: dict[str, Any]) -> list[Check]:
    """Core ML text generation on a host without Core ML: the package's structure, and the greedy tokens of
    the exact graphs that were converted against the Hugging Face model's."""
    from sdkgen.runtimes.coreml.generative import DECODE, PREFILL, STATE_NAMES

    functions = facts.get("functions", {})
    problems = []
    if set(functions) != {PREFILL, DECODE}:
        problems.append(f"functions {sorted(functions)} != {[DECODE, PREFILL]}")
    for name, f in functions.items():
        states = [s["name"] for s in f.get("states", [])]
        if states != list(STATE_NAMES):
            problems.append(f"{name} states {states} != {list(STATE_NAMES)}")
    if facts.get("specification_version", 0) < 9:
        problems.append(f"specification version {facts.get('specification_version')} is not iOS 18")
    host = facts.get("host_check", {})
    agree = sum(p["hf"] == p["wrapper"] == p.get("exported", p["wrapper"]) for p in host.get("prompts", []))
    return [
        Check(
            "structure",
            "failed" if problems else "passed",
            "; ".join(problems)
            or f"iOS 18 ML program (spec {facts.get('specification_version')}), functions prefill and decode, "
            f"states {', '.join(STATE_NAMES)}",
        ),
        Check(
            "converted-graph",
            "passed" if host.get("passed") else "failed",
            f"{agree}/{len(host.get('prompts', []))} prompts: the exported prefill/decode programs given to "
            "coremltools generate the Hugging Face model's greedy tokens",
            {"prompts": host.get("prompts", [])},
        ),
        Check(
            "outputs",
            "not_executed",
            "not executed here: Core ML predictions run only on macOS and iOS 18 (the float16 package itself)",
        ),
    ]


def _converted_checks(facts: dict[str, Any], expected: dict[str, Any]) -> list[Check]:
    """``executorch:coreml`` text generation on a host without the Core ML delegate: the runner metadata
    read back, the delegation, and the greedy tokens of the exact program handed to the partitioner."""
    methods = facts.get("methods", {})
    want = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in expected.items()}
    got = {k: methods.get(k, {}).get("value") for k in want}
    bad = {k: (got[k], want[k]) for k in want if not isinstance(want[k], list) and got[k] != want[k]}
    host = facts.get("host_check", {})
    agree = sum(p["hf"] == p["program"] for p in host.get("prompts", []))
    share = facts.get("delegated_call_share", 0.0)
    return [
        Check(
            "runner-metadata",
            "failed" if bad else "passed",
            f"mismatched: {bad}" if bad else f"{len(got)} constant methods match",
        ),
        Check(
            "delegation",
            "passed" if share == 1.0 else "failed",
            f"{share:.0%} of forward's calls go to the Core ML delegate (the whole transformer, KV cache as state)",
        ),
        Check(
            "converted-graph",
            "passed" if host.get("passed") else "failed",
            f"{agree}/{len(host.get('prompts', []))} prompts: the exported program given to the Core ML "
            "partitioner generates the Hugging Face model's greedy tokens",
            {"prompts": host.get("prompts", [])},
        ),
        Check(
            "outputs",
            "not_executed",
            "not executed here: ExecuTorch's Core ML delegate runs only on iOS 18 / macOS 15",
        ),
    ]


def _read_golden(d: Path) -> list[GoldenCase]:
    items = json.loads((d / "golden.json").read_text(encoding="utf-8"))
    return [GoldenCase(i["prompt"], tuple(i["prompt_ids"]), tuple(i["output_ids"]), i["output_text"]) for i in items]


def _methods(vocab_size: int) -> Any:
    from sdkgen.runtimes.executorch.export import method_specs

    return method_specs(vocab_size)


def check_model_fits(config: BuildConfig, info: CheckpointInfo) -> None:

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
    if any(t.startswith("litert:") for t in config.targets):
        from sdkgen.runtimes.litert.generative import ARCHITECTURES

        if info.architecture not in ARCHITECTURES:
            raise ConfigError(
                f"target 'litert:cpu' converts text generation for {', '.join(ARCHITECTURES)}, not {info.architecture}",
                choices=list(ARCHITECTURES),
                hint="drop the litert target for this model; ExecuTorch and Core ML take every supported family",
            )
    if config.compress.recipe != "none":
        widths = {"hidden_size": info.config["hidden_size"], "intermediate_size": info.config.get("intermediate_size")}
        bad = {k: v for k, v in widths.items() if isinstance(v, int) and v % config.compress.group_size}
        if bad:
            raise ConfigError(
                f"compress.group_size = {config.compress.group_size} does not divide {bad}",
                hint="choose a group size that divides the model's layer widths, e.g. 32",
            )
