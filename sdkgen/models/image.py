"""Image classification: a Python factory's module (NCHW image in, logits out) with the config's labels
and channel normalisation.

The exported model takes one channels-last float image ``[1, H, W, C]`` (the layout of phones' pixel
buffers, so the SDKs write pixels in order), permutes it for the factory's NCHW module and ends in a
softmax, so every runtime returns class probabilities. Channels-last input also avoids ExecuTorch's
XNNPACK failing at run time on single-channel NCHW convolution inputs (pytorch/executorch#19153, seen
with 1.5.1). Pixels become ``(pixel / 255 - mean[c]) / std[c]`` (:func:`normalize`, the arithmetic of the
SDKs' preprocessing). Quality is the accuracy on ``verify.eval_data``, an ``.npz`` of uint8 ``images``
[N, H, W, C] and integer ``labels`` [N].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdkgen.errors import ModelLoadError
from sdkgen.models.factory import load_factory
from sdkgen.models.tensor import TensorModel
from sdkgen.spec import ImageSpec, TensorCase
from sdkgen.verify import Check, Runner


def normalize(pixels: Any, mean: Sequence[float], std: Sequence[float]) -> Any:
    """uint8 ``[N, H, W, C]`` -> float32 ``[N, H, W, C]``, each channel ``(p / 255 - mean) / std``."""
    import numpy as np

    x = pixels.astype(np.float32) / np.float32(255)
    return np.ascontiguousarray((x - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32))


def load_image_classifier(
    source: str,
    root: Path,
    labels_file: Path,
    mean: Sequence[float],
    std: Sequence[float],
    eval_data: Path | None,
    max_accuracy_drop: float,
) -> TensorModel:
    import hashlib

    import numpy as np
    import torch

    fm = load_factory(source, root)
    if len(fm.inputs) != 1 or fm.inputs[0].dim() != 4 or fm.inputs[0].shape[0] != 1:
        raise ModelLoadError(
            f"model.source {source!r}: image classification takes one [1, C, H, W] image, got "
            f"{[tuple(t.shape) for t in fm.inputs]}",
            hint="return (module, (torch.zeros(1, C, H, W),)) from the factory",
        )
    _, channels, height, width = (int(d) for d in fm.inputs[0].shape)
    if len(mean) not in (1, channels) or len(std) not in (1, channels):
        raise ModelLoadError(
            f"image.mean/std have {len(mean)}/{len(std)} values for a {channels}-channel input",
            hint=f"give 1 or {channels} values",
        )
    mean, std = (list(mean) * channels)[:channels], (list(std) * channels)[:channels]
    if not labels_file.is_file():
        raise ModelLoadError(f"image.labels file {str(labels_file)!r} not found", hint="one class name per line")
    labels = [line.strip() for line in labels_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    module = _channels_last_softmax(fm.module)
    example = (fm.inputs[0].permute(0, 2, 3, 1).contiguous(),)
    with torch.no_grad():
        n_out = int(module(*example).shape[-1])
    if len(labels) != n_out:
        raise ModelLoadError(
            f"image.labels has {len(labels)} names but the model has {n_out} outputs",
            hint="write one label per output class, in output order",
        )
    cases = [example]
    h = hashlib.sha256(fm.fingerprint.encode() + labels_file.read_bytes() + repr((mean, std)).encode())
    quality = None
    if eval_data is not None:
        if not eval_data.is_file():
            raise ModelLoadError(f"verify.eval_data {str(eval_data)!r} not found", hint="an .npz with images, labels")
        pixels, targets = _read_npz(eval_data, "verify.eval_data", "images", "labels")
        if pixels.dtype != np.uint8 or pixels.shape[1:] != (height, width, channels):
            raise ModelLoadError(
                f"verify.eval_data images are {pixels.dtype} {tuple(pixels.shape[1:])}, the model takes uint8 "
                f"{(height, width, channels)} (H, W, C)",
                hint="store the evaluation images at the model's input size as uint8 pixels",
            )
        if not len(pixels):
            raise ModelLoadError(f"verify.eval_data {str(eval_data)!r} has no images", hint="store at least one")
        if targets.shape != (len(pixels),) or not np.issubdtype(targets.dtype, np.integer):
            raise ModelLoadError(
                f"verify.eval_data labels are {targets.dtype} {tuple(targets.shape)} for {len(pixels)} images",
                hint="store one integer class index per image: labels of shape [N]",
            )
        if len(targets) and not 0 <= int(targets.min()) <= int(targets.max()) < n_out:
            raise ModelLoadError(
                f"verify.eval_data labels range over {int(targets.min())} .. {int(targets.max())}, the model has "
                f"{n_out} classes (0 .. {n_out - 1})",
                hint="store the class index of each image, in the order of image.labels",
            )
        targets = targets.astype(np.int64)
        images = normalize(pixels, mean, std)
        cases += [(torch.from_numpy(images[i : i + 1]),) for i in range(min(3, len(images)))]
        quality = AccuracyQuality(images, targets, max_accuracy_drop)
        h.update(eval_data.read_bytes())

    def calibrate(path: Path) -> list[tuple[Any, ...]]:
        if not path.is_file() or path.suffix != ".npz":
            raise ModelLoadError(
                f"compress.calibration {str(path)!r} is not an .npz file",
                hint="an .npz with uint8 'images' [N, H, W, C] at the model's input size",
            )
        (pixels,) = _read_npz(path, "compress.calibration", "images")
        if pixels.dtype != np.uint8 or pixels.shape[1:] != (height, width, channels) or not len(pixels):
            raise ModelLoadError(
                f"compress.calibration images are {pixels.dtype} {tuple(pixels.shape)}, the model takes uint8 "
                f"[N, {height}, {width}, {channels}]",
                hint="store calibration images at the model's input size as uint8 pixels",
            )
        x = normalize(pixels[:256], mean, std)
        return [(torch.from_numpy(x[i : i + 1]),) for i in range(len(x))]

    return TensorModel(
        module=module,
        inputs=example,
        input_names=["image"],  # the wrapper's parameter, which the exported program keeps
        fingerprint=h.hexdigest(),
        cases=cases,
        spec_fields={
            "image": ImageSpec(width, height, channels, tuple(mean), tuple(std)),
            "labels": tuple(labels),
        },
        files={},
        quality=quality,
        calibrate=calibrate,
    )


def _read_npz(path: Path, key: str, *arrays: str) -> list[Any]:
    """``arrays`` of the ``.npz`` at ``path`` (the config key ``key`` names it); a clear error when the file
    is not an ``.npz`` numpy can read or lacks one of them."""
    import zipfile

    import numpy as np

    how = f"write it with numpy.savez(path, {', '.join(f'{a}=...' for a in arrays)})"
    if not zipfile.is_zipfile(path):  # numpy would try it as a pickle and suggest loading that unsafely
        raise ModelLoadError(f"{key} {str(path)!r} is not an .npz (zip) archive", hint=how)
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [a for a in arrays if a not in getattr(data, "files", ())]
            if not missing:
                return [data[a] for a in arrays]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ModelLoadError(
            f"{key} {str(path)!r} cannot be read as an .npz archive: {e}",
            hint=how,
        ) from None
    raise ModelLoadError(
        f"{key} {str(path)!r} has no {' / '.join(repr(a) for a in missing)} array",
        choices=list(arrays),
        hint=how,
    )


def _channels_last_softmax(module: Any) -> Any:
    import torch

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = module

        def forward(self, image: torch.Tensor) -> torch.Tensor:
            return torch.softmax(self.model(image.permute(0, 3, 1, 2)), dim=-1)

    return Classifier().eval()


@dataclass(frozen=True)
class AccuracyQuality:
    """Top-1 accuracy over the evaluation images, one image per run (the exported shape has batch 1)."""

    images: Any = field(repr=False)
    labels: Any = field(repr=False)
    max_drop: float = 0.01
    name: str = "accuracy"

    def measure(self, run: Runner, reference: Sequence[TensorCase]) -> dict[str, float]:
        import numpy as np

        hits = sum(
            int(np.argmax(run([self.images[i : i + 1]])[0]) == int(self.labels[i])) for i in range(len(self.labels))
        )
        return {"accuracy": round(hits / len(self.labels), 6), "images": len(self.labels)}

    def check(self, got: dict[str, float], fp32: dict[str, float]) -> Check:
        floor = fp32["accuracy"] - self.max_drop
        return Check(
            self.name,
            "passed" if got["accuracy"] >= floor - 1e-12 else "failed",
            f"top-1 accuracy {got['accuracy']:.4f} on {int(got['images'])} held-out images; fp32 eager "
            f"{fp32['accuracy']:.4f} (verify.max_accuracy_drop {self.max_drop})",
            {**got, "fp32_accuracy": fp32["accuracy"], "max_drop": self.max_drop},
            gate="verify.max_accuracy_drop",
        )
