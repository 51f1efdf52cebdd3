"""Lower an exported program to a ``.pte`` with a delegate's partitioner."""

from __future__ import annotations

import contextlib
import itertools
import json
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sdkgen.errors import StageError
from sdkgen.toolchain import installed_version


def runtime_version() -> str:
    return installed_version("executorch", "executorch")


#: ``[coreml] compute_units`` -> ``coremltools.ComputeUnit`` name
COREML_COMPUTE_UNITS = {"all": "ALL", "cpu_only": "CPU_ONLY", "cpu_and_gpu": "CPU_AND_GPU", "cpu_and_ne": "CPU_AND_NE"}


def _partitioners(delegate: str, options: dict[str, Any]) -> list[Any]:
    if delegate == "xnnpack":
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner

        return [XnnpackPartitioner()]
    if delegate == "coreml":
        import coremltools as ct
        from executorch.backends.apple.coreml.compiler import CoreMLBackend
        from executorch.backends.apple.coreml.partition import CoreMLPartitioner

        specs = CoreMLBackend.generate_compile_specs(
            compute_unit=getattr(ct.ComputeUnit, COREML_COMPUTE_UNITS[options.get("compute_units", "all")]),
            minimum_deployment_target=ct.target.iOS17,
            compute_precision=ct.precision.FLOAT32,
            model_type=CoreMLBackend.MODEL_TYPE.MODEL,
        )
        return [CoreMLPartitioner(compile_specs=specs)]
    if delegate == "vulkan":
        from executorch.backends.vulkan.partitioner.vulkan_partitioner import VulkanPartitioner

        return [VulkanPartitioner()]
    raise StageError(
        f"sdkgen cannot lower to the {delegate!r} delegate yet",
        choices=["coreml", "vulkan", "xnnpack"],
        hint="choose another target; the delegate's SDK was found but its sdkgen lowering is not written yet",
    )


@contextlib.contextmanager
def deterministic_coreml(seed: str) -> Iterator[None]:
    """Make ExecuTorch's Core ML delegate blobs reproducible while lowering.

    Its preprocess names each delegated model ``executorch_<uuid4>`` (the device runtime's cache key for the
    compiled model) and coremltools writes random item identifiers into the package's ``Manifest.json``;
    both would change the ``.pte`` on every build. Inside this context the name is a UUID derived from
    ``seed`` (a content key of what is being lowered: different models get different names) and the
    manifest identifiers are derived from the item paths."""
    import coremltools as ct
    from executorch.backends.apple.coreml.compiler import coreml_preprocess

    from sdkgen.runtimes.coreml.backend import make_deterministic

    count = itertools.count()
    real_uuid, real_save = coreml_preprocess.uuid, ct.models.MLModel.save

    def save(self: Any, path: str, *args: Any, **kwargs: Any) -> None:
        real_save(self, path, *args, **kwargs)
        if (Path(path) / "Manifest.json").is_file():
            make_deterministic(Path(path))

    coreml_preprocess.uuid = types.SimpleNamespace(  # type: ignore[assignment]
        uuid4=lambda: uuid.uuid5(uuid.NAMESPACE_URL, f"sdkgen:{seed}:{next(count)}")
    )
    ct.models.MLModel.save = save
    try:
        yield
    finally:
        coreml_preprocess.uuid = real_uuid
        ct.models.MLModel.save = real_save


