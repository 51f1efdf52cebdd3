"""Keras (``.keras``, ``.h5``) and SavedModel sources of the ``tensor`` task, run and exported with TensorFlow.

Contract:

- :func:`source_kind` tells a Keras file or a SavedModel folder (one holding ``saved_model.pb``) from other
  sources without importing TensorFlow (config validation uses it).
- Input shapes come from the model's input signature with the batch dimension fixed to 1; any other unknown
  dimension is a :class:`~sdkgen.errors.ModelLoadError`. Names are sanitised to ``[A-Za-z0-9_]`` identifiers
  starting with a letter, and inputs and outputs are ordered by those names: the order TensorFlow's TFLite
  converter writes a signature in, so the golden vectors, the ``.tflite`` signature and the buffers the
  generated SDK fills agree.
- Golden inputs are seeded (floats: standard normal; integers: zeros, a valid index for any embedding), the
  example first; eager outputs come from the Keras model itself or the SavedModel's ``serving_default``.
- :meth:`TfSource.export` writes a SavedModel whose ``serving_default`` has those names and static shapes.
- A missing TensorFlow is :class:`~sdkgen.errors.ToolchainMissing` naming the ``tensorflow`` extra.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sdkgen.cache import path_digest
from sdkgen.errors import ModelLoadError
from sdkgen.spec import TensorCase, TensorValue

if TYPE_CHECKING:
    from sdkgen.models.tensor import TensorModel

KERAS_SUFFIXES = (".keras", ".h5")
SIGNATURE = "serving_default"
DTYPES = ("float32", "int32", "int64")
GOLDEN_CASES = 3


def source_kind(source: str, root: Path) -> str | None:
    """``"keras"`` for a ``.keras``/``.h5`` path, ``"saved_model"`` for a folder holding ``saved_model.pb``
    (both relative to ``root``), else ``None``."""
    path = root / source
    if path.suffix.lower() in KERAS_SUFFIXES:
        return "keras"
    if (path / "saved_model.pb").is_file():
        return "saved_model"
    return None


def identifiers(names: Sequence[str], fallback: str) -> list[str]:
    """``names`` as unique identifiers: other characters become ``_``, a name not starting with a letter gets
    ``fallback`` in front, a repeated name a numeric suffix."""
    out: list[str] = []
    for raw in names:
        name = re.sub(r"[^A-Za-z0-9_]", "_", raw)
        if not name[:1].isalpha():
            name = fallback + name
        base, n = name, 2
        while name in out:
            name, n = f"{base}_{n}", n + 1
        out.append(name)
    return out


@dataclass(frozen=True)
class Port:
    """One input: the TensorFlow key it is fed by, its identifier, dtype and static shape."""

    key: str
    name: str
    dtype: str
    shape: tuple[int, ...]


class TfSource:
    """A loaded Keras model or SavedModel signature.

    ``inputs`` are ordered by name; :meth:`run` takes arrays in that order and returns ``(name, array)``
    pairs ordered by name; :meth:`export` writes the SavedModel the LiteRT backend converts."""

    def __init__(self, kind: str, obj: Any, inputs: list[Port], call: Callable[[dict[str, Any]], dict[str, Any]]):
        self.kind = kind
        self.obj = obj
        self.inputs = inputs
        self._call = call

    def count_params(self) -> int:
        if self.kind == "keras":
            return int(self.obj.count_params())
        return int(sum(v.shape.num_elements() or 0 for v in getattr(self.obj, "variables", ())))

    def _outputs(self, feed: dict[str, Any]) -> dict[str, Any]:
        outs = self._call(feed)
        names = identifiers(list(outs), "output_")
        return dict(sorted(zip(names, outs.values(), strict=True)))

    def run(self, arrays: Sequence[Any]) -> list[tuple[str, Any]]:
        tf = tensorflow()
        feed = {p.key: tf.constant(a) for p, a in zip(self.inputs, arrays, strict=True)}
        return [(n, t.numpy()) for n, t in self._outputs(feed).items()]

    def export(self, dest: Path) -> None:
        """A SavedModel at ``dest`` whose ``serving_default`` takes the inputs by name with static shapes.

        A Keras model goes through Keras' ``ExportArchive``, which hands its variables to the TFLite converter
        (a plain ``tf.saved_model.save`` of a Keras 3 model converts to NaN outputs with TensorFlow 2.21)."""
        tf = tensorflow()
        specs = [tf.TensorSpec(p.shape, p.dtype, name=p.name) for p in self.inputs]

        def serve(*args: Any) -> dict[str, Any]:
            return self._outputs({p.key: a for p, a in zip(self.inputs, args, strict=True)})

        if self.kind == "keras":
            import keras

            archive = keras.export.ExportArchive()
            archive.track(self.obj)
            archive.add_endpoint(SIGNATURE, serve, input_signature=specs)
            archive.write_out(str(dest), verbose=False)
            return
        root = tf.Module()
        root.source = self.obj
        function = tf.function(serve, input_signature=specs)
        tf.saved_model.save(root, str(dest), signatures={SIGNATURE: function.get_concrete_function()})


def tensorflow() -> Any:
    """TensorFlow, imported on first use with its C++ info logs off (unless ``TF_CPP_MIN_LOG_LEVEL`` is set)."""
    from sdkgen.toolchain import require_modules

    require_modules(("tensorflow",), "tensorflow", "a Keras or SavedModel model.source")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    return tf


def load_tf_source(source: str, root: Path) -> TensorModel:
    """The ``tensor`` task's model from a Keras file or SavedModel folder; see the module docstring."""
    from sdkgen.models.tensor import TensorModel

    path = (root / source).resolve()
    kind = source_kind(source, root)
    if not path.exists():
        raise ModelLoadError(
            f"model.source = {source!r}: {path} does not exist",
            hint="point model.source at a .keras/.h5 file or a SavedModel folder, relative to sdkgen.toml",
        )
    tf = tensorflow()
    src = _load_keras(source, path) if kind == "keras" else _load_saved_model(source, path)
    cases = _golden_inputs(src.inputs)
    return TensorModel(
        module=src,
        inputs=cases[0],
        input_names=[p.name for p in src.inputs],
        fingerprint=path_digest(path)[0],
        cases=cases,
        framework="tensorflow",
        framework_version=tf.__version__,
    )


