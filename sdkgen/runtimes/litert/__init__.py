"""LiteRT (formerly TensorFlow Lite): ``.tflite`` flatbuffers converted with litert-torch, run on Android with
LiteRT's ``CompiledModel``. Registers its targets; the work lives in :mod:`.backend`."""

from __future__ import annotations

from sdkgen.runtimes.base import TARGETS, TENSOR_TASKS, SdkBinding, TargetInfo

#: delegate -> (the Kotlin ``Accelerator`` the binding asks for, description, tasks)
ACCELERATORS = {
    "cpu": ("CPU", "LiteRT CPU (XNNPACK)", (*TENSOR_TASKS, "text-generation")),
    # The same .tflite; the GPU accelerator applies at load on the device. The host runs it on CPU.
    "gpu": ("GPU", "LiteRT GPU accelerator", TENSOR_TASKS),
}

for _delegate, (_, _doc, _tasks) in ACCELERATORS.items():
    TARGETS.add(
        f"litert:{_delegate}",
        TargetInfo(
            name=f"litert:{_delegate}",
            runtime="litert",
            delegate=_delegate,
            # iOS ships LiteRT only as the TensorFlowLiteSwift CocoaPod (no Swift package): not served yet.
            platforms=("android",),
            tasks=_tasks,
            recipes=("none",),
            min_android_sdk=23,
            min_ios="",
            extra="litert",
            modules=("torch", "litert_torch", "ai_edge_litert"),
            artifact_suffix=".tflite",
            converts_checkpoint=("text-generation",),
            binding=SdkBinding(
                templates="litert",
                gradle_dependencies=('implementation("com.google.ai.edge.litert:litert:{version}")',),
                swift_products={},
                delegate_doc=_doc,
            ),
        ),
    )
