"""Text generation through Core ML: one ``.mlpackage`` with a stateful KV cache and two functions.

The artifact (iOS 18 / macOS 15 ML program, specification version 9) holds the functions ``prefill`` and
``decode`` (default ``decode``) over the same weights (de-duplicated by ``save_multifunction``) and the same
two states:

============  ========  ====================================================  ===================================
feature       dtype     shape                                                 meaning
============  ========  ====================================================  ===================================
input_ids     int32     ``[1, prefill_len]`` (prefill), ``[1, 1]`` (decode)   token ids; pad a short prompt on the
                                                                              right with any id
input_pos     int32     ``[1]``                                               position of ``input_ids[0, 0]``
logits        float16   ``[1, prefill_len, vocab]`` / ``[1, 1, vocab]``       next-token logits for every row
k_cache       float16   ``[layers, 1, kv_heads, max_seq_len, head_dim]``      state, keys after RoPE
v_cache       float16   ``[layers, 1, kv_heads, max_seq_len, head_dim]``      state, values
============  ========  ====================================================  ===================================

A call with ``L`` tokens writes their keys and values at cache rows ``input_pos ..< input_pos + L`` and lets
token ``i`` attend to rows ``0 ... input_pos + i`` (the causal mask is computed inside the graph from
``input_pos``). The caller keeps ``0 <= input_pos`` and ``input_pos + L <= max_seq_len``; the graph does not
check it. Right padding is safe: a padded row holds finite values from a real computation and is always
overwritten before any token attends to it. Rows never written must be finite, so a new ``MLState`` is
zero-filled by the caller (``withMultiArray(for:)``) unless Core ML guarantees zeros.

The torch module that was converted is :func:`stateful_module`: the Hugging Face model itself (its own
embedding, RoPE, attention, MLP and head), called with a 4-D float mask, explicit ``position_ids`` and a
small cache object whose ``update`` writes into two registered buffers with ``slice_scatter`` at
``input_pos``. It is captured with ``torch.export`` (``torch.jit.trace`` of the same module fails in
coremltools' ``int`` op on a shape expression inside the HF attention). transformers' own ``StaticCache``
does not convert: its ``index_copy_`` has no coremltools translation.

Core ML predictions do not run off Apple platforms, so the host check (:func:`host_check`) runs the eager
wrapper and the exported programs (the graphs given to ``ct.convert``) step by step, the way the Swift binding
drives the package, and compares their greedy tokens with the plain Hugging Face model's.
"""

from __future__ import annotations

import contextlib
import functools
import io
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.errors import ConfigError, ModelLoadError, OutputPathError

PREFILL = "prefill"
DECODE = "decode"
INPUT_IDS = "input_ids"
INPUT_POS = "input_pos"
LOGITS = "logits"
STATE_NAMES = ("k_cache", "v_cache")

#: Additive mask value for positions a token must not see (the float16 minimum, as transformers uses).
_MASK_MIN = -65504.0
_COMPUTE_UNITS = ("ALL", "CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE")


