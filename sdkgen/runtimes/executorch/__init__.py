"""ExecuTorch: ``.pte`` programs for the ExecuTorch runtime on Android and iOS.

Registers its targets; the heavy work lives in :mod:`.export`, :mod:`.lower`, :mod:`.verify` and
:mod:`.inspect`, imported only when a build needs them.
"""

from __future__ import annotations

from sdkgen.runtimes.base import TARGETS, SdkBinding, TargetInfo

RUNTIME = "executorch"
#: The version the generated SDKs pin (Gradle coordinate and Swift package branch). The exporter's
#: installed version must match it; see :func:`sdkgen.runtimes.executorch.lower.runtime_version`.
TESTED_VERSION = "1.5.1"

TARGETS.add(
    "executorch:xnnpack",
    TargetInfo(
        name="executorch:xnnpack",
        runtime=RUNTIME,
        delegate="xnnpack",
        platforms=("android", "ios"),
        tasks=("text-generation", "tensor"),
        recipes=("none", "8da4w"),
        min_android_sdk=23,
        min_ios="17.0",
        extra="executorch",
        modules=("torch", "executorch", "transformers"),
        artifact_suffix=".pte",
        binding=SdkBinding(
            templates="executorch",
            gradle_dependencies=(
                # strictly(): a different ExecuTorch version anywhere in the app fails the Gradle build
                # instead of crashing on the phone when the .pte is loaded.
                'api("org.pytorch:executorch-android") { version { strictly("{version}") } }',
                'implementation("com.facebook.fbjni:fbjni:0.7.0")',
                'implementation("com.facebook.soloader:nativeloader:0.10.5")',
            ),
            swift_products={
                "text-generation": (
                    "executorch_llm",
                    "backend_xnnpack",
                    "kernels_llm",
                    "kernels_optimized",
                    "kernels_quantized",
                ),
                "tensor": ("executorch", "backend_xnnpack", "kernels_optimized", "kernels_quantized"),
            },
            delegate_doc="XNNPACK CPU delegate",
        ),
    ),
)

#: The ExecuTorch Core ML delegate: the graph runs in Core ML (CPU, GPU and Neural Engine) on iOS.
#: Measured: lowering the tensor sample works on Linux; the static-KV-cache LLM graph fails inside
#: coremltools ("rank 1 != rank 0"), so text generation is not offered here yet.
TARGETS.add(
    "executorch:coreml",
    TargetInfo(
        name="executorch:coreml",
        runtime=RUNTIME,
        delegate="coreml",
        platforms=("ios",),
        tasks=("tensor",),
        recipes=("none",),
        min_android_sdk=0,
        min_ios="17.0",
        extra="executorch",
        modules=("torch", "executorch", "coremltools"),
        artifact_suffix=".pte",
        binding=SdkBinding(
            templates="executorch",
            gradle_dependencies=(),
            swift_products={"tensor": ("executorch", "backend_coreml", "kernels_optimized")},
            delegate_doc="Core ML delegate, all compute units",
        ),
    ),
)
