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

#: Vulkan GPU delegate (Android). Lowering works on any host; running needs a Vulkan device, so host
#: verification reports the outputs as not executed. Ships in the executorch-android-vulkan AAR flavour.
TARGETS.add(
    "executorch:vulkan",
    TargetInfo(
        name="executorch:vulkan",
        runtime=RUNTIME,
        delegate="vulkan",
        platforms=("android",),
        tasks=("tensor",),
        recipes=("none",),
        min_android_sdk=23,
        min_ios="",
        extra="executorch",
        modules=("torch", "executorch"),
        artifact_suffix=".pte",
        binding=SdkBinding(
            templates="executorch",
            gradle_dependencies=(
                'api("org.pytorch:executorch-android-vulkan") { version { strictly("{version}") } }',
                'implementation("com.facebook.fbjni:fbjni:0.7.0")',
                'implementation("com.facebook.soloader:nativeloader:0.10.5")',
            ),
            swift_products={},
            delegate_doc="Vulkan GPU delegate",
        ),
    ),
)

#: Metal Performance Shaders delegate (iOS GPU). Its ahead-of-time compiler is not in the Linux wheel.
TARGETS.add(
    "executorch:mps",
    TargetInfo(
        name="executorch:mps",
        runtime=RUNTIME,
        delegate="mps",
        platforms=("ios",),
        tasks=("tensor",),
        recipes=("none",),
        min_android_sdk=0,
        min_ios="17.0",
        extra="executorch",
        modules=("torch", "executorch", "executorch.backends.apple.mps"),
        artifact_suffix=".pte",
        binding=SdkBinding(
            templates="executorch",
            gradle_dependencies=(),
            swift_products={"tensor": ("executorch", "backend_mps", "kernels_optimized")},
            delegate_doc="MPS GPU delegate",
        ),
        install_hint="build on macOS: the MPS delegate's ahead-of-time compiler ships in ExecuTorch's macOS wheels",
    ),
)

#: Qualcomm AI Engine Direct (QNN) delegate for Hexagon NPUs. Lowering needs the QNN SDK on the host.
TARGETS.add(
    "executorch:qnn",
    TargetInfo(
        name="executorch:qnn",
        runtime=RUNTIME,
        delegate="qnn",
        platforms=("android",),
        tasks=("tensor",),
        recipes=("none",),
        min_android_sdk=23,
        min_ios="",
        extra="executorch",
        modules=("torch", "executorch", "executorch.backends.qualcomm"),
        artifact_suffix=".pte",
        binding=SdkBinding(
            templates="executorch",
            gradle_dependencies=(
                'api("org.pytorch:executorch-android-qnn") { version { strictly("{version}") } }',
                'implementation("com.facebook.fbjni:fbjni:0.7.0")',
                'implementation("com.facebook.soloader:nativeloader:0.10.5")',
            ),
            swift_products={},
            delegate_doc="Qualcomm QNN (Hexagon NPU) delegate",
        ),
        requires_env=("QNN_SDK_ROOT",),
        install_hint="install the Qualcomm AI Engine Direct SDK (QAIRT) and set QNN_SDK_ROOT to its root folder",
    ),
)
