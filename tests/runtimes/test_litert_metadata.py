"""TFLite metadata on a converted classifier: reproducible bytes, an unchanged graph, and a clear report
when tflite-support's writers are missing."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from sdkgen.runtimes.litert import backend, metadata

TASK = {
    "task": "image-classification",
    "name": "tiny",
    "version": "1.2.3",
    "labels": ["zero", "one", "two"],
    "mean": [0.5],
    "std": [0.25],
    "channels": 1,
}


@pytest.fixture(scope="module")
def tflite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3), torch.nn.Softmax(-1)).eval()
    out = tmp_path_factory.mktemp("tfl") / "model.tflite"
    inputs = (torch.zeros(1, 4, 4, 1),)
    torch.export.save(torch.export.export(module, inputs), out.with_name("program.pt2"))
    backend.lower_tensor(out.with_name("program.pt2"), None, inputs, "cpu", out, {})
    return out


def test_metadata_is_reproducible_and_leaves_the_graph_alone(tflite: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.tflite", tmp_path / "b.tflite"
    first.write_bytes(tflite.read_bytes())
    second.write_bytes(tflite.read_bytes())
    metadata.write_metadata(first, TASK)
    time.sleep(2.1)  # zip timestamps have 2-second resolution
    metadata.write_metadata(second, TASK)
    assert first.read_bytes() == second.read_bytes()
    assert backend.check_annotation(first, TASK).status == "passed"
    x = np.random.default_rng(0).standard_normal((1, 4, 4, 1)).astype(np.float32)
    before, after = backend.open_runner(tflite)([x])[0], backend.open_runner(first)([x])[0]
    assert np.array_equal(before, after)
    wrong = {**TASK, "labels": ["zero", "one", "three"]}
    assert backend.check_annotation(first, wrong).status == "failed"


def test_missing_writers_are_reported_not_failed(tflite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "problem", lambda: "tflite-support's metadata writers are not importable (x)")
    written = backend.annotate(tflite, TASK)
    assert written["tflite_metadata"].startswith("not written")
    assert "pip install --no-deps tflite-support==0.4.4" in written["tflite_metadata"]
    assert backend.annotation_key("image-classification") == "unavailable"
    check = backend.check_annotation(tflite, TASK)
    assert check.status == "not_executed" and "libusb" in check.detail
    assert backend.annotation_key("tensor") is None and backend.annotate(tflite, {**TASK, "task": "tensor"}) == {}
