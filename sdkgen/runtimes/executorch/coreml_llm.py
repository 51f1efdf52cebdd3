"""Text generation for ``executorch:coreml``: the LLM in one ExecuTorch Core ML delegate, KV cache as Core ML state.

The ``.pte`` keeps the method ExecuTorch's LLM runner and sdkgen's SDK bindings drive for text generation
(:func:`sdkgen.runtimes.executorch.export.method_specs`), plus the runner's constant methods (``metadata``,
normally :func:`sdkgen.runtimes.executorch.export.runner_metadata`):

=================  =======  ==========================  ====================================================
forward            dtype    shape                       meaning
=================  =======  ==========================  ====================================================
input_ids          int64    ``[1, seq]``                token ids, ``1 <= seq <= max_seq_len - 1`` (dynamic)
cache_position     int64    ``[seq]``                   their positions: ``start, start + 1, ..., start + seq - 1``
logits (output)    float32  ``[1, seq, vocab]``         next-token logits for every row
=================  =======  ==========================  ====================================================

Inside, ``forward`` is one ``CoreMLBackend`` delegate call (an iOS 18 / macOS 15 ML program, specification
version 9) owning the embedding, every decoder layer and the head. The KV cache is two registered buffers of
the torch module, ``k_cache`` and ``v_cache`` (``[layers, 1, kv_heads, max_seq_len, head_dim]``), which the
Core ML partitioner takes over (``take_over_mutable_buffer=True``) as two float16 Core ML *states*; the
delegate's ``MLState`` is created when the method loads, zeroed after prewarm and lives as long as the loaded
method. Nothing of the cache is in ExecuTorch's memory plan.

Why not sdkgen's static-cache program (:func:`sdkgen.runtimes.executorch.export.export_text_generation`)?
Measured with executorch 1.5.1 / coremltools 9.0: with the iOS 17 target of
:func:`sdkgen.runtimes.executorch.lower._partitioners` coremltools refuses the mutable cache ("State model is
supported only >= iOS18"); with iOS 18 its ``index_put`` translation (the lowered ``StaticCache.index_copy_``
with a ``[seq]`` index) fails ("Input squeeze_0 has rank 1 != other inputs rank 0"); keeping ``index_put``
out of the delegate leaves symbolic-int placeholders on the partitions ("Placeholder val must be a tensor or
fake tensor, but got type <class 'torch.SymInt'>").

So the module here is the one :mod:`sdkgen.runtimes.coreml.generative` converts successfully, given the
runner's signature: the Hugging Face model itself (eager attention), a 4-D float mask built from
``cache_position``, explicit ``position_ids`` and a small cache object writing keys and values with
``slice_scatter`` at rows ``cache_position[0] ..< cache_position[0] + seq`` (Core ML ``slice_update`` on the
state). It is captured with ``torch.export(strict=False)`` and lowered with ``to_edge_transform_and_lower``.

One adjustment: ExecuTorch's edge conversion re-traces the program and gives the ``seq`` symbol the range
``[2, max_seq_len - 1]`` (the default lower bound of a traced dynamic dimension), which coremltools would turn
into a Core ML ``RangeDim`` starting at 2, rejecting the runner's one-token decode calls. The partitioner
restores the exported range ``[1, max_seq_len - 1]`` before Core ML conversion; no guard in the program
depends on ``seq != 1`` and the host check runs the exported program with ``seq == 1``.

Host check (:func:`host_check`): Core ML cannot execute on this host, so the exported program given to
ExecuTorch is run step by step in torch, the way the LLM runner drives ``forward`` (whole prompt, then one
token per call), and its greedy tokens are compared with the plain Hugging Face model's. The delegate's own
float16 arithmetic and float16 cache are not executed here.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.errors import ConfigError, OutputPathError

INPUT_NAMES = ("input_ids", "cache_position")
STATE_NAMES = ("k_cache", "v_cache")
COMPUTE_UNITS = ("ALL", "CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE")
COMPUTE_PRECISIONS = ("FLOAT16", "FLOAT32")
#: Additive mask value for positions a token must not see (the float16 minimum, as transformers uses).
_MASK_MIN = -65504.0
FRONTEND = (
    "torch.export(strict=False) of the HF model with the KV cache in registered buffers (slice_scatter at "
    "cache_position[0]), to_edge_transform_and_lower with CoreMLPartitioner(take_over_mutable_buffer=True), iOS18"
)


@functools.cache
def _wrapper_class() -> type:
    import torch

    class _SliceCache:
        """The HF attention's view of the cache: ``update`` writes ``[1, kv_heads, seq, head_dim]`` at rows
        ``start ..< start + seq`` of layer ``layer_idx`` and returns that layer's whole cache."""

        def __init__(self, k: torch.Tensor, v: torch.Tensor, start: Any, length: Any) -> None:
            self.k, self.v, self.start, self.length = k, v, start, length

        def update(self, key_states: torch.Tensor, value_states: torch.Tensor, layer_idx: int, *a: Any, **kw: Any):
            end = self.start + self.length
            # Functional slice_scatter, then a copy into the buffer: Core ML slice_update + write_state.
            k = torch.slice_scatter(self.k[layer_idx], key_states.to(self.k.dtype), dim=2, start=self.start, end=end)
            v = torch.slice_scatter(self.v[layer_idx], value_states.to(self.v.dtype), dim=2, start=self.start, end=end)
            self.k[layer_idx] = k
            self.v[layer_idx] = v
            return k.to(key_states.dtype), v.to(value_states.dtype)

    from sdkgen.runtimes.coreml.generative import _wrapper_class as core_ml_wrapper_class

    class RunnerCausalLM(core_ml_wrapper_class()):  # type: ignore[misc]
        """``forward(input_ids int64 [1, seq], cache_position int64 [seq]) -> logits float32 [1, seq, vocab]``
        over the HF ``model``, with the KV cache in the buffers ``k_cache`` and ``v_cache``, updated in place
        (the Core ML wrapper's buffers and reset, with the ExecuTorch LLM runner's signature).
        ``cache_position`` must be consecutive; its first value is where the rows are written."""

        def forward(self, input_ids: torch.Tensor, cache_position: torch.Tensor) -> torch.Tensor:
            length = input_ids.shape[1]
            start = cache_position[0].item()
            torch._check(start >= 0)
            torch._check(start + length <= self.max_seq_len)
            rows = torch.arange(self.max_seq_len, dtype=cache_position.dtype)
            mask = torch.where(rows[None, :] <= cache_position[:, None], 0.0, _MASK_MIN)[None, None]
            out = self.model(
                input_ids=input_ids,
                attention_mask=mask,
                position_ids=cache_position[None],
                cache=_SliceCache(self.k_cache, self.v_cache, start, length),
                use_cache=True,
            )
            return out.logits

    return RunnerCausalLM