def load_model(checkpoint: Path, max_seq_len: int) -> Any:
    """Load a local HF causal-LM folder with transformers: float32, eval mode, eager attention, no grads.

    The folder is validated by :func:`sdkgen.models.hf.inspect_checkpoint` (architectures in
    ``SUPPORTED_ARCHITECTURES`` there). The graph applies one global causal mask to every layer, so a model
    with sliding-window layers (Gemma 2/3) is accepted only when ``max_seq_len`` fits in its window (then the
    two masks are the same); otherwise :class:`ConfigError`. :class:`ModelLoadError` if transformers fails.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from sdkgen.models.hf import inspect_checkpoint

    info = inspect_checkpoint(Path(checkpoint))
    window = info.sliding_window
    if window is not None and max_seq_len > window:
        raise ConfigError(
            f"max_seq_len {max_seq_len} exceeds the sliding window {window} of {info.architecture} ({checkpoint}); "
            "the Core ML graph applies one global causal mask",
            hint=f"use max_seq_len <= {window} for Core ML, or an executorch target for longer contexts",
        )
    try:
        model = AutoModelForCausalLM.from_pretrained(
            info.path, dtype=torch.float32, attn_implementation="eager", local_files_only=True
        )
    except Exception as e:  # transformers raises many types here
        raise ModelLoadError(
            f"transformers could not load {str(info.path)!r}: {e}",
            hint="check that the checkpoint loads with AutoModelForCausalLM.from_pretrained(folder)",
        ) from e
    model.requires_grad_(False)
    return model.eval()


def cache_shape(model: Any, max_seq_len: int) -> tuple[int, int, int, int, int]:
    """``(layers, 1, kv_heads, max_seq_len, head_dim)``: the shape of each of the two cache states."""
    cfg = model.config.get_text_config()
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    kv_heads = getattr(cfg, "num_key_value_heads", None) or cfg.num_attention_heads
    return (int(cfg.num_hidden_layers), 1, int(kv_heads), int(max_seq_len), int(head_dim))


@functools.cache
def _wrapper_class() -> type:
    import torch

    class _SliceCache:
        """The HF attention's view of the cache: ``update`` writes ``[1, kv_heads, L, head_dim]`` at rows
        ``start ..< start + L`` of layer ``layer_idx`` and returns that layer's whole cache."""

        def __init__(self, k: torch.Tensor, v: torch.Tensor, start: Any, length: int) -> None:
            self.k, self.v, self.start, self.length = k, v, start, length

        def update(self, key_states: torch.Tensor, value_states: torch.Tensor, layer_idx: int, *a: Any, **kw: Any):
            end = self.start + self.length
            # Functional slice_scatter, then a static-index copy into the buffer: coremltools turns this into
            # slice_update ops with static shapes (an in-place slice assignment exports as copy + tile with
            # symbolic shapes).
            k = torch.slice_scatter(self.k[layer_idx], key_states, dim=2, start=self.start, end=end)
            v = torch.slice_scatter(self.v[layer_idx], value_states, dim=2, start=self.start, end=end)
            self.k[layer_idx] = k
            self.v[layer_idx] = v
            return k, v

    class StatefulCausalLM(torch.nn.Module):
        """``forward(input_ids int32 [1, L], input_pos int32 [1]) -> logits float32 [1, L, vocab]`` over the
        HF ``model``, with the KV cache in the buffers ``k_cache`` and ``v_cache``, updated in place."""

        k_cache: torch.Tensor
        v_cache: torch.Tensor

        def __init__(self, model: Any, max_seq_len: int) -> None:
            super().__init__()
            self.model = model
            self.max_seq_len = max_seq_len
            shape = cache_shape(model, max_seq_len)
            self.register_buffer(STATE_NAMES[0], torch.zeros(shape))
            self.register_buffer(STATE_NAMES[1], torch.zeros(shape))

        def reset(self) -> None:
            """Zero the cache (what a new, zero-filled ``MLState`` is)."""
            self.k_cache.zero_()
            self.v_cache.zero_()

        def forward(self, input_ids: torch.Tensor, input_pos: torch.Tensor) -> torch.Tensor:
            length = input_ids.shape[1]
            start = input_pos[0].item()
            torch._check(start >= 0)
            torch._check(start + length <= self.max_seq_len)
            positions = input_pos + torch.arange(length, dtype=torch.int32)
            rows = torch.arange(self.max_seq_len, dtype=torch.int32)
            mask = torch.where(rows[None, :] <= positions[:, None], 0.0, _MASK_MIN)[None, None]
            out = self.model(
                input_ids=input_ids,
                attention_mask=mask,
                position_ids=positions[None],
                cache=_SliceCache(self.k_cache, self.v_cache, start, length),
                use_cache=True,
            )
            return out.logits

    return StatefulCausalLM


def stateful_module(model: Any, max_seq_len: int) -> Any:
    """The torch module that is converted: ``model`` plus a ``max_seq_len`` KV cache in registered buffers."""
    return _wrapper_class()(model, max_seq_len).eval()


def export_function(wrapper: Any, seq_len: int) -> Any:
    """``torch.export`` of ``wrapper`` for ``input_ids [1, seq_len]`` (ATen dialect, as ``ct.convert`` wants).

    The buffers are zeroed afterwards (export does not bake their values in); ``aten.alias`` nodes are removed.
    The returned program is exactly what is converted and what :func:`programs_call` runs."""
    import torch

    ids = torch.zeros((1, seq_len), dtype=torch.int32)
    pos = torch.zeros((1,), dtype=torch.int32)
    with torch.no_grad():
        program = torch.export.export(wrapper, (ids, pos), strict=False).run_decompositions({})
    wrapper.reset()
    # coremltools 9 has no translation for aten.alias (transformers' logits_to_keep slice exports as one); an
    # alias is a no-op for a graph without in-place ops, so it is bypassed.
    graph = program.graph_module.graph
    for node in list(graph.nodes):
        if node.op == "call_function" and node.target == torch.ops.aten.alias.default:
            node.replace_all_uses_with(node.args[0])
            graph.erase_node(node)
    program.graph_module.recompile()
    return program


