"""Train the digits CNN (``model.DigitsCNN``) on scikit-learn's bundled 8x8 digits, deterministically.

Usage (from the repository root)::

    .venv/bin/python samples/digits-classifier/train.py

Writes, next to this file: ``weights.pt`` (the state_dict), ``heldout.npz`` (the 20% held-out split: uint8
``images`` [N, 8, 8, 1] and int64 ``labels`` [N]), ``calibration.npz`` (128 training images, for static int8
quantization) and ``labels.txt`` (``0`` .. ``9``, one a line). Seeds, a
seeded shuffle generator, deterministic algorithms and one intra-op thread make re-runs write the same bytes
(with the same torch version and CPU type).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from model import HERE, DigitsCNN, accuracy, normalize
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

SEED = 0
EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 1e-3


def load_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """uint8 pixels [N, 8, 8, 1] and int64 labels, split 80/20 (stratified, random_state=0)."""
    digits = load_digits()
    pixels = np.round(digits.images * 255 / 16).astype(np.uint8)[..., None]
    labels = digits.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(pixels, labels, test_size=0.2, random_state=0, stratify=labels)
    return train_x, test_x, train_y, test_y


def train(pixels: np.ndarray, labels: np.ndarray) -> DigitsCNN:
    """Adam on cross-entropy, mini-batches shuffled by a seeded generator."""
    torch.manual_seed(SEED)
    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    x, y = normalize(pixels), torch.from_numpy(labels)
    generator = torch.Generator().manual_seed(SEED)
    model.train()
    for _ in range(EPOCHS):
        for batch in torch.randperm(len(y), generator=generator).split(BATCH_SIZE):
            optimizer.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return model.eval()


CALIBRATION_IMAGES = 128


def main() -> None:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    train_x, test_x, train_y, test_y = load_split()
    start = time.perf_counter()
    model = train(train_x, train_y)
    seconds = time.perf_counter() - start
    torch.save(model.state_dict(), HERE / "weights.pt")
    np.savez_compressed(HERE / "heldout.npz", images=test_x, labels=test_y)
    np.savez_compressed(HERE / "calibration.npz", images=train_x[:CALIBRATION_IMAGES])
    (HERE / "labels.txt").write_text("".join(f"{i}\n" for i in range(10)))
    print(f"train time: {seconds:.1f} s ({EPOCHS} epochs, {len(train_y)} images)")
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    print(f"held-out accuracy: {accuracy(model, test_x, test_y):.4f} ({len(test_y)} images)")


if __name__ == "__main__":
    main()
