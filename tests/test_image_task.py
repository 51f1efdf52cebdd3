"""The image-classification task end to end on a tiny random 3-channel CNN, and its bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sdkgen.config import parse_config
from sdkgen.errors import ConfigError, ModelLoadError
from sdkgen.models.image import load_image_classifier, normalize
from sdkgen.pipeline import build

TARGETS = ["executorch:xnnpack", "litert:cpu", "executorch:coreml", "coreml:ane"]
FACTORY = """
import torch
from torch import nn


def make():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32, 4)
    )
    return model, (torch.zeros(1, 3, 12, 10),)
"""
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def _raw(**image: Any) -> dict[str, Any]:
    return {
        "targets": TARGETS,
        "model": {"source": "cnn:make", "task": "image-classification", "name": "tiny-classifier"},
        "compress": {"recipe": "none"},
        "image": {"labels": "labels.txt", "mean": MEAN, "std": STD, **image},
        "android": {"package": "com.example.vision"},
        "ios": {"module": "Vision2"},
        "verify": {"eval_data": "eval.npz", "output_tolerance": 1e-4},
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A factory, four labels, and 40 evaluation images labelled by the fp32 model itself (so the
    artifact must agree with it on every image to score 1.0)."""
    import torch

    (tmp_path / "cnn.py").write_text(FACTORY)
    (tmp_path / "labels.txt").write_text('cat\ndog\n"quoted" $label\nüñí\n')
    pixels = np.random.default_rng(0).integers(0, 256, size=(40, 12, 10, 3), dtype=np.uint8)
    module = load_image_classifier("cnn:make", tmp_path, tmp_path / "labels.txt", MEAN, STD, None, 0.01).module
    with torch.no_grad():
        labels = module(torch.from_numpy(normalize(pixels, MEAN, STD))).argmax(-1).numpy()
    np.savez(tmp_path / "eval.npz", images=pixels, labels=labels)
    return tmp_path


def test_image_classifier_builds_on_every_runtime(project: Path) -> None:
    cfg = parse_config({**_raw(), "targets": [*TARGETS, "litert:gpu"]}, root=project)
    result = build(cfg, project / "dist", cache_root=project / "cache", log=lambda m: None)
    assert result.passed
    r = result.report
    by_target = {t: {c["name"]: c for c in cs} for t, cs in r["verification"].items()}
    for t in ("executorch:xnnpack", "litert:cpu", "litert:gpu"):  # litert:gpu runs on the host CPU here
        assert by_target[t]["outputs"]["status"] == "passed"
        acc = by_target[t]["accuracy"]
        assert acc["status"] == "passed" and acc["data"]["accuracy"] == 1.0 and acc["data"]["images"] == 40
    assert by_target["coreml:ane"]["accuracy"]["status"] == "not_executed"
    # TFLite metadata for the Task Library and ML Model Binding, read back by tflite-support itself.
    from tensorflow_lite_support.metadata.python.metadata import MetadataDisplayer

    for t in ("litert:cpu", "litert:gpu"):
        assert by_target[t]["tflite-metadata"]["status"] == "passed"
    shown = MetadataDisplayer.with_model_file(str(result.output / "tiny-classifier-cpu.tflite"))
    md = json.loads(shown.get_metadata_json())["subgraph_metadata"][0]
    norm = md["input_tensor_metadata"][0]["process_units"][0]["options"]
    assert np.allclose(norm["mean"], [255 * m for m in MEAN]) and np.allclose(norm["std"], [255 * s for s in STD])
    assert md["input_tensor_metadata"][0]["content"]["content_properties"]["color_space"] == "RGB"
    assert shown.get_associated_file_buffer("labels.txt").decode().splitlines() == [
        "cat",
        "dog",
        '"quoted" $label',
        "üñí",
    ]
    assert "tflite-metadata" not in by_target["executorch:xnnpack"]
    spec = json.loads((result.output / "model-spec.json").read_text())
    assert spec["image"]["width"] == 10 and spec["image"]["height"] == 12 and spec["image"]["channels"] == 3
    assert spec["labels"] == ["cat", "dog", '"quoted" $label', "üñí"]
    # Channels-last input: the SDKs write pixels in their natural order.
    assert spec["methods"][0]["inputs"][0]["shape"] == [1, 12, 10, 3]
    kt = (result.output / "android/src/main/kotlin/com/example/vision/TinyClassifier.kt").read_text()
    assert 'listOf("cat", "dog", "\\"quoted\\" \\$label", "üñí")' in kt
    assert "suspend fun classify(bitmap: Bitmap, topK: Int = 3): List<Classification>" in kt
    gpu = (result.output / "android/src/main/kotlin/com/example/vision/TinyClassifierLitertGpu.kt").read_text()
    assert "CompiledModel.Options(Accelerator.GPU)" in gpu
    backend = (result.output / "android/src/main/kotlin/com/example/vision/TinyClassifierBackend.kt").read_text()
    assert "LITERT_GPU -> TinyClassifierLitertGpu.load(context)" in backend


def test_image_config_errors(project: Path) -> None:
    raw = _raw()
    del raw["image"]
    with pytest.raises(ConfigError, match=r"\[image\] table is needed"):
        parse_config(raw, root=project)
    with pytest.raises(ConfigError, match="std"):
        parse_config(_raw(std=[0.0, 1.0, 1.0]), root=project)


def test_image_model_errors(project: Path) -> None:
    (project / "three.txt").write_text("a\nb\nc\n")
    with pytest.raises(ModelLoadError, match="3 names but the model has 4 outputs"):
        load_image_classifier("cnn:make", project, project / "three.txt", MEAN, STD, None, 0.01)
    with pytest.raises(ModelLoadError, match="have 2/3 values for a 3-channel input"):
        load_image_classifier("cnn:make", project, project / "labels.txt", [0.1, 0.2], STD, None, 0.01)
    np.savez(project / "small.npz", images=np.zeros((2, 8, 8, 3), np.uint8), labels=np.zeros(2, np.int64))
    with pytest.raises(ModelLoadError, match=r"the model takes uint8 \(12, 10, 3\)") as e:
        load_image_classifier("cnn:make", project, project / "labels.txt", MEAN, STD, project / "small.npz", 0.01)
    assert e.value.hint


def test_inspect_refuses_an_artifact_from_another_runtime_version(project: Path) -> None:
    from sdkgen.cli import main
    from sdkgen.errors import RuntimeVersionMismatch
    from sdkgen.inspect import inspect_artifact

    raw = {**_raw(), "targets": ["executorch:xnnpack", "coreml:ane"]}
    out = build(parse_config(raw, root=project), project / "dist", cache_root=project / "cache", log=lambda m: None)
    pte, mlpackage = out.output / "tiny-classifier-xnnpack.pte", out.output / "tiny-classifier-ane.mlpackage"
    assert main(["inspect", str(pte), "--json"]) == 0
    info = inspect_artifact(mlpackage)
    assert info["functions"]["main"]["inputs"] == [{"name": "image", "dtype": "float32", "shape": [1, 12, 10, 3]}]
    spec_file = out.output / "model-spec.json"
    spec = json.loads(spec_file.read_text())
    for a in spec["artifacts"]:
        a["runtime_version"] = "0.0.1"
    spec_file.write_text(json.dumps(spec))
    with pytest.raises(RuntimeVersionMismatch, match=r"built with executorch 0\.0\.1") as e:
        inspect_artifact(pte)
    assert "pip install executorch==0.0.1" in (e.value.hint or "")
    assert main(["inspect", str(mlpackage)]) == RuntimeVersionMismatch.exit_code == 10