def lower_program(
    program_path: Path,
    delegate: str,
    constant_methods: dict[str, Any],
    out: Path,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Lower the saved ``torch.export`` program at ``program_path`` and write the ``.pte`` to ``out``;
    ``options`` are the delegate's settings (Core ML: ``compute_units``).

    Returns delegation facts: the delegate ids found in the program and how many call sites each has.
    """
    import torch
    from executorch.exir import EdgeCompileConfig, to_edge_transform_and_lower

    ep = torch.export.load(program_path)
    coreml = delegate == "coreml"
    seed = json.dumps([program_digest(ep), delegate, options or {}], sort_keys=True) if coreml else ""
    with deterministic_coreml(seed) if coreml else contextlib.nullcontext():
        edge = to_edge_transform_and_lower(
            ep,
            partitioner=_partitioners(delegate, options or {}),
            compile_config=EdgeCompileConfig(_check_ir_validity=False),
            constant_methods=constant_methods,
        )
    et = edge.to_executorch()
    out.write_bytes(et.buffer)
    return delegation_of(out)


def program_digest(ep: Any) -> str:
    """A digest of what an exported program computes: its graph code and its weights and constants.

    Not the ``.pt2`` file's digest: ``torch.export.save`` writes a random ``serialization_id`` and the
    Python ``id()`` of every module into the archive, so two exports of one model differ there (measured
    with torch 2.13), and a Core ML delegate named after the file would change on every build."""
    import hashlib

    import torch

    h = hashlib.sha256(ep.graph_module.code.encode())
    tensors = {**ep.state_dict, **ep.constants}

    def add(t: Any) -> None:
        if type(t) in (torch.Tensor, torch.nn.Parameter):
            t = t.detach().contiguous().cpu()
            h.update(f"{t.dtype}{tuple(t.shape)}".encode() + t.reshape(-1).view(torch.uint8).numpy().tobytes())
        elif hasattr(t, "__tensor_flatten__"):  # a tensor subclass (torchao's quantized weights): its parts
            names, context = t.__tensor_flatten__()
            h.update(f"{type(t).__name__}{context}".encode())
            for n in names:
                add(getattr(t, n))
        else:  # a script object (a packed kernel's state): its type is all that is stable
            h.update(type(t).__name__.encode())

    for name in sorted(tensors):
        h.update(name.encode() + b"\0")
        add(tensors[name])
    return h.hexdigest()


def delegation_of(pte: Path) -> dict[str, Any]:
    """Count delegate call sites per backend and non-delegated operators in a ``.pte``'s ``forward``."""
    from executorch.exir._serialize._program import deserialize_pte_binary

    pte_file = deserialize_pte_binary(pte.read_bytes())
    program = getattr(pte_file, "program", pte_file)
    result: dict[str, Any] = {}
    for plan in program.execution_plan:
        backends: dict[str, int] = {}
        for d in plan.delegates:
            backends[d.id] = backends.get(d.id, 0) + 1
        ops = sorted({op.name for op in plan.operators})
        kernels: dict[str, int] = {}
        delegate_calls = 0
        for chain in plan.chains:
            for ins in chain.instructions:
                kind = type(ins.instr_args).__name__
                if kind == "DelegateCall":
                    delegate_calls += 1
                elif kind == "KernelCall":
                    name = plan.operators[ins.instr_args.op_index].name
                    kernels[name] = kernels.get(name, 0) + 1
        calls = delegate_calls + sum(kernels.values())
        result[plan.name] = {
            "delegates": backends,
            "portable_operators": ops,
            "portable_calls": dict(sorted(kernels.items())),
            # Share of the method's executed calls that go to a delegate (a delegate call runs a whole subgraph).
            "delegated_call_share": round(delegate_calls / calls, 4) if calls else 0.0,
        }
    return result


def delegated_bytes(pte: Path) -> int:
    """Bytes of a ``.pte`` that belong to its delegates: their payloads plus the named weight data they
    load (XNNPACK keeps the linear layers' weights there); the rest is portable constants (embeddings)."""
    from executorch.exir._serialize._program import deserialize_pte_binary

    pte_file = deserialize_pte_binary(pte.read_bytes())
    named = pte_file.named_data
    payloads = sum(len(b.data) for b in pte_file.program.backend_delegate_data)
    return payloads + (sum(len(getattr(b, "buffer", b)) for b in named.buffers) if named is not None else 0)
