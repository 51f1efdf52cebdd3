"""Map a recipe onto litert-torch's quantization (ai-edge-quantizer under the hood), applied while the
converter writes the ``.tflite``.

==========  =====================================================================
``fp16``    float16 weights (``full_fp16_recipe``)
``int8``    weight-only int8 per channel (``full_weight_only_recipe``)
``8da8w``   dynamic-range int8: int8 per-channel weights, activations quantized at run time
``8da4w``   dynamic-range int4 weights in blocks of ``group_size`` (32, 64, 128, 256)
==========  =====================================================================

These are the schemes of litert-torch 0.10.0's ``get_supported_layer_schemes``; weight-only int4 is not
one of them. A re-authored LLM takes litert-torch's recipe (:func:`quant_config`, every supported operator);
a tensor-task model gets the same schemes on its weighted operators only (:func:`quantize_tflite`): LiteRT
2.3.0 refuses block-wise int4 on ``CONV_2D`` ("Blockwise quantization details are missing") and the
all-operator default breaks a BERT encoder (both measured), and ExecuTorch's recipes quantize linear layers
only too.
"""

from __future__ import annotations

from typing import Any

from sdkgen.errors import ConfigError

RECIPES = ("none", "fp16", "int8", "8da8w", "8da4w")


def quant_config(recipe: str, group_size: int = 32, model_config: Any = None) -> Any:
    """litert-torch's ``QuantConfig`` for ``recipe`` (``None`` for ``"none"``); ``model_config`` is the
    generative model's config when converting a re-authored LLM (it scopes the recipe to its layers)."""
    if recipe not in RECIPES:
        raise ConfigError(f"LiteRT cannot express recipe {recipe!r}", choices=RECIPES, hint="see compress.targets")
    if recipe == "none":
        return None
    from litert_torch.generative.quantize import quant_attrs, quant_recipes

    if recipe == "fp16":
        return quant_recipes.full_fp16_recipe(mcfg=model_config)
    if recipe == "int8":
        return quant_recipes.full_weight_only_recipe(mcfg=model_config)
    if recipe == "8da8w":
        return quant_recipes.full_dynamic_recipe(mcfg=model_config)
    return quant_recipes.full_dynamic_recipe(
        mcfg=model_config, weight_dtype=quant_attrs.Dtype.INT4, granularity=_blocks(quant_attrs.Granularity, group_size)
    )


def _blocks(granularities: Any, group_size: int) -> Any:
    """The ``BLOCKWISE_<group_size>`` member of ``granularities`` (litert-torch's or ai-edge-quantizer's enum)."""
    granularity = getattr(granularities, f"BLOCKWISE_{group_size}", None)
    if granularity is None:
        raise ConfigError(
            f"LiteRT's int4 blocks are 32, 64, 128 or 256 weights, not compress.group_size = {group_size}",
            hint="set compress.group_size to 32, 64, 128 or 256",
        )
    return granularity


#: Operators a tensor model's recipe quantizes (:func:`quantize_tflite`): the weighted ones. Block-wise int4
#: on convolutions is refused by LiteRT, and litert-torch's all-operator default breaks a BERT encoder
#: ("Input tensor 117 lacks data" at load, measured on all-MiniLM-L6-v2).
TENSOR_OPERATORS = {
    "fp16": ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D"),
    "int8": ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D"),
    "8da8w": ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D"),
    "8da4w": ("FULLY_CONNECTED",),
}


def quantize_tflite(model: bytes, recipe: str, group_size: int = 32) -> bytes:
    """``model`` (a float ``.tflite``) with ``recipe`` applied to the weights of :data:`TENSOR_OPERATORS`,
    through ai-edge-quantizer's recipe manager (the quantizer litert-torch drives); ``"none"`` returns it."""
    if recipe == "none":
        return model
    if recipe not in TENSOR_OPERATORS:
        raise ConfigError(f"LiteRT cannot express recipe {recipe!r}", choices=RECIPES, hint="see compress.targets")
    import ai_edge_quantizer as aeq
    from ai_edge_quantizer import qtyping

    algorithm = aeq.algorithm_manager.AlgorithmName
    if recipe == "fp16":
        weights = qtyping.TensorQuantizationConfig(
            num_bits=16,
            symmetric=True,
            granularity=qtyping.QuantGranularity.TENSORWISE,
            dtype=qtyping.TensorDataType.FLOAT,
        )
        precision, explicit, algo = qtyping.ComputePrecision.FLOAT, True, algorithm.FLOAT_CASTING
    else:
        bits = 4 if recipe == "8da4w" else 8
        granularity = (
            _blocks(qtyping.QuantGranularity, group_size) if recipe == "8da4w" else qtyping.QuantGranularity.CHANNELWISE
        )
        weights = qtyping.TensorQuantizationConfig(
            num_bits=bits, symmetric=True, granularity=granularity, dtype=qtyping.TensorDataType.INT
        )
        dynamic = recipe != "int8"
        precision = qtyping.ComputePrecision.INTEGER if dynamic else qtyping.ComputePrecision.FLOAT
        explicit, algo = not dynamic, algorithm.MIN_MAX_UNIFORM_QUANT
    rm = aeq.recipe_manager.RecipeManager()
    for op in TENSOR_OPERATORS[recipe]:
        rm.add_quantization_config(
            regex=".*",
            operation_name=getattr(qtyping.TFLOperationName, op),
            op_config=qtyping.OpQuantizationConfig(
                weight_tensor_config=weights, compute_precision=precision, explicit_dequantize=explicit
            ),
            algorithm_key=algo,
        )
    return _inline_buffers(bytes(aeq.Quantizer(model, rm.get_quantization_recipe()).quantize().quantized_model))


def _inline_buffers(model: bytes) -> bytes:
    """``model`` with every buffer inside the flatbuffer. ai-edge-quantizer appends the weights of a model
    over 256 KB after the flatbuffer (``Buffer.offset``), which tflite-support's metadata writer does not
    know: it drops them ("Input tensor 117 lacks data" at load, measured on all-MiniLM-L6-v2)."""
    from ai_edge_litert.tools import flatbuffer_utils

    return bytes(flatbuffer_utils.convert_object_to_bytearray(flatbuffer_utils.read_model_from_bytearray(model)))
