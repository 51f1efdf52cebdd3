"""ExecuTorch: ``.pte`` programs for the ExecuTorch runtime on Android and iOS.

Registers its targets; the heavy work lives in :mod:`.export`, :mod:`.lower`, :mod:`.verify`,
:mod:`.inspect` and :mod:`.backend`, imported only when a build needs them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sdkgen.runtimes.base import TARGETS, TENSOR_TASKS, SdkBinding, TargetInfo

RUNTIME = "executorch"


def _android_aar(flavour: str = "") -> tuple[str, ...]:
    """Gradle lines for the ExecuTorch AAR (or its ``-vulkan``/``-qnn`` flavour) and the libraries it needs.

    ``strictly()``: a different ExecuTorch version anywhere in the app fails the Gradle build instead of
    crashing on the phone when the ``.pte`` is loaded."""
    name = "executorch-android" + (f"-{flavour}" if flavour else "")
    return (
        f'api("org.pytorch:{name}") {{ version {{ strictly("{{version}}") }} }}',
        'implementation("com.facebook.fbjni:fbjni:0.7.0")',
        'implementation("com.facebook.soloader:nativeloader:0.10.5")',
    )


def _target(
    delegate: str,
    platforms: tuple[str, ...],
    tasks: tuple[str, ...],
    doc: str,
    *,
    gradle: tuple[str, ...] = (),
    swift: Mapping[str, tuple[str, ...]] | None = None,
    recipes: tuple[str, ...] = ("none",),
    modules: tuple[str, ...] = (),
    requires_env: tuple[str, ...] = (),
    install_hint: str = "",
    min_ios_by_task: Mapping[str, str] | None = None,
    converts_checkpoint: tuple[str, ...] = (),
    embeddings: tuple[str, ...] = ("none",),
) -> None:
    TARGETS.add(
        f"{RUNTIME}:{delegate}",
        TargetInfo(
            name=f"{RUNTIME}:{delegate}",
            runtime=RUNTIME,
            delegate=delegate,
            platforms=platforms,
            tasks=tasks,
            recipes=recipes,
            min_android_sdk=23 if "android" in platforms else 0,
            min_ios="17.0" if "ios" in platforms else "",
            extra="executorch",
            modules=("torch", "executorch", *modules),
            artifact_suffix=".pte",
            binding=SdkBinding("executorch", gradle, swift or {}, doc),
            requires_env=requires_env,
            install_hint=install_hint,
            min_ios_by_task=min_ios_by_task or {},
            converts_checkpoint=converts_checkpoint,
            embeddings=embeddings,
        ),
    )


_target(
    "xnnpack",
    ("android", "ios"),
    ("text-generation", *TENSOR_TASKS),
    "XNNPACK CPU delegate",
    gradle=_android_aar(),
    swift={
        "text-generation": (
            "executorch",
            "backend_xnnpack",
            "kernels_llm",
            "kernels_optimized",
            "kernels_quantized",
        ),
        "tensor": ("executorch", "backend_xnnpack", "kernels_optimized", "kernels_quantized"),
    },
    # Weight-only int8/int4 linears (torchao IntxWeightOnlyConfig) lower to wrong outputs through the XNNPACK
    # partitioner in ExecuTorch 1.5.1 (measured on tiny-llm: max relative logits error 35..475), so they
    # are not offered; the dynamic-activation schemes are XNNPACK's own kernels.
    recipes=("none", "fp16", "8da8w", "8da4w", "static-int8"),
    embeddings=("none", "int8", "int4"),
    modules=("transformers",),
)

# Text generation: the static-KV-cache program fails in coremltools ("rank 1 != rank 0", measured), so the
# checkpoint is converted with the KV cache as Core ML state (iOS 18): see coreml_llm.py.
_target(
    "coreml",
    ("ios",),
    ("text-generation", *TENSOR_TASKS),
    "Core ML delegate",
    swift={
        "text-generation": ("executorch", "backend_coreml", "kernels_llm", "kernels_optimized"),
        "tensor": ("executorch", "backend_coreml", "kernels_optimized"),
    },
    modules=("coremltools",),
    min_ios_by_task={"text-generation": "18.0"},
    converts_checkpoint=("text-generation",),
)

# Lowering works on any host; running needs a Vulkan device, so host verification reports the outputs
# as not executed.
_target("vulkan", ("android",), TENSOR_TASKS, "Vulkan GPU delegate", gradle=_android_aar("vulkan"))

_target(
    "mps",
    ("ios",),
    TENSOR_TASKS,
    "MPS GPU delegate",
    swift={"tensor": ("executorch", "backend_mps", "kernels_optimized")},
    modules=("executorch.backends.apple.mps",),
    install_hint="build on macOS: the MPS delegate's ahead-of-time compiler ships in ExecuTorch's macOS wheels",
)

_target(
    "qnn",
    ("android",),
    TENSOR_TASKS,
    "Qualcomm QNN (Hexagon NPU) delegate",
    gradle=_android_aar("qnn"),
    modules=("executorch.backends.qualcomm",),
    requires_env=("QNN_SDK_ROOT",),
    install_hint="install the Qualcomm AI Engine Direct SDK (QAIRT) and set QNN_SDK_ROOT to its root folder",
)