def runner_module(model: Any, max_seq_len: int) -> Any:
    """The torch module that is exported: ``model`` plus a ``max_seq_len`` KV cache in registered buffers."""
    return _wrapper_class()(model, max_seq_len).eval()


def export_runner_module(wrapper: Any, max_seq_len: int) -> Any:
    """``torch.export`` of ``wrapper`` with ``seq`` dynamic in ``[1, max_seq_len - 1]``; buffers zeroed after."""
    import torch

    seq = torch.export.Dim("seq_length_dim", min=1, max=max_seq_len - 1)
    ids = torch.tensor([[1, 2, 3]], dtype=torch.long)
    with torch.no_grad():
        program = torch.export.export(
            wrapper,
            (ids, torch.arange(3, dtype=torch.long)),
            dynamic_shapes={"input_ids": {1: seq}, "cache_position": {0: seq}},
            strict=False,
        )
    wrapper.reset()
    return program


@functools.cache
def _partitioner_class() -> type:
    from executorch.backends.apple.coreml.partition import CoreMLPartitioner
    from torch.utils._sympy.value_ranges import ValueRanges

    class SeqFromOneCoreMLPartitioner(CoreMLPartitioner):
        """``CoreMLPartitioner`` that first widens the dynamic ``seq`` dimension of ``input_ids`` back to a
        lower bound of 1 (the edge re-trace narrows it to 2), so the Core ML ``RangeDim`` accepts decode
        calls with one token. The submodules handed to ``CoreMLBackend`` copy these range constraints."""

        widened: list[str]

        def partition(self, exported_program: Any) -> Any:
            self.widened = []
            user_inputs = set(exported_program.graph_signature.user_inputs)
            for node in exported_program.graph.nodes:
                if node.op != "placeholder" or node.name not in user_inputs:
                    continue
                for size in getattr(node.meta.get("val"), "shape", ()):
                    expr = getattr(getattr(size, "node", None), "expr", None)
                    ranges = exported_program.range_constraints.get(expr)
                    if ranges is not None and ranges.lower == 2:
                        exported_program.range_constraints[expr] = ValueRanges(1, ranges.upper)
                        self.widened.append(str(expr))
            return super().partition(exported_program)

    return SeqFromOneCoreMLPartitioner


