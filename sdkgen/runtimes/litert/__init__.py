"""LiteRT (formerly TensorFlow Lite): ``.tflite`` flatbuffers converted with litert-torch, run on Android with
LiteRT's ``CompiledModel``. Registers its targets; the work lives in :mod:`.backend`."""

from __future__ import annotations

from sdkgen.runtimes.base import TARGETS, TENSOR_TASKS, SdkBinding, TargetInfo

TARGETS.add(
    "litert:cpu",
    TargetInfo(
        name="litert:cpu",
        runtime="litert",
        delegate="cpu",
        # iOS ships LiteRT only as the TensorFlowLiteSwift CocoaPod (no Swift package): not served yet.
        platforms=("android",),
        tasks=TENSOR_TASKS,
        recipes=("none",),
        min_android_sdk=23,
        min_ios="",
        extra="litert",
        modules=("torch", "litert_torch", "ai_edge_litert"),
        artifact_suffix=".tflite",
        binding=SdkBinding(
            templates="litert",
            gradle_dependencies=('implementation("com.google.ai.edge.litert:litert:{version}")',),
            swift_products={},
            delegate_doc="LiteRT CPU (XNNPACK)",
        ),
    ),
)
