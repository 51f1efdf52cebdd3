"""Core ML: ``.mlpackage`` ML programs converted with coremltools, run on iOS with ``MLModel``.

Registers one target per compute-unit choice; the work lives in :mod:`.backend`. Core ML predictions run
only on Apple platforms, so on other hosts artifacts are checked structurally and their outputs reported
as not executed.
"""

from __future__ import annotations

from sdkgen.runtimes.base import TARGETS, TENSOR_TASKS, SdkBinding, TargetInfo

#: target delegate -> (coremltools ComputeUnit name, Swift MLComputeUnits case, description)
COMPUTE_UNITS = {
    "all": ("ALL", ".all", "Core ML, all compute units"),
    "cpu": ("CPU_ONLY", ".cpuOnly", "Core ML, CPU only"),
    "gpu": ("CPU_AND_GPU", ".cpuAndGPU", "Core ML, CPU and GPU"),
    "ane": ("CPU_AND_NE", ".cpuAndNeuralEngine", "Core ML, CPU and Neural Engine"),
}

for _delegate, (_, _, _doc) in COMPUTE_UNITS.items():
    TARGETS.add(
        f"coreml:{_delegate}",
        TargetInfo(
            name=f"coreml:{_delegate}",
            runtime="coreml",
            delegate=_delegate,
            platforms=("ios",),
            tasks=(*TENSOR_TASKS, "text-generation"),
            # "none" and "fp16" are the same: an ML program stores and computes float16 by default.
            recipes=("none", "fp16", "int8", "int4", "palettize"),
            quantizes_artifact=True,
            min_ios_by_recipe={"int4": "18.0"},
            min_android_sdk=0,
            min_ios="17.0",
            extra="coreml",
            modules=("torch", "coremltools"),
            artifact_suffix=".mlpackage",
            binding=SdkBinding("coreml", (), {"tensor": (), "text-generation": ()}, _doc),
            # A stateful KV cache (MLState) needs iOS 18.
            min_ios_by_task={"text-generation": "18.0"},
            converts_checkpoint=("text-generation",),
        ),
    )
