"""Python factories: ``module:function`` returning ``(torch.nn.Module, example_inputs)``.

``example_inputs`` is a tuple of tensors (names come from ``forward``'s parameters) or a dict of name to
tensor in ``forward``'s order. The module is imported from the config file's folder first.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError


@dataclass
class FactoryModel:
    """The module (eval mode, no grad), its example inputs, their names, and a content fingerprint."""

    module: Any
    inputs: tuple[Any, ...]
    input_names: list[str]
    fingerprint: str


def load_factory(source: str, root: Path) -> FactoryModel:
    import torch

    module_name, _, fn_name = source.partition(":")
    root_dir = str(root.resolve())
    existing = sys.modules.get(module_name)
    if existing is not None and not str(getattr(existing, "__file__", "") or "").startswith(root_dir):
        del sys.modules[module_name]  # a module of the same name from another project
    sys.path.insert(0, root_dir)
    try:
        pymod = importlib.import_module(module_name)
    except Exception as e:  # an import runs user code: any error is a load error
        raise ModelLoadError(
            f"model.source {source!r}: cannot import {module_name!r}: {e}",
            hint=f"put {module_name.replace('.', '/')}.py next to sdkgen.toml or install it in this environment",
        ) from e
    finally:
        sys.path.remove(root_dir)
    fn = getattr(pymod, fn_name, None)
    if not callable(fn):
        raise ModelLoadError(
            f"model.source {source!r}: {module_name!r} has no function {fn_name!r}",
            choices=[n for n, v in vars(pymod).items() if inspect.isfunction(v) and not n.startswith("_")],
            hint="name a function that returns (module, example_inputs)",
        )
    result = fn()
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], torch.nn.Module)):
        raise ModelLoadError(
            f"model.source {source!r} returned {type(result).__name__}, not (torch.nn.Module, example_inputs)",
            hint="return the module and a tuple (or dict) of example input tensors",
        )
    module, example = result
    params = [p for p in inspect.signature(module.forward).parameters if p != "self"]
    if isinstance(example, dict):
        names, inputs = list(example), tuple(example.values())
    else:
        inputs = tuple(example) if isinstance(example, (tuple, list)) else (example,)
        names = params[: len(inputs)] if len(params) >= len(inputs) else [f"input{i}" for i in range(len(inputs))]
    if not inputs or not all(isinstance(t, torch.Tensor) for t in inputs):
        raise ModelLoadError(
            f"model.source {source!r}: example inputs must be tensors",
            hint="return e.g. (module, (torch.randn(1, 16),))",
        )
    module.eval()
    module.requires_grad_(False)
    h = hashlib.sha256(Path(inspect.getfile(pymod)).read_bytes())
    for k, v in sorted(module.state_dict().items()):
        h.update(k.encode() + v.detach().contiguous().numpy().tobytes())
    for t in inputs:
        h.update(str((t.dtype, tuple(t.shape))).encode() + t.contiguous().numpy().tobytes())
    return FactoryModel(module, inputs, names, h.hexdigest())
