"""Convert a tensor-task program to a Core ML ML program and check it structurally.

Conversion names the features after the model spec (inputs keep ``forward``'s names; outputs become
``output``, ``output1``, ...). Core ML has no int64 tensors: int64 inputs become int32 (the Swift binding
converts). ML programs compute in float16 by default, so float outputs are float16.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.runtimes.coreml import COMPUTE_UNITS
from sdkgen.spec import TensorCase
from sdkgen.toolchain import installed_version
from sdkgen.verify import Check, Runner

#: Core ML specification version of iOS 17 (the minimum deployment target written here).
IOS17_SPEC_VERSION = 8
_ARRAY_TYPES = {65568: "float32", 65552: "float16", 131104: "int32", 65600: "float64"}


def runtime_version() -> str:
    return installed_version("coremltools", "coreml")


def lower_tensor(
    program: Path, module: Any, inputs: tuple[Any, ...], delegate: str, out: Path, options: dict[str, Any]
) -> dict[str, Any]:
    """Convert ``program`` (the model before quantization) and compress its weights by ``options["recipe"]``
    (:mod:`.quantize`); an iOS 18 ML program when the recipe needs iOS 18 ops, else iOS 17."""
    import coremltools as ct
    import torch

    from sdkgen.runtimes.coreml.quantize import compress, needs_ios18

    recipe = options.get("recipe", "none")
    ep = _without_aliases(torch.export.load(program).run_decompositions())
    with contextlib.redirect_stderr(io.StringIO()):
        model = ct.convert(
            ep,
            minimum_deployment_target=ct.target.iOS18 if needs_ios18(recipe) else ct.target.iOS17,
            compute_units=getattr(ct.ComputeUnit, COMPUTE_UNITS[delegate][0]),
        )
        model, _ = compress(model, recipe, options.get("group_size", 32))
    spec = model.get_spec()
    for i, o in enumerate([o.name for o in spec.description.output]):
        ct.utils.rename_feature(spec, o, "output" if i == 0 else f"output{i}")
    ct.models.MLModel(spec, weights_dir=model.weights_dir, skip_model_load=True).save(str(out))
    make_deterministic(out)
    ops = _operations(out)
    return {"main": {"delegates": {f"CoreML ({COMPUTE_UNITS[delegate][2]})": 1}, "portable_operators": ops}}


def _without_aliases(ep: Any) -> Any:
    """Drop ``aten.alias`` nodes, which coremltools 9.0 cannot convert ("Unsupported fx node alias"). A
    full-length slice decomposes to one: BERT's ``position_ids[:, :seq_len]`` when an embedder is exported
    at its full ``max_position_embeddings``."""
    import torch

    graph = ep.graph_module.graph
    for node in list(graph.nodes):
        if node.op == "call_function" and node.target is torch.ops.aten.alias.default:
            node.replace_all_uses_with(node.args[0])
            graph.erase_node(node)
    ep.graph_module.recompile()
    return ep


#: Metadata coremltools writes that changes with the day of the build, not with the model: dropped.
VOLATILE_METADATA = ("com.github.apple.coremltools.conversion_date",)


def make_deterministic(package: Path) -> None:
    """Make a saved ``.mlpackage`` a function of the model only, so the same model always gives
    byte-identical packages (sdkgen's output is deterministic):

    - the random item identifiers coremltools writes into ``Manifest.json`` are replaced with ones derived
      from each item's path;
    - the model spec (``*.mlmodel``) loses the :data:`VOLATILE_METADATA` (the conversion date) and is
      serialized with sorted map entries: protobuf writes the ``userDefined`` metadata map in hash order,
      which differs between processes (measured: two conversions of one model differed only there).
    """
    manifest = package / "Manifest.json"
    data = json.loads(manifest.read_text())
    for item in data["itemInfoEntries"].values():
        if item["path"].endswith(".mlmodel"):
            _canonical_spec(package / "Data" / item["path"])
    ids = {
        old: str(uuid.uuid5(uuid.NAMESPACE_URL, f"sdkgen:{item['path']}"))
        for old, item in data["itemInfoEntries"].items()
    }
    data["itemInfoEntries"] = {ids[k]: v for k, v in sorted(data["itemInfoEntries"].items(), key=lambda kv: ids[kv[0]])}
    data["rootModelIdentifier"] = ids[data["rootModelIdentifier"]]
    manifest.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")


def _canonical_spec(spec_file: Path) -> None:
    """Rewrite a serialized Core ML model spec without volatile metadata, with map entries sorted."""
    from coremltools.proto import Model_pb2

    spec = Model_pb2.Model()
    spec.ParseFromString(spec_file.read_bytes())
    for name in VOLATILE_METADATA:
        spec.description.metadata.userDefined.pop(name, None)
    spec_file.write_bytes(spec.SerializeToString(deterministic=True))


def _spec(path: Path) -> Any:
    import coremltools as ct

    return ct.models.MLModel(str(path), skip_model_load=True).get_spec()


def _operations(path: Path) -> list[str]:
    spec = _spec(path)
    return sorted(
        {
            op.type
            for f in spec.mlProgram.functions.values()
            for b in f.block_specializations.values()
            for op in b.operations
        }
    )


def check_signature(artifact: Path, cases: Sequence[TensorCase]) -> Check:
    """Structure: feature names, dtypes and shapes, and an iOS 17 ML program."""
    spec = _spec(artifact)
    got_in = [
        (i.name, _ARRAY_TYPES.get(i.type.multiArrayType.dataType, "other"), list(i.type.multiArrayType.shape))
        for i in spec.description.input
    ]
    want_in = [(v.name, "int32" if v.dtype == "int64" else v.dtype, list(v.shape)) for v in cases[0].inputs]
    got_out = [o.name for o in spec.description.output]
    want_out = [v.name for v in cases[0].outputs]
    problems = []
    if got_in != want_in:
        problems.append(f"inputs {got_in} != {want_in}")
    if got_out != want_out:
        problems.append(f"outputs {got_out} != {want_out}")
    if spec.specificationVersion < IOS17_SPEC_VERSION or not spec.HasField("mlProgram"):
        problems.append(f"specification version {spec.specificationVersion} is not an iOS 17 ML program")
    return Check(
        "structure",
        "failed" if problems else "passed",
        "; ".join(problems)
        if problems
        else f"ML program, spec version {spec.specificationVersion} (iOS 17), inputs {got_in}, outputs {got_out}, "
        f"{len(_operations(artifact))} operation types",
    )


def open_runner(artifact: Path) -> Runner | str:
    """Predictions through coremltools on macOS; elsewhere the reason they cannot run."""
    if sys.platform != "darwin":
        return (
            "not executed here: Core ML predictions run only on macOS and iOS; the generated XCTest runs these "
            "golden vectors there"
        )
    import coremltools as ct
    import numpy as np

    model = ct.models.MLModel(str(artifact))
    spec = model.get_spec()
    names = [i.name for i in spec.description.input]
    outputs = [o.name for o in spec.description.output]

    def run(inputs: Sequence[Any]) -> list[Any]:
        # Core ML has no int64 features: the model takes int32, as the Swift binding feeds it.
        feed = {n: (a.astype(np.int32) if a.dtype == np.int64 else a) for n, a in zip(names, inputs, strict=True)}
        result = model.predict(feed)
        return [np.asarray(result[o], dtype=np.float64) for o in outputs]

    return run