def _partitioner(compute_units: str, compute_precision: str) -> Any:
    import coremltools as ct
    from executorch.backends.apple.coreml.compiler import CoreMLBackend

    specs = CoreMLBackend.generate_compile_specs(
        compute_unit=getattr(ct.ComputeUnit, compute_units),
        minimum_deployment_target=ct.target.iOS18,  # Core ML states need iOS 18 / macOS 15
        compute_precision=getattr(ct.precision, compute_precision),
        model_type=CoreMLBackend.MODEL_TYPE.MODEL,
    )
    return _partitioner_class()(compile_specs=specs, take_over_mutable_buffer=True)


def lower_text_generation_coreml(
    checkpoint: Path,
    out: Path,
    *,
    max_seq_len: int,
    compute_units: str,
    metadata: dict[str, Any],
    compute_precision: str = "FLOAT16",
    check_prompts: Sequence[Sequence[int]] = (),
    check_tokens: int = 8,
) -> dict[str, Any]:
    """Export the HF causal LM in ``checkpoint`` for ExecuTorch's Core ML backend and write ``out`` (``.pte``).

    ``checkpoint``: a local HF folder (loaded by :func:`sdkgen.runtimes.coreml.generative.load_model`: float32,
    eager attention; sliding-window models only when ``max_seq_len`` fits in the window). ``max_seq_len``: KV
    cache length, ``2 <= max_seq_len <= max_position_embeddings``. ``compute_units``: a ``ct.ComputeUnit`` name
    (``ALL``, ``CPU_ONLY``, ``CPU_AND_GPU``, ``CPU_AND_NE``; case-insensitive), stored in the delegate's compile
    specs. ``metadata``: the constant methods (normally ``runner_metadata(...)``); a ``get_max_seq_len`` there
    must equal ``max_seq_len``. ``compute_precision``: ``FLOAT16`` (default; what the Neural Engine runs) or
    ``FLOAT32``; the cache states are float16 either way. With ``check_prompts`` (token ids) :func:`host_check`
    runs on the exported program and its result is under ``"host_check"``.

    Raises :class:`ConfigError` (bad arguments), :class:`OutputPathError` (``out`` not ``*.pte``),
    :class:`sdkgen.errors.ModelLoadError` (checkpoint). ``out`` is written only when lowering succeeded.

    Returns facts (JSON-serialisable):

    - ``methods``: name -> ``{"inputs", "outputs"}`` (lists of ``{"name", "dtype", "shape"}``; ``forward``'s
      ``seq`` dimension is dynamic and shown at its upper bound ``max_seq_len - 1``, the only bound ExecuTorch
      stores) or ``{"value"}`` for constant methods (:func:`method_facts`);
    - ``delegation``: :func:`sdkgen.runtimes.executorch.lower.delegation_of` of ``out``;
    - ``delegated_call_share`` and ``portable_operators``: those of ``forward``;
    - ``coreml``: the delegate's ML program(s) as read from the ``.pte`` (:func:`coreml_partitions`);
    - ``seq_range_widened``: the symbols whose lower bound was restored to 1;
    - ``size_bytes``, ``seconds`` (total), ``export_seconds``, ``lower_seconds``, ``compute_units``,
      ``compute_precision``, ``max_seq_len``, ``frontend``, ``not_executed``.
    """
    import torch
    from executorch.exir import EdgeCompileConfig, to_edge_transform_and_lower

    from sdkgen.runtimes.coreml.generative import load_model
    from sdkgen.runtimes.executorch.lower import delegation_of

    units = compute_units.upper()
    if units not in COMPUTE_UNITS:
        raise ConfigError(f"unknown compute_units {compute_units!r}", choices=COMPUTE_UNITS)
    precision = compute_precision.upper()
    if precision not in COMPUTE_PRECISIONS:
        raise ConfigError(f"unknown compute_precision {compute_precision!r}", choices=COMPUTE_PRECISIONS)
    if max_seq_len < 2:
        raise ConfigError(f"max_seq_len {max_seq_len} must be at least 2", hint="use a longer KV cache")
    if "get_max_seq_len" in metadata and metadata["get_max_seq_len"] != max_seq_len:
        raise ConfigError(
            f"metadata get_max_seq_len {metadata['get_max_seq_len']} differs from max_seq_len {max_seq_len}",
            hint="build the metadata with runner_metadata(max_seq_len, ...)",
        )
    out = Path(out)
    if out.suffix != ".pte":
        raise OutputPathError(f"{out} must end in .pte", hint="name the output <model>.pte")
    out.parent.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    model = load_model(checkpoint, max_seq_len)
    limit = getattr(model.config.get_text_config(), "max_position_embeddings", None)
    if limit is not None and max_seq_len > limit:
        raise ConfigError(
            f"max_seq_len {max_seq_len} exceeds the model's max_position_embeddings {limit}",
            hint=f"use max_seq_len <= {limit}",
        )
    wrapper = runner_module(model, max_seq_len)
    program = export_runner_module(wrapper, max_seq_len)
    check = host_check(model, program, check_prompts, check_tokens) if check_prompts else None
    with torch.no_grad():  # the cache buffers start zeroed (Core ML states have no initial value anyway)
        for name, value in program.state_dict.items():
            if name in STATE_NAMES:
                value.zero_()
    exported = time.monotonic()

    partitioner = _partitioner(units, precision)
    edge = to_edge_transform_and_lower(
        program,
        partitioner=[partitioner],
        compile_config=EdgeCompileConfig(_check_ir_validity=False),
        constant_methods=dict(metadata),
    )
    buffer = edge.to_executorch().buffer
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=".coreml-llm-", suffix=".pte")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buffer)
        Path(tmp_name).replace(out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    lowered = time.monotonic()

    delegation = delegation_of(out)
    facts: dict[str, Any] = {
        "methods": method_facts(out, input_names=INPUT_NAMES),
        "delegation": delegation,
        "delegated_call_share": delegation["forward"]["delegated_call_share"],
        "portable_operators": delegation["forward"]["portable_operators"],
        "coreml": coreml_partitions(out),
        "seq_range_widened": list(getattr(partitioner, "widened", [])),
        "size_bytes": out.stat().st_size,
        "seconds": round(lowered - started, 2),
        "export_seconds": round(exported - started, 2),
        "lower_seconds": round(lowered - exported, 2),
        "compute_units": units,
        "compute_precision": precision,
        "max_seq_len": max_seq_len,
        "frontend": FRONTEND,
        "not_executed": "the Core ML delegate (ExecuTorch's CoreMLBackend runs only on iOS 18 / macOS 15)",
    }
    if check is not None:
        facts["host_check"] = check
    return facts


def method_facts(pte: Path, input_names: Sequence[str] = ()) -> dict[str, Any]:
    """Methods of a ``.pte`` read without executing a delegate (the Core ML backend is not registered off Apple
    platforms): tensor inputs/outputs from the method metadata, values of constant methods.

    ``forward``'s inputs get ``input_names`` in order, other tensors ``input_<i>``/``output_<i>``; shapes are
    the memory-planned ones, i.e. the upper bound of a dynamic dimension."""
    from executorch.runtime import Runtime

    from sdkgen.runtimes.executorch.inspect import SCALAR_TYPES

    program = Runtime.get().load_program(str(pte))
    result: dict[str, Any] = {}
    for name in sorted(program.method_names):
        meta = program.metadata(name)
        if meta.num_inputs() == 0:
            value = program.load_method(name).execute([])
            result[name] = {"value": value[0] if len(value) == 1 else list(value)}
            continue
        names = list(input_names) if name == "forward" else []
        inputs = []
        for i in range(meta.num_inputs()):
            label = names[i] if i < len(names) else f"input_{i}"
            inputs.append(_tensor(label, meta.input_tensor_meta(i), SCALAR_TYPES))
        outputs = [_tensor(f"output_{i}", meta.output_tensor_meta(i), SCALAR_TYPES) for i in range(meta.num_outputs())]
        result[name] = {"inputs": inputs, "outputs": outputs}
    return result


def _tensor(name: str, info: Any, scalar_types: dict[int, str]) -> dict[str, Any]:
    code = int(info.dtype())
    return {"name": name, "dtype": scalar_types.get(code, f"scalar_type_{code}"), "shape": list(info.sizes())}


def _input_ranges(spec: Any) -> dict[str, list[list[int]]]:
    """Flexible inputs of a Core ML spec: name -> ``[lower, upper]`` per dimension."""
    ranges = {}
    for feature in spec.description.input:
        if feature.type.WhichOneof("Type") != "multiArrayType":
            continue
        sizes = feature.type.multiArrayType.shapeRange.sizeRanges
        if len(sizes):
            ranges[feature.name] = [[int(r.lowerBound), int(r.upperBound)] for r in sizes]
    return ranges


def coreml_partitions(pte: Path) -> list[dict[str, Any]]:
    """The Core ML ML programs inside a ``.pte``'s ``CoreMLBackend`` delegates, read without Core ML.

    Each entry: ``method``, :func:`sdkgen.runtimes.coreml.generative.describe` facts of the ``main`` function
    (``inputs``/``outputs``/``states``, ``opset``, ``operations``) plus ``specification_version``,
    ``input_ranges`` (name -> per-dimension ``[lower, upper]`` of a flexible input) and ``size_bytes``."""
    import coremltools as ct
    from executorch.backends.apple.coreml import executorchcoreml
    from executorch.exir._serialize._program import deserialize_pte_binary

    from sdkgen.runtimes.coreml.generative import describe

    pte_file = deserialize_pte_binary(Path(pte).read_bytes())
    program = pte_file.program
    named: dict[str, bytes] = {}
    if getattr(pte_file, "named_data", None) is not None:
        for key, entry in pte_file.named_data.pte_data.items():
            named[key] = pte_file.named_data.buffers[entry.buffer_index]
    found: list[dict[str, Any]] = []
    for plan in program.execution_plan:
        for delegate in plan.delegates:
            if delegate.id != "CoreMLBackend":
                continue
            raw = bytes(program.backend_delegate_data[delegate.processed.index].data)
            if raw.startswith(b"CMJR"):  # multifunction: a JSON reference into the named data
                raw = named[json.loads(raw[4:].decode())["key"]]
            with tempfile.TemporaryDirectory(prefix="sdkgen-coreml-") as tmp:
                if not executorchcoreml.unflatten_directory_contents(raw, tmp):
                    found.append({"method": plan.name, "error": "could not unflatten the delegate payload"})
                    continue
                package = next(Path(tmp).rglob("*.mlpackage"))
                facts = describe(package)
                spec = ct.models.MLModel(str(package), skip_model_load=True).get_spec()
                ranges = _input_ranges(spec)
                main = facts["functions"][facts["default_function"]]
                found.append(
                    {
                        "method": plan.name,
                        "specification_version": facts["specification_version"],
                        **main,
                        "input_ranges": ranges,
                        "size_bytes": facts["size_bytes"],
                    }
                )
    return found


# ---------------------------------------------------------------------------------------------------------------
# Host-side check (no Core ML): the exported program against the plain Hugging Face model.


def program_step(program: Any) -> Any:
    """A :data:`sdkgen.models.text_generation.StepFn` over ``program.module()`` (one shared cache): each call is
    one ``forward(input_ids [1, L], cache_position [start ..< start + L])``, as the LLM runner makes it."""
    import torch

    module = program.module()

    def step(ids: Sequence[int], pos: int) -> Any:
        with torch.no_grad():
            logits = module(
                torch.tensor([list(ids)], dtype=torch.long), torch.arange(pos, pos + len(ids), dtype=torch.long)
            )
        return logits[0].float().numpy()

    def reset() -> None:
        with torch.no_grad():
            for name, buf in module.named_buffers():
                if name in STATE_NAMES:
                    buf.zero_()

    step.reset = reset  # type: ignore[attr-defined]
    return step


def program_max_seq_len(program: Any) -> int:
    """The cache length of an exported :func:`runner_module` (the ``k_cache`` buffer's rows)."""
    return int(program.state_dict[STATE_NAMES[0]].shape[3])


def host_check(model: Any, program: Any, prompts: Sequence[Sequence[int]], max_new_tokens: int) -> dict[str, Any]:
    """Greedy tokens of the exported ``program`` (prompt in one call, then one token per call, no EOS stop)
    against :func:`sdkgen.runtimes.coreml.generative.hf_greedy`, per prompt.

    ``max_abs_logit_diff`` compares the program's per-step logits with the HF model's logits for the same
    tokens (one teacher-forced HF pass). ``passed`` when the tokens agree on every prompt. The program's cache
    buffers are zero again afterwards."""
    import numpy as np
    import torch

    from sdkgen.models.text_generation import greedy
    from sdkgen.runtimes.coreml.generative import hf_greedy

    for prompt in prompts:
        if not prompt or len(prompt) + max_new_tokens > program_max_seq_len(program):
            raise ConfigError(
                f"check prompt of {len(prompt)} tokens + {max_new_tokens} new tokens must fit in the cache",
                hint="use shorter check prompts or fewer check tokens",
            )
    step = program_step(program)
    results = []
    for prompt in prompts:
        step.reset()
        decoded = greedy(step, list(prompt), max_new_tokens, eos_ids=())
        expected = hf_greedy(model, prompt, max_new_tokens)
        tokens = list(prompt) + decoded.output_ids[:-1]
        with torch.no_grad():
            hf_rows = model(input_ids=torch.tensor([tokens], dtype=torch.long)).logits[0, len(prompt) - 1 :].numpy()
        diff = max(float(np.abs(a - b).max()) for a, b in zip(decoded.step_logits, hf_rows, strict=True))
        results.append(
            {"prompt_len": len(prompt), "hf": expected, "program": decoded.output_ids, "max_abs_logit_diff": diff}
        )
    step.reset()
    return {
        "passed": all(r["hf"] == r["program"] for r in results),
        "prompts": results,
        "executed": "the exported program (torch, float32), prompt in one forward call, then seq == 1 per token",
        "not_executed": "the Core ML delegate (float16 compute and float16 cache states)",
    }
