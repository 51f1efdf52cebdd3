"""LiteRT (formerly TensorFlow Lite): ``.tflite`` flatbuffers converted with litert-torch (TensorFlow's converter
for a Keras or SavedModel source), run on Android with LiteRT's ``CompiledModel``. Registers its targets; the
work lives in :mod:`.backend` and :mod:`.backend_tensorflow`."""

from __future__ import annotations

from sdkgen.runtimes.base import TARGETS, TENSOR_TASKS, SdkBinding, TargetInfo

#: delegate -> (the Kotlin ``Accelerator`` the binding asks for, description, tasks, recipes)
ACCELERATORS = {
    "cpu": (
        "CPU",
        "LiteRT CPU (XNNPACK)",
        (*TENSOR_TASKS, "text-generation"),
        ("none", "fp16", "int8", "8da8w", "8da4w"),
    ),
    # The same .tflite; the GPU accelerator applies at load on the device (the host runs it on CPU). It
    # takes float16 weights; dynamically quantized kernels are CPU ones.
    "gpu": ("GPU", "LiteRT GPU accelerator", TENSOR_TASKS, ("none", "fp16")),
}

#: NPU delegate -> (ai_edge_litert.aot vendor module, its SoC enum's default, the vendor SDK distribution).
#: The vendor SDK packages download the vendor's compiler SDK when they are installed.
NPUS = {
    "npu-qualcomm": ("qualcomm", "SM8650", "ai-edge-litert-sdk-qualcomm", "Qualcomm AI Runtime (QAIRT) SDK"),
    "npu-mediatek": ("mediatek", "MT6989", "ai-edge-litert-sdk-mediatek", "MediaTek NeuroPilot SDK"),
}


def _target(delegate: str, accelerator: str, doc: str, tasks: tuple[str, ...], **extra: object) -> None:
    TARGETS.add(
        f"litert:{delegate}",
        TargetInfo(
            name=f"litert:{delegate}",
            runtime="litert",
            delegate=delegate,
            # iOS ships LiteRT only as the TensorFlowLiteSwift CocoaPod (no Swift package): not served yet.
            platforms=("android",),
            tasks=tasks,
            min_android_sdk=23,
            min_ios="",
            extra="litert",
            artifact_suffix=".tflite",
            converts_checkpoint=("text-generation",),
            quantizes_artifact=True,
            # litert-torch's int4 recipes come in these blocks (``Granularity.BLOCKWISE_*``).
            group_sizes=(32, 64, 128, 256),
            binding=SdkBinding(
                templates="litert",
                gradle_dependencies=('implementation("com.google.ai.edge.litert:litert:{version}")',),
                swift_products={},
                delegate_doc=doc,
                accelerator=accelerator,
            ),
            **extra,  # type: ignore[arg-type]
        ),
    )


for _delegate, (_accelerator, _doc, _tasks, _recipes) in ACCELERATORS.items():
    _target(
        _delegate,
        _accelerator,
        _doc,
        _tasks,
        recipes=_recipes,
        modules=("torch", "litert_torch", "ai_edge_litert"),
        frameworks=("torch", "tensorflow"),
    )

for _delegate, (_vendor, _soc, _dist, _sdk) in NPUS.items():
    _target(
        _delegate,
        "NPU",
        f"LiteRT NPU, compiled ahead of time for {_vendor} {_soc}",
        TENSOR_TASKS,
        recipes=("none",),
        modules=("torch", "litert_torch", "ai_edge_litert", _dist.replace("-", "_")),
        install_hint=f"pip install {_dist}==2.3.0 (it downloads the {_sdk} while installing, so it needs "
        f"network access to the vendor's site)",
    )
