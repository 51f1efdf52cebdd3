"""Text generation on LiteRT: a Hugging Face Llama checkpoint as a ``.tflite`` with ``prefill`` and ``decode``
signatures over an external KV cache, and a host runner for it.

The model is re-authored with litert-torch's generative API (``litert_torch.generative``): the HF config is
mapped onto its ``ModelConfig`` (a ``DecoderOnlyModel`` with gated SiLU FFN, RMSNorm, GQA, split-half RoPE)
and the safetensors are loaded with its ``ModelLoader`` (HF tensor names, q/k/v fused per KV group). Then the
two signatures are traced with the layout litert-torch's own converter produces
(``litert_torch.generative.utilities.converter``), under the names ``prefill`` and ``decode``:

========== ===================================================== ===========================================
signature  inputs                                                outputs
========== ===================================================== ===========================================
prefill    ``tokens`` int32 [1, P], ``input_pos`` int32 [P],     ``kv_cache_k_i`` / ``kv_cache_v_i``
           ``kv_cache_k_i`` / ``kv_cache_v_i`` float32            (the updated cache, same shapes); no logits
           [1, S, kv_heads, head_dim] for each layer i
decode     ``tokens`` int32 [1, 1], ``input_pos`` int32 [1],     ``logits`` float32 [1, 1, vocab], the cache
           the cache as above
========== ===================================================== ===========================================

``P`` is ``prefill_len``, ``S`` is ``max_seq_len`` (prompt plus generated tokens). The driver's protocol
(what :func:`litert_step` does, and what a mobile binding must do; litert-torch's prefill gives no logits):

- Start with every cache tensor zeroed; after each call feed the output cache back as the next input cache.
- ``input_pos`` holds the absolute positions of ``tokens``: ``[p, p+1, ..., p+P-1]`` for prefill, ``[p]``
  for decode. The graph writes the new keys/values at ``input_pos[0]`` (a dynamic-update-slice of length P
  or 1) and builds the causal mask itself from ``input_pos`` (no mask input), so positions > ``p`` are never
  read.
- Every prompt token but the last fills the cache through ``prefill``; the last one goes through ``decode``,
  whose logits pick the first new token. A part shorter than ``P`` is right-padded (any id; 0 here) with
  positions continuing past it: the padding's cache rows are garbage that later calls overwrite before any
  query can see them. A longer part is prefilled in chunks of ``P``. A chunk must end at or before ``S``
  (``p + P <= S``): past it the slice would be clamped and the cache corrupted, so tail tokens that do not
  fit (and a part of one token) are fed through ``decode`` one by one.

Heavy imports (torch, litert_torch, ai_edge_litert, numpy) live inside the functions.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sdkgen.errors import ConfigError, ModelLoadError, OutputPathError
from sdkgen.models.text_generation import StepFn, greedy, teacher_forced

PREFILL = "prefill"
DECODE = "decode"
TOKENS = "tokens"
INPUT_POS = "input_pos"
LOGITS = "logits"
#: Cache tensor names: ``kv_cache_k_{layer}`` and ``kv_cache_v_{layer}`` (inputs and outputs alike).
KV_PREFIX = "kv_cache_"
#: litert-torch's default cache layout: [batch, sequence, kv heads, head dim] for K and V.
KV_LAYOUT = "BTNH"
#: The HF architectures this module re-authors (checked at config time by the text-generation task).
ARCHITECTURES = ("LlamaForCausalLM",)
_ROPE_TYPES = ("default", "llama3")


def kv_cache_names(num_layers: int) -> list[str]:
    """The cache tensor names in signature order: ``k_0, v_0, k_1, v_1, ...`` with :data:`KV_PREFIX`."""
    return [f"{KV_PREFIX}{kind}_{i}" for i in range(num_layers) for kind in ("k", "v")]


def convert_causal_lm(
    checkpoint: Path, out: Path, *, max_seq_len: int, prefill_len: int, quantize: str = "none", group_size: int = 32
) -> dict[str, Any]:
    """Convert the HF Llama checkpoint folder ``checkpoint`` to ``out`` (a ``.tflite``) and describe it.

    ``max_seq_len`` is the KV cache length (prompt plus generated tokens); ``prefill_len`` the number of
    tokens one ``prefill`` call takes (``1 <= prefill_len <= max_seq_len``). ``quantize`` is a recipe of
    :data:`sdkgen.runtimes.litert.quantize.RECIPES` (``"none"`` keeps float32), ``group_size`` its int4
    block. ``out`` is written whole or not at all.

    Returns JSON-ready facts: ``signatures`` (per name, ``inputs`` and ``outputs`` as lists of
    ``{name, dtype, shape}``), ``bytes``, ``operators`` (builtin operators over all subgraphs),
    ``composites`` (``STABLEHLO_COMPOSITE`` names such as ``odml.scaled_dot_product_attention``),
    ``kv_cache`` (names, layout, shape), ``model`` (the mapped config), ``seconds`` and versions.

    Raises :class:`ConfigError` for an unsupported architecture or bad lengths, :class:`ModelLoadError` when
    the weights do not map onto the re-authored model, :class:`OutputPathError` when ``out`` can't be written.
    """
    checkpoint, out = Path(checkpoint), Path(out)
    hf = _read_config(checkpoint)
    _check_lengths(max_seq_len, prefill_len)
    from sdkgen.runtimes.litert.quantize import quant_config

    quant_config(quantize, group_size)  # refuses a recipe LiteRT cannot express before the slow conversion
    if not out.parent.is_dir():
        raise OutputPathError(f"the folder of {out} does not exist", hint="create it first")
    mapped = map_llama_config(hf)

    import litert_torch
    import torch

    started = time.perf_counter()
    model, config = _build_model(checkpoint, hf, max_seq_len)
    zero_blocks = _fill_zero_blocks(model, group_size) if quantize in ("int8", "8da8w", "8da4w") else 0
    with _tensorflow_schema_shim():
        from litert_torch.generative.layers import kv_cache as kv_utils
        from litert_torch.generative.utilities import converter as gen_converter
        from litert_torch.generative.utilities.export_config import ExportConfig

    # litert-torch's default: prefill returns only the cache (no final norm and LM head over every prompt
    # row, no [1, P, vocab] output to copy), and its graph drops the last layer's unused FFN.
    module = gen_converter.ExportableModule(model, export_config=ExportConfig()).eval()
    kv = kv_utils.KVCache.from_model_config(max_seq_len, config)
    conv = litert_torch.Converter()
    conv.add_signature(
        PREFILL,
        module,
        sample_kwargs={
            TOKENS: torch.zeros((1, prefill_len), dtype=torch.int32),
            INPUT_POS: torch.arange(prefill_len, dtype=torch.int32),
            "kv_cache": kv,
        },
    )
    conv.add_signature(
        DECODE,
        module,
        sample_kwargs={
            TOKENS: torch.zeros((1, 1), dtype=torch.int32),
            INPUT_POS: torch.zeros((1,), dtype=torch.int32),
            "kv_cache": kv,
        },
    )
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with _quiet_litert_torch(), _no_module_path_names():
            edge = conv.convert(quant_config=quant_config(quantize, group_size, config))
            edge.export(str(tmp))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - started

    from sdkgen.runtimes.litert.backend import runtime_version

    operators, composites = _operator_set(out)
    return {
        "route": "litert_torch.generative re-authored DecoderOnlyModel + ModelLoader (HF safetensors)",
        "signatures": describe_signatures(out),
        "bytes": out.stat().st_size,
        "operators": operators,
        "composites": composites,
        "kv_cache": {
            "names": kv_cache_names(mapped["num_layers"]),
            "layout": KV_LAYOUT,
            "shape": [1, max_seq_len, mapped["num_kv_heads"], mapped["head_dim"]],
            "dtype": "float32",
        },
        "max_seq_len": max_seq_len,
        "prefill_len": prefill_len,
        "quantize": quantize,
        "zero_blocks_filled": zero_blocks,
        **({"group_size": group_size} if quantize == "8da4w" else {}),
        "model": mapped,
        "seconds": round(seconds, 2),
        "litert_torch_version": litert_torch.__version__,
        "runtime_version": runtime_version(),
    }


def _fill_zero_blocks(model: Any, block: int) -> int:
    """Give every all-zero block (``block`` weights of a row, or the whole row when it does not divide) of a
    weight matrix one weight of ``max|W| / 1024`` and return how many blocks there were.

    An all-zero block (a padding token's embedding row, tied to the output layer) gets a quantization scale
    of 0, which LiteRT's XNNPACK delegate refuses ("unsupported scale value (0.000000) in channel 0 for INT4
    tensor", measured); the scales are stored in float16, so the filler must be a normal float16 after
    scaling. The block's outputs move by that one small weight."""
    import torch

    filled = 0
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() != 2 or not (p == 0).any():
                continue
            size = block if p.shape[1] % block == 0 else p.shape[1]
            blocks = p.view(p.shape[0], -1, size)
            zero = (blocks == 0).all(dim=2)
            if zero.any():
                blocks[..., 0][zero] = float(p.abs().max()) / 1024
                filled += int(zero.sum())
    return filled


def map_llama_config(hf: dict[str, Any]) -> dict[str, Any]:
    """The fields of an HF Llama ``config.json`` that the re-authored model uses, checked.

    Raises :class:`ConfigError` for anything the mapping does not cover (another architecture, an activation
    other than SiLU, a RoPE type other than :data:`_ROPE_TYPES`)."""
    arch = (hf.get("architectures") or ["?"])[0]
    if arch not in ARCHITECTURES and hf.get("model_type") != "llama":
        raise ConfigError(
            f"LiteRT text generation supports Llama checkpoints, not {arch!r}",
            choices=ARCHITECTURES,
            hint="use a LlamaForCausalLM checkpoint (SmolLM and TinyLlama are Llama) or another target",
        )
    act = hf.get("hidden_act", "silu")
    if act != "silu":
        raise ConfigError(f"hidden_act {act!r} is not supported", choices=("silu",), hint="Llama uses silu")
    rope = dict(hf.get("rope_parameters") or hf.get("rope_scaling") or {})
    rope_type = rope.get("rope_type", rope.get("type", "default"))
    if rope_type not in _ROPE_TYPES:
        raise ConfigError(
            f"rope_type {rope_type!r} is not supported", choices=_ROPE_TYPES, hint="use a checkpoint without it"
        )
    heads = int(hf["num_attention_heads"])
    return {
        "vocab_size": int(hf["vocab_size"]),
        "num_layers": int(hf["num_hidden_layers"]),
        "hidden_size": int(hf["hidden_size"]),
        "intermediate_size": int(hf["intermediate_size"]),
        "num_heads": heads,
        "num_kv_heads": int(hf.get("num_key_value_heads") or heads),
        "head_dim": int(hf.get("head_dim") or int(hf["hidden_size"]) // heads),
        "rope_theta": float(rope.get("rope_theta", hf.get("rope_theta", 10000.0))),
        "rope_type": rope_type,
        "rope_scaling": {k: rope[k] for k in sorted(rope) if k not in ("rope_theta", "rope_type", "type")},
        "rms_norm_eps": float(hf.get("rms_norm_eps", 1e-6)),
        "tie_word_embeddings": bool(hf.get("tie_word_embeddings", False)),
        "attention_bias": bool(hf.get("attention_bias", False)),
        "mlp_bias": bool(hf.get("mlp_bias", False)),
    }


def describe_signatures(tflite: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each signature's ``inputs`` and ``outputs`` as ``{name, dtype, shape}``, in tensor-index order."""
    import numpy as np

    interp = _interpreter(tflite)
    result = {}
    for key in sorted(interp.get_signature_list()):
        runner = interp.get_signature_runner(key)

        def rows(details: dict[str, Any]) -> list[dict[str, Any]]:
            return [
                {"name": n, "dtype": str(np.dtype(d["dtype"])), "shape": [int(x) for x in d["shape"]]}
                for n, d in sorted(details.items(), key=lambda kv: kv[1]["index"])
            ]

        result[key] = {"inputs": rows(runner.get_input_details()), "outputs": rows(runner.get_output_details())}
    return result


def litert_step(tflite: Path, *, every_row: bool = False) -> StepFn:
    """A stateful :data:`~sdkgen.models.text_generation.StepFn` over the ``.tflite``'s two signatures.

    ``step(ids, pos)`` feeds ``ids`` at positions ``pos...`` and keeps the cache between calls; ``pos == 0``
    starts a new sequence. It returns the float32 logits of the last id, ``[1, vocab]``: the ids before it
    fill the cache through ``prefill`` (padded, chunked; see the module docstring), the last one goes through
    ``decode``. With ``every_row`` every id goes through ``decode`` and the result is ``[len(ids), vocab]``
    (what a perplexity needs; ``prefill`` gives no logits). Calls must follow the sequence (each ``pos`` is
    the previous ``pos + len(ids)``, or 0). Raises :class:`ConfigError` when ``pos + len(ids)`` exceeds the
    cache length.
    """
    import numpy as np

    interp = _interpreter(tflite)
    missing = {PREFILL, DECODE} - set(interp.get_signature_list())
    if missing:
        raise ModelLoadError(
            f"{tflite} has no {sorted(missing)} signature(s): {sorted(interp.get_signature_list())}",
            hint="convert it with sdkgen.runtimes.litert.generative.convert_causal_lm",
        )
    prefill, decode = interp.get_signature_runner(PREFILL), interp.get_signature_runner(DECODE)
    details = decode.get_input_details()
    kv_names = sorted((n for n in details if n.startswith(KV_PREFIX)), key=lambda n: details[n]["index"])
    max_len = int(details[kv_names[0]]["shape"][1])
    chunk = int(prefill.get_input_details()[TOKENS]["shape"][1])
    state: dict[str, Any] = {"cache": None, "next": 0}

    def run(runner: Any, tokens: list[int], positions: list[int]) -> Any:
        outs = runner(
            **{TOKENS: np.asarray([tokens], dtype=np.int32), INPUT_POS: np.asarray(positions, dtype=np.int32)},
            **state["cache"],
        )
        state["cache"] = {n: outs[n] for n in kv_names}
        return outs.get(LOGITS)

    def step(ids: Sequence[int], pos: int) -> Any:
        ids = [int(i) for i in ids]
        if not ids:
            raise ConfigError("step() needs at least one token", hint="pass the prompt's ids")
        if pos + len(ids) > max_len:
            raise ConfigError(
                f"positions {pos}..{pos + len(ids) - 1} exceed the KV cache of {max_len}",
                hint="convert with a larger max_seq_len or generate fewer tokens",
            )
        if pos == 0:
            state["cache"] = {n: np.zeros(details[n]["shape"], dtype=details[n]["dtype"]) for n in kv_names}
        elif pos != state["next"]:
            raise ConfigError(f"step at position {pos}, expected {state['next']}", hint="restart at position 0")
        state["next"] = pos + len(ids)
        if every_row:
            rows = [run(decode, [t], [pos + j])[0] for j, t in enumerate(ids)]
            return np.concatenate(rows).astype(np.float32, copy=False)
        *head, last = ids
        i = 0
        while i < len(head):
            part, start = head[i : i + chunk], pos + i
            if len(part) > 1 and start + chunk <= max_len:
                run(prefill, part + [0] * (chunk - len(part)), list(range(start, start + chunk)))
                i += len(part)
            else:  # one token, or a padded chunk would run past the cache: decode is the cheaper call
                run(decode, [part[0]], [start])
                i += 1
        return np.asarray(run(decode, [last], [pos + len(head)])[0], dtype=np.float32)

    return step


def greedy_generate(tflite: Path, prompt_ids: list[int], max_new_tokens: int, eos_ids: Sequence[int]) -> list[int]:
    """Greedy (argmax) generation: prefill ``prompt_ids``, then decode until an id in ``eos_ids`` (excluded
    from the result) or ``max_new_tokens`` ids. The same loop as the eager golden vectors
    (:func:`sdkgen.models.text_generation.greedy`)."""
    return greedy(litert_step(tflite), prompt_ids, max_new_tokens, eos_ids).output_ids


def teacher_forced_logits(tflite: Path, prompt_ids: Sequence[int], continuation_ids: Sequence[int]) -> Any:
    """float32 logits ``[len(continuation_ids) + 1, vocab]``: row 0 after the prompt, row ``k`` after forcing
    ``continuation_ids[:k]``; the contract of :func:`sdkgen.models.text_generation.teacher_forced`."""
    import numpy as np

    return np.stack(teacher_forced(litert_step(tflite), prompt_ids, continuation_ids)).astype(np.float32)


# --- internals -------------------------------------------------------------------------------------------


def _read_config(checkpoint: Path) -> dict[str, Any]:
    path = checkpoint / "config.json"
    if not path.is_file():
        raise ModelLoadError(f"{checkpoint} has no config.json", hint="point at a Hugging Face checkpoint folder")
    if not any(checkpoint.glob("*.safetensors")):
        raise ModelLoadError(f"{checkpoint} has no *.safetensors", hint="save the model with safe_serialization=True")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ModelLoadError(f"{path} is not valid JSON: {e}", hint="copy the checkpoint again") from e
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} is not a JSON object", hint="copy the checkpoint again")
    return data


def _check_lengths(max_seq_len: int, prefill_len: int) -> None:
    if not isinstance(max_seq_len, int) or max_seq_len < 2:
        raise ConfigError(f"max_seq_len must be an integer >= 2, got {max_seq_len!r}", hint="e.g. 128")
    if not isinstance(prefill_len, int) or not 1 <= prefill_len <= max_seq_len:
        raise ConfigError(
            f"prefill_len must be an integer in 1..max_seq_len ({max_seq_len}), got {prefill_len!r}",
            hint="e.g. 32; longer prompts are prefilled in chunks",
        )


@contextlib.contextmanager
def _tensorflow_schema_shim() -> Iterator[None]:
    """Let ``litert_torch.generative`` import without TensorFlow.

    Its ``layers/lora.py`` (imported by every generative layer) does ``from tensorflow.lite.python import
    schema_py_generated`` only to read LoRA weights from a flatbuffer; without TensorFlow that raises
    ``ModuleNotFoundError: No module named 'tensorflow'``. The same generated schema ships in ai_edge_litert,
    so it is aliased for the import and the stand-in ``tensorflow`` modules are removed afterwards (libraries
    that probe for TensorFlow must not find a fake one)."""
    import importlib.util

    if "litert_torch.generative.layers.lora" in sys.modules or importlib.util.find_spec("tensorflow") is not None:
        yield
        return
    import ai_edge_litert.schema_py_generated as schema

    fakes: dict[str, types.ModuleType] = {n: types.ModuleType(n) for n in ("tensorflow", "tensorflow.lite")}
    python = types.ModuleType("tensorflow.lite.python")
    python.schema_py_generated = schema  # type: ignore[attr-defined]
    fakes["tensorflow.lite.python"] = python
    fakes["tensorflow.lite.python.schema_py_generated"] = schema
    sys.modules.update(fakes)
    try:
        yield
    finally:
        for name, mod in fakes.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]


@contextlib.contextmanager
def _no_module_path_names() -> Iterator[None]:
    """Convert without litert-torch's module-path locations, which become the ``.tflite``'s tensor names.

    litert-torch names every tensor after the module path it came from
    (``litert_torch.generative.utilities.converter.ExportableModule/...DecoderOnlyModel_module/...``, several
    hundred bytes each): 1.8 MB of the SmolLM2-135M-shaped model (measured) and half of a small one's file,
    strings the interpreter never reads. Without a location (``build_mlir_debuginfo`` returning ``None``, as
    for a node without a module stack) the converter names tensors after their operation. Signatures map
    their own names to tensor indices, so drivers are unaffected."""
    from litert_torch.backend import debuginfo

    original = getattr(debuginfo, "build_mlir_debuginfo", None)
    if original is None:  # another litert-torch layout: keep its names
        yield
        return
    debuginfo.build_mlir_debuginfo = lambda node: None
    try:
        yield
    finally:
        debuginfo.build_mlir_debuginfo = original


@contextlib.contextmanager
def _quiet_litert_torch() -> Iterator[None]:
    """litert-torch prints a progress tree to stdout; keep the caller's stdout clean."""
    import litert_torch

    before = os.environ.get("LITERT_TORCH_SHOW_PROGRESS")
    litert_torch.config.show_progress = False
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        if before is None:
            os.environ.pop("LITERT_TORCH_SHOW_PROGRESS", None)
        else:
            os.environ["LITERT_TORCH_SHOW_PROGRESS"] = before


def _build_model(checkpoint: Path, hf: dict[str, Any], max_seq_len: int) -> tuple[Any, Any]:
    """The re-authored ``DecoderOnlyModel`` (eval, float32) with the checkpoint's weights, and its config."""
    m = map_llama_config(hf)
    with _tensorflow_schema_shim():
        from litert_torch.generative.layers import model_config as cfg
        from litert_torch.generative.utilities import loader as loading
        from litert_torch.generative.utilities import model_builder

    norm = cfg.NormalizationConfig(type=cfg.NormalizationType.RMS_NORM, epsilon=m["rms_norm_eps"])
    block = cfg.TransformerBlockConfig(
        attn_config=cfg.AttentionConfig(
            num_heads=m["num_heads"],
            head_dim=m["head_dim"],
            num_query_groups=m["num_kv_heads"],
            rotary_base=m["rope_theta"],  # type: ignore[arg-type]  # used as float(base)
            rotary_percentage=1.0,
            qkv_use_bias=m["attention_bias"],
            output_proj_use_bias=m["attention_bias"],
        ),
        ff_config=cfg.FeedForwardConfig(
            type=cfg.FeedForwardType.GATED,
            activation=cfg.ActivationConfig(cfg.ActivationType.SILU),
            intermediate_size=m["intermediate_size"],
            use_bias=m["mlp_bias"],
        ),
        pre_attention_norm_config=norm,
        post_attention_norm_config=norm,
    )
    config = cfg.ModelConfig(
        vocab_size=m["vocab_size"],
        num_layers=m["num_layers"],
        max_seq_len=max_seq_len,
        embedding_dim=m["hidden_size"],
        block_configs=block,
        final_norm_config=norm,
        lm_head_share_weight_with_embedding=m["tie_word_embeddings"],
    )
    if m["rope_type"] == "llama3":
        config.build_rope = _llama3_rope(m["rope_scaling"])
    names = model_builder.TENSOR_NAMES if m["tie_word_embeddings"] else model_builder.TENSOR_NAMES_WITH_SEPARATE_LM_HEAD
    model = model_builder.DecoderOnlyModel(config, mask_cache_size=max_seq_len)
    try:
        # strict=False: a tied checkpoint has no lm_head tensor; what is missing is checked below instead.
        missing, unexpected = loading.ModelLoader(str(checkpoint), names).load(model, strict=False)
    except (KeyError, RuntimeError, ValueError) as e:
        raise ModelLoadError(
            f"the weights in {checkpoint} do not map onto a Llama model: {e}",
            hint="check config.json against the safetensors (layer count, heads, biases)",
        ) from e
    allowed = {"lm_head.weight"} if m["tie_word_embeddings"] else set()
    missing = [k for k in missing if k not in allowed]
    if missing or unexpected:
        raise ModelLoadError(
            f"the weights in {checkpoint} do not fill the model: missing {missing}, unexpected {unexpected}",
            hint="check config.json against the safetensors",
        )
    return model.eval(), config


def _llama3_rope(scaling: dict[str, Any]) -> Any:
    """Llama 3's frequency-scaled RoPE (litert-torch's Llama 3.2 example), from HF ``rope_parameters``."""
    import functools

    import torch

    with _tensorflow_schema_shim():
        from litert_torch.generative.examples.llama import llama

    return functools.partial(
        llama._build_llama3_rope_cache,
        condense_ratio=1,
        dtype=torch.float32,
        device=torch.device("cpu"),
        factor=float(scaling["factor"]),
        low_freq_factor=float(scaling["low_freq_factor"]),
        high_freq_factor=float(scaling["high_freq_factor"]),
        max_seq_len=int(scaling["original_max_position_embeddings"]),
    )


def _interpreter(tflite: Path) -> Any:
    from ai_edge_litert.interpreter import Interpreter

    try:
        return Interpreter(model_path=str(tflite))
    except Exception as e:  # the interpreter raises ValueError or RuntimeError for bad files
        raise ModelLoadError(f"{tflite} is not a loadable LiteRT model: {e}", hint="convert it again") from e


def _operator_set(tflite: Path) -> tuple[list[str], list[str]]:
    """Builtin operator names over every subgraph, and the names of the StableHLO composites."""
    from ai_edge_litert import schema_py_generated as fb

    buf = Path(tflite).read_bytes()
    model = fb.Model.GetRootAs(buf, 0)
    names = {v: k for k, v in vars(fb.BuiltinOperator).items() if not k.startswith("_")}
    codes = []
    for i in range(model.OperatorCodesLength()):
        oc = model.OperatorCodes(i)
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        custom = oc.CustomCode()
        codes.append(custom.decode() if custom else names.get(code, str(code)))
    operators, composites = set(), set()
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        for j in range(graph.OperatorsLength()):
            op = graph.Operators(j)
            operators.add(codes[op.OpcodeIndex()])
            if op.BuiltinOptions2Type() == fb.BuiltinOptions2.StableHLOCompositeOptions:
                opts = fb.StableHLOCompositeOptions()
                table = op.BuiltinOptions2()
                opts.Init(table.Bytes, table.Pos)
                composites.add(opts.Name().decode())
    return sorted(operators), sorted(composites)
