"""Map a recipe onto litert-torch's quantization (ai-edge-quantizer under the hood), applied while the
converter writes the ``.tflite``.

==========  =====================================================================
``fp16``    float16 weights (``full_fp16_recipe``)
``int8``    weight-only int8 per channel (``full_weight_only_recipe``)
``8da8w``   dynamic-range int8: int8 per-channel weights, activations quantized at run time
``8da4w``   dynamic-range int4 weights in blocks of ``group_size`` (32, 64, 128, 256)
==========  =====================================================================

These are the schemes of litert-torch 0.10.0's ``get_supported_layer_schemes``; weight-only int4 is not
one of them. A recipe applies to every operator the quantizer supports, except ``8da4w`` on a tensor-task
model: LiteRT 2.3.0's interpreter refuses block-wise int4 on ``CONV_2D`` ("Blockwise quantization details are
missing", measured), so there it quantizes ``FULLY_CONNECTED`` only (:func:`int4_fully_connected`), as
ExecuTorch's 8da4w quantizes linear layers only.
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
    granularity = getattr(quant_attrs.Granularity, f"BLOCKWISE_{group_size}", None)
    if granularity is None:
        raise ConfigError(
            f"LiteRT's int4 blocks are 32, 64, 128 or 256 weights, not compress.group_size = {group_size}",
            hint="set compress.group_size to 32, 64, 128 or 256",
        )
    return quant_recipes.full_dynamic_recipe(
        mcfg=model_config, weight_dtype=quant_attrs.Dtype.INT4, granularity=granularity
    )


def int4_fully_connected(model: bytes, group_size: int) -> bytes:
    """``model`` (a float ``.tflite``) with the weights of its ``FULLY_CONNECTED`` operators in int4 blocks of
    ``group_size`` and dynamically quantized activations, through ai-edge-quantizer's recipe manager."""
    import ai_edge_quantizer as aeq
    from ai_edge_quantizer import qtyping

    granularity = getattr(qtyping.QuantGranularity, f"BLOCKWISE_{group_size}", None)
    if granularity is None:
        raise ConfigError(
            f"LiteRT's int4 blocks are 32, 64, 128 or 256 weights, not compress.group_size = {group_size}",
            hint="set compress.group_size to 32, 64, 128 or 256",
        )
    rm = aeq.recipe_manager.RecipeManager()
    rm.add_quantization_config(
        regex=".*",
        operation_name=qtyping.TFLOperationName.FULLY_CONNECTED,
        op_config=qtyping.OpQuantizationConfig(
            weight_tensor_config=qtyping.TensorQuantizationConfig(
                num_bits=4, symmetric=True, granularity=granularity, dtype=qtyping.TensorDataType.INT
            ),
            compute_precision=qtyping.ComputePrecision.INTEGER,
            explicit_dequantize=False,
        ),
        algorithm_key=aeq.algorithm_manager.AlgorithmName.MIN_MAX_UNIFORM_QUANT,
    )
    return bytes(aeq.Quantizer(model, rm.get_quantization_recipe()).quantize().quantized_model)
