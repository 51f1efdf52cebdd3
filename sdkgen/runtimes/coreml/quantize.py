"""Map a recipe onto ``coremltools.optimize.coreml``, applied to the converted ML program's weights.

=============  =======================================================================================
``none/fp16``  the ML program as converted: float16 weights and compute (Core ML's default precision)
``int8``       ``linear_quantize_weights``: symmetric int8 per output channel (iOS 17)
``int4``       ``linear_quantize_weights``: symmetric int4 per block of ``group_size`` (iOS 18 ops)
``palettize``  ``palettize_weights``: 4-bit k-means lookup table per tensor (iOS 17)
=============  =======================================================================================

Only weight tensors of at least 2,048 elements are compressed (coremltools' ``weight_threshold``), so
biases and norms stay float16. Core ML decompresses on load or in its kernels; the predictions themselves
run only on Apple platforms.
"""

from __future__ import annotations

from typing import Any

from sdkgen.errors import ConfigError

RECIPES = ("none", "fp16", "int8", "int4", "palettize")


def needs_ios18(recipe: str) -> bool:
    """Whether ``recipe``'s compressed ops exist only from iOS 18 (the conversion must target it)."""
    return recipe == "int4"


def compress(model: Any, recipe: str, group_size: int = 32) -> tuple[Any, dict[str, Any]]:
    """The ML program ``model`` (a ``coremltools.models.MLModel``) with ``recipe`` applied, and a summary."""
    if recipe not in RECIPES:
        raise ConfigError(f"Core ML cannot express recipe {recipe!r}", choices=RECIPES, hint="see compress.targets")
    if recipe in ("none", "fp16"):
        return model, {"weights": "float16"}
    import coremltools.optimize.coreml as cto

    if recipe == "palettize":
        config: Any = cto.OpPalettizerConfig(mode="kmeans", nbits=4, granularity="per_tensor")
        compressed = cto.palettize_weights(model, cto.OptimizationConfig(global_config=config))
        return compressed, {"weights": "4-bit palettized (k-means, per tensor)"}
    if recipe == "int8":
        config = cto.OpLinearQuantizerConfig(mode="linear_symmetric", dtype="int8", granularity="per_channel")
        summary = {"weights": "int8 per channel"}
    else:
        config = cto.OpLinearQuantizerConfig(
            mode="linear_symmetric", dtype="int4", granularity="per_block", block_size=group_size
        )
        summary = {"weights": f"int4 per block of {group_size}"}
    return cto.linear_quantize_weights(model, cto.OptimizationConfig(global_config=config)), summary
