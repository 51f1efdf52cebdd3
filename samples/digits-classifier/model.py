"""A small CNN that classifies 8x8 handwritten digits (scikit-learn's ``load_digits``) into 0..9.

`make()` is the factory an sdkgen.toml can name (`model.source = "model:make"`): it returns the trained module
(``weights.pt``, written by ``train.py``) and one example input, the first held-out image. ``evaluate()`` prints
the eager model's held-out accuracy on ``heldout.npz``; run this file to call it.

Input: ``image``, float32 [N, 1, 8, 8] (NCHW), made from 8-bit pixels as ``(pixels / 255 - MEAN) / STD``.
Output: raw logits [N, 10], one per label in ``labels.txt``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).parent
MEAN = 0.5
STD = 0.5


class DigitsCNN(nn.Module):
    """Two 3x3 convolutions (16 and 32 channels) with ReLU, one 2x2 max-pool, then a linear layer to 10 logits."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(32 * 4 * 4, 10)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(image), 1))


def normalize(pixels: np.ndarray) -> torch.Tensor:
    """uint8 pixels [N, 8, 8, 1] (HWC) -> float32 model input [N, 1, 8, 8] (NCHW)."""
    x = (pixels.astype(np.float32) / 255 - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def load_heldout() -> tuple[np.ndarray, np.ndarray]:
    """The held-out split written by ``train.py``: uint8 images [N, 8, 8, 1] and int64 labels [N]."""
    with np.load(HERE / "heldout.npz") as data:
        return data["images"], data["labels"]


def accuracy(module: nn.Module, pixels: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of images whose arg-max logit is the label."""
    with torch.no_grad():
        predictions = module(normalize(pixels)).argmax(dim=1).numpy()
    return float((predictions == labels).mean())


def make() -> tuple[nn.Module, tuple[torch.Tensor]]:
    """The trained CNN in eval mode and an example input: the first held-out image, [1, 1, 8, 8] float32."""
    module = DigitsCNN()
    module.load_state_dict(torch.load(HERE / "weights.pt", weights_only=True))
    module.eval()
    images, _ = load_heldout()
    return module, (normalize(images[:1]),)


def evaluate() -> None:
    """Print the eager model's held-out accuracy."""
    module, _ = make()
    images, labels = load_heldout()
    print(f"held-out accuracy: {accuracy(module, images, labels):.4f} ({len(labels)} images)")


if __name__ == "__main__":
    evaluate()