def _convert_one(program: Any, seq_len: int, shape: tuple[int, ...], compute_units: str) -> Any:
    import coremltools as ct
    import numpy as np

    with contextlib.redirect_stderr(io.StringIO()):
        return ct.convert(
            program,
            inputs=[
                ct.TensorType(name=INPUT_IDS, shape=(1, seq_len), dtype=np.int32),
                ct.TensorType(name=INPUT_POS, shape=(1,), dtype=np.int32),
            ],
            outputs=[ct.TensorType(name=LOGITS, dtype=np.float16)],
            states=[
                ct.StateType(wrapped_type=ct.TensorType(shape=shape, dtype=np.float16), name=name)
                for name in STATE_NAMES
            ],
            minimum_deployment_target=ct.target.iOS18,
            compute_units=getattr(ct.ComputeUnit, compute_units),
            convert_to="mlprogram",
            skip_model_load=True,
        )


def convert_causal_lm(
    checkpoint: Path,
    out: Path,
    *,
    max_seq_len: int,
    prefill_len: int,
    compute_units: str = "CPU_AND_NE",
    check_prompts: Sequence[Sequence[int]] = (),
    check_tokens: int = 12,
    quantize: str = "none",
    group_size: int = 32,
) -> dict[str, Any]:
    """Convert a HF causal LM to ``out`` (a multifunction ``.mlpackage``, see the module docstring), its
    weights compressed by recipe ``quantize`` (:mod:`sdkgen.runtimes.coreml.quantize`).

    ``compute_units`` (a ``ct.ComputeUnit`` name) is recorded in the metadata; the app sets it in its
    ``MLModelConfiguration``. With ``check_prompts`` (token ids), :func:`host_check` runs on the converted
    wrapper and programs and its result is under ``"host_check"``. Returns :func:`describe`'s facts plus
    ``conversion_seconds`` and ``frontend``. ``out`` is written only when everything succeeded.
    """
    import coremltools as ct

    from sdkgen.runtimes.coreml.quantize import compress

    if compute_units not in _COMPUTE_UNITS:
        raise ConfigError(f"unknown compute_units {compute_units!r}", choices=_COMPUTE_UNITS)
    if not 1 <= prefill_len <= max_seq_len:
        raise ConfigError(
            f"prefill_len {prefill_len} must be between 1 and max_seq_len {max_seq_len}",
            hint="choose a prefill chunk no longer than the cache",
        )
    out = Path(out)
    if out.suffix != ".mlpackage":
        raise OutputPathError(f"{out} must end in .mlpackage", hint="name the output <model>.mlpackage")
    out.parent.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    model = load_model(checkpoint, max_seq_len)
    limit = getattr(model.config.get_text_config(), "max_position_embeddings", None)
    if limit is not None and max_seq_len > limit:
        raise ConfigError(
            f"max_seq_len {max_seq_len} exceeds the model's max_position_embeddings {limit}",
            hint=f"use max_seq_len <= {limit}",
        )
    wrapper = stateful_module(model, max_seq_len)
    programs = {PREFILL: export_function(wrapper, prefill_len), DECODE: export_function(wrapper, 1)}
    check = host_check(model, wrapper, programs, check_prompts, check_tokens, prefill_len) if check_prompts else None

    shape = cache_shape(model, max_seq_len)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".coreml-") as tmp:
        paths = {}
        for name, program in programs.items():
            seq_len = prefill_len if name == PREFILL else 1
            paths[name] = str(Path(tmp) / f"{name}.mlpackage")
            converted, compression = compress(
                _convert_one(program, seq_len, shape, compute_units), quantize, group_size
            )
            converted.save(paths[name])
        desc = ct.utils.MultiFunctionDescriptor()
        for name, path in paths.items():
            desc.add_function(path, src_function_name="main", target_function_name=name)
        desc.default_function_name = DECODE
        combined = Path(tmp) / "combined.mlpackage"
        with contextlib.redirect_stderr(io.StringIO()):
            ct.utils.save_multifunction(desc, str(combined))
        final = Path(tmp) / out.name
        _write_metadata(combined, final, model, max_seq_len, prefill_len, compute_units)
        for item in [final, *final.rglob("*")]:  # coremltools writes some files 0600
            item.chmod(0o755 if item.is_dir() else 0o644)
        if out.exists():
            shutil.rmtree(out)
        final.rename(out)

    facts = describe(out)
    facts["conversion_seconds"] = round(time.monotonic() - started, 2)
    facts["compression"] = {"recipe": quantize, **compression}
    facts["frontend"] = "torch.export (HF modules, cache in registered buffers, slice_scatter at input_pos)"
    if check is not None:
        facts["host_check"] = check
    return facts