def _load_keras(source: str, path: Path) -> TfSource:
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ModelLoadError(
            f"model.source = {source!r}: Keras runs on the {keras.backend.backend()!r} backend",
            hint="unset KERAS_BACKEND or set it to 'tensorflow'; the TFLite converter needs TensorFlow",
        )
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as e:  # a corrupt file or a custom layer Keras cannot rebuild
        raise ModelLoadError(
            f"model.source = {source!r}: Keras cannot load it: {e}",
            hint="save the model with model.save('model.keras'); register custom layers with "
            "@keras.saving.register_keras_serializable",
        ) from e
    tensors = getattr(model, "inputs", None)
    if not tensors:
        raise ModelLoadError(
            f"model.source = {source!r}: the Keras model has no input signature",
            hint="build the model from keras.Input(shape=...) (functional or Sequential) before saving it",
        )
    keys = [t.name for t in tensors]
    ports = _ports(source, keys, keys, [(t.dtype, t.shape) for t in tensors])

    def call(feed: dict[str, Any]) -> dict[str, Any]:
        out = model(feed if len(feed) > 1 else next(iter(feed.values())), training=False)
        if isinstance(out, dict):
            return dict(out)
        if isinstance(out, (list, tuple)):
            return {f"output_{i}": o for i, o in enumerate(out)}
        return {"output_0": out}

    return TfSource("keras", model, ports, call)


def _load_saved_model(source: str, path: Path) -> TfSource:
    tf = tensorflow()
    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as e:  # a corrupt SavedModel or one that needs custom ops
        raise ModelLoadError(
            f"model.source = {source!r}: TensorFlow cannot load the SavedModel: {e}",
            hint="write it with tf.saved_model.save or Keras model.export",
        ) from e
    if SIGNATURE not in loaded.signatures:
        raise ModelLoadError(
            f"model.source = {source!r}: the SavedModel has no {SIGNATURE!r} signature",
            choices=list(loaded.signatures),
            hint=f"save it with signatures={{{SIGNATURE!r}: ...}} (Keras model.export writes it)",
        )
    fn = loaded.signatures[SIGNATURE]
    specs = dict(sorted(fn.structured_input_signature[1].items()))
    ports = _ports(
        source, list(specs), [s.name or k for k, s in specs.items()], [(s.dtype.name, s.shape) for s in specs.values()]
    )

    def call(feed: dict[str, Any]) -> dict[str, Any]:
        return dict(fn(**feed))

    return TfSource("saved_model", loaded, ports, call)


def _ports(source: str, keys: list[str], names: list[str], specs: list[tuple[Any, Any]]) -> list[Port]:
    ports = []
    for key, name, (dtype, shape) in zip(keys, identifiers(names, "input_"), specs, strict=True):
        dtype = str(getattr(dtype, "name", dtype))
        if dtype not in DTYPES:
            raise ModelLoadError(
                f"model.source = {source!r}: input {key!r} has dtype {dtype}", choices=DTYPES, hint="cast it"
            )
        dims = list(shape) if shape is not None and getattr(shape, "rank", 0) is not None else None
        if dims is None or any(d is None for d in dims[1:]):
            raise ModelLoadError(
                f"model.source = {source!r}: input {key!r} has shape {dims}; only the batch (first) dimension "
                "may be unknown",
                hint="give every other dimension a size, e.g. keras.Input(shape=(128,)) or "
                "tf.TensorSpec([None, 128]) in the serving signature",
            )
        ports.append(Port(key, name, dtype, tuple(1 if d is None else int(d) for d in dims)))
    return sorted(ports, key=lambda p: p.name)


def _golden_inputs(ports: Sequence[Port], seed: int = 0) -> list[tuple[Any, ...]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    return [
        tuple(
            rng.standard_normal(p.shape).astype(p.dtype) if p.dtype == "float32" else np.zeros(p.shape, p.dtype)
            for p in ports
        )
        for _ in range(GOLDEN_CASES)
    ]


def tensor_cases(src: TfSource, cases: Sequence[Sequence[Any]]) -> list[TensorCase]:
    """The golden vectors: each case's inputs and TensorFlow's outputs."""
    result = []
    for case in cases:
        inputs = tuple(_value(p.name, a) for p, a in zip(src.inputs, case, strict=True))
        result.append(TensorCase(inputs, tuple(_value(n, a) for n, a in src.run(case))))
    return result


def _value(name: str, a: Any) -> TensorValue:
    dtype = str(a.dtype)
    if dtype not in DTYPES:
        raise ModelLoadError(f"output {name!r} has dtype {dtype}", choices=DTYPES, hint="cast the output")
    return TensorValue(name, dtype, tuple(int(d) for d in a.shape), tuple(a.reshape(-1).tolist()))