def _write_metadata(src: Path, dst: Path, model: Any, max_seq_len: int, prefill_len: int, compute_units: str) -> None:
    import coremltools as ct

    mlmodel = ct.models.MLModel(str(src), skip_model_load=True)
    cfg = model.config
    eos = cfg.eos_token_id if isinstance(cfg.eos_token_id, list) else [cfg.eos_token_id]
    meta = {
        "sdkgen.task": "text-generation",
        "sdkgen.max_seq_len": str(max_seq_len),
        "sdkgen.prefill_len": str(prefill_len),
        "sdkgen.compute_units": compute_units,
        "sdkgen.vocab_size": str(cfg.get_text_config().vocab_size),
        "sdkgen.bos_token_id": "" if cfg.bos_token_id is None else str(cfg.bos_token_id),
        "sdkgen.eos_token_ids": ",".join(str(e) for e in eos if e is not None),
        "sdkgen.architecture": (cfg.architectures or ["?"])[0],
    }
    mlmodel.user_defined_metadata.update(meta)
    mlmodel.short_description = (
        f"{meta['sdkgen.architecture']} text generation: functions prefill (input_ids [1, {prefill_len}]) and "
        f"decode ([1, 1]) over a float16 KV cache state of {max_seq_len} positions"
    )
    mlmodel.save(str(dst))


def describe(mlpackage: Path) -> dict[str, Any]:
    """Facts read from a saved ``.mlpackage`` without loading it into Core ML.

    Keys: ``specification_version``, ``default_function``, ``functions`` (name -> ``inputs``, ``outputs``,
    ``states`` as lists of ``{"name", "dtype", "shape"}``, ``opset`` and sorted ``operations``),
    ``metadata`` (user-defined), ``size_bytes``. A single-function model is reported as function ``main``.
    """
    import coremltools as ct

    spec = ct.models.MLModel(str(mlpackage), skip_model_load=True).get_spec()
    described = spec.description
    if len(described.functions):
        entries = [(f.name, f) for f in described.functions]
        default = described.defaultFunctionName
    else:
        entries = [("main", described)]
        default = "main"
    functions: dict[str, Any] = {}
    for name, fd in entries:
        program = spec.mlProgram.functions[name] if spec.HasField("mlProgram") else None
        functions[name] = {
            "inputs": [_feature(f) for f in fd.input],
            "outputs": [_feature(f) for f in fd.output],
            "states": [_feature(f) for f in fd.state],
            "opset": program.opset if program is not None else None,
            "operations": sorted(
                {op.type for b in program.block_specializations.values() for op in b.operations}
                if program is not None
                else set()
            ),
        }
    return {
        "specification_version": spec.specificationVersion,
        "default_function": default,
        "functions": functions,
        "metadata": dict(described.metadata.userDefined),
        "size_bytes": sum(p.stat().st_size for p in Path(mlpackage).rglob("*") if p.is_file()),
    }


def _feature(feature: Any) -> dict[str, Any]:
    from coremltools.proto import FeatureTypes_pb2

    kind = feature.type.WhichOneof("Type")
    array = feature.type.stateType.arrayType if kind == "stateType" else feature.type.multiArrayType
    if kind not in ("stateType", "multiArrayType"):
        return {"name": feature.name, "dtype": kind, "shape": []}
    return {
        "name": feature.name,
        "dtype": FeatureTypes_pb2.ArrayFeatureType.ArrayDataType.Name(array.dataType).lower(),
        "shape": [int(d) for d in array.shape],
    }


# ---------------------------------------------------------------------------------------------------------------
# Host-side checks (no Core ML predictions): the converted graphs against the plain HF model.


def hf_greedy(model: Any, prompt: Sequence[int], max_new_tokens: int) -> list[int]:
    """Greedy tokens of the plain HF model, re-running the whole sequence each step (no cache, no mask)."""
    import torch

    ids = list(prompt)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(input_ids=torch.tensor([ids], dtype=torch.long)).logits
            ids.append(int(logits[0, -1].argmax()))
    return ids[len(prompt) :]


def drive_greedy(
    call: Any, prompt: Sequence[int], max_new_tokens: int, prefill_len: int, max_seq_len: int
) -> tuple[list[int], list[Any]]:
    """Greedy generation the way an app drives the package; returns the tokens and each step's logits row.

    ``call(function, ids int32 [1, L], pos int32 [1]) -> logits [1, L, vocab]`` runs ``prefill`` or
    ``decode`` against one shared state. The prompt goes through ``prefill`` in chunks of ``prefill_len``
    (the last one right-padded with id 0) while a whole chunk still fits in the cache, the rest through
    ``decode`` one token at a time; each new token goes through ``decode``.
    """
    import numpy as np

    if not prompt or len(prompt) + max_new_tokens > max_seq_len:
        raise ConfigError(f"prompt of {len(prompt)} + {max_new_tokens} new tokens must fit in {max_seq_len}")
    pos = 0
    last: Any = None
    while pos < len(prompt):
        chunk = list(prompt[pos : pos + prefill_len])
        if len(chunk) > 1 and pos + prefill_len <= max_seq_len:
            ids = np.array([chunk + [0] * (prefill_len - len(chunk))], dtype=np.int32)
            last = np.asarray(call(PREFILL, ids, np.array([pos], dtype=np.int32)))[0, len(chunk) - 1]
            pos += len(chunk)
        else:
            ids = np.array([[chunk[0]]], dtype=np.int32)
            last = np.asarray(call(DECODE, ids, np.array([pos], dtype=np.int32)))[0, 0]
            pos += 1
    tokens: list[int] = []
    rows = [last]
    for i in range(max_new_tokens):
        tokens.append(int(np.argmax(last)))
        if i + 1 == max_new_tokens:
            break
        ids = np.array([[tokens[-1]]], dtype=np.int32)
        last = np.asarray(call(DECODE, ids, np.array([pos], dtype=np.int32)))[0, 0]
        rows.append(last)
        pos += 1
    return tokens, rows


def wrapper_call(wrapper: Any) -> Any:
    """A ``call`` for :func:`drive_greedy` over the eager wrapper (both functions are the same module)."""
    import torch

    def call(function: str, ids: Any, pos: Any) -> Any:
        with torch.no_grad():
            return wrapper(torch.from_numpy(ids), torch.from_numpy(pos)).numpy()

    return call


def programs_call(programs: dict[str, Any]) -> tuple[Any, Any]:
    """A ``call`` over the exported programs (the graphs ``ct.convert`` consumed) sharing one cache, and a
    ``reset`` that zeroes it: the decode module's buffers are the prefill module's tensors, as the two Core ML
    functions share one ``MLState``."""
    import torch

    modules = {name: program.module() for name, program in programs.items()}
    first = modules[PREFILL]
    for name in STATE_NAMES:
        setattr(modules[DECODE], name, getattr(first, name))

    def reset() -> None:
        for name in STATE_NAMES:
            getattr(first, name).zero_()

    def call(function: str, ids: Any, pos: Any) -> Any:
        with torch.no_grad():
            return modules[function](torch.from_numpy(ids), torch.from_numpy(pos)).numpy()

    return call, reset


def host_check(
    model: Any,
    wrapper: Any,
    programs: dict[str, Any] | None,
    prompts: Sequence[Sequence[int]],
    max_new_tokens: int,
    prefill_len: int,
) -> dict[str, Any]:
    """Greedy tokens of the HF model, the eager wrapper and (if given) the exported programs, per prompt.

    ``passed`` is true when all agree on every prompt; ``max_abs_logit_diff`` compares the wrapper's and the
    programs' per-step logits. Nothing here runs Core ML: the float16 Core ML artifact itself is not executed.
    """
    import numpy as np

    results = []
    max_seq_len = wrapper.max_seq_len
    for prompt in prompts:
        expected = hf_greedy(model, prompt, max_new_tokens)
        wrapper.reset()
        eager, eager_rows = drive_greedy(wrapper_call(wrapper), prompt, max_new_tokens, prefill_len, max_seq_len)
        entry: dict[str, Any] = {"prompt_len": len(prompt), "hf": expected, "wrapper": eager}
        if programs is not None:
            call, reset = programs_call(programs)
            reset()
            exported, rows = drive_greedy(call, prompt, max_new_tokens, prefill_len, max_seq_len)
            entry["exported"] = exported
            entry["max_abs_logit_diff"] = float(
                max(np.abs(a - b).max() for a, b in zip(eager_rows, rows, strict=False))
            )
        results.append(entry)
    wrapper.reset()
    passed = all(r["hf"] == r["wrapper"] == r.get("exported", r["wrapper"]) for r in results)
    return {
        "passed": passed,
        "prompts": results,
        "not_executed": "the Core ML package itself (predictions need macOS/iOS 18)",
    }
