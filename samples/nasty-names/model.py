"""A tiny random-weight image classifier whose only job is to carry hostile labels into the SDKs.

`make()` is the factory that sdkgen.toml names (`model.source = "model:make"`): it returns the module and one
example image. Weights are seeded, so every build sees the same model; nothing is trained or downloaded. The
model has one output per line of ``labels.txt``, which :func:`write_labels` writes.

Input: ``image``, float32 [1, 3, 4, 4] (NCHW). Output: raw logits [1, len(LABELS)].
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).parent

#: Names that break generated code when a generator forgets to escape them: Kotlin and Swift keywords,
#: template syntax of both languages (`$price`, `${x}`, `\(x)`), comment and string delimiters, control
#: characters, non-ASCII text in both Unicode normal forms, emoji sequences and a very long name. Leading and
#: trailing whitespace is absent on purpose: the labels file format trims it.
LABELS = [
    "class",
    "in",
    "$price",
    "self",
    "Type",
    "2d_mask",
    "mañana",
    '"quoted"',
    "*/",
    "${x}",
    "back\\slash",
    "\\(x)",
    "\\",
    "$",
    "tab\there",
    '"""triple"""',
    "/* not a comment",
    "\\u0041 is not A",
    "cafe\u0301 (decomposed)",
    "👩🏽‍💻 🤖",
    "日本語 العربية",
    "'single' & <tag> `tick` | pipe",
    "a very long label " * 16 + "end",
]


class TinyClassifier(nn.Module):
    """A 3x3 convolution (8 channels) with ReLU, then a linear layer to one logit per label."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, kernel_size=3, padding=1), nn.ReLU())
        self.classifier = nn.Linear(8 * 4 * 4, classes)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(image), 1))


def make() -> tuple[nn.Module, tuple[torch.Tensor]]:
    """The seeded model in eval mode and an example image, [1, 3, 4, 4] float32 in [-1, 1]."""
    torch.manual_seed(5)
    module = TinyClassifier(len(LABELS)).eval()
    example = torch.linspace(-1.0, 1.0, 3 * 4 * 4).reshape(1, 3, 4, 4)
    return module, (example,)


def write_labels(path: Path = HERE / "labels.txt") -> None:
    """Write :data:`LABELS`, one a line, UTF-8 with ``\\n`` line ends."""
    path.write_bytes("".join(label + "\n" for label in LABELS).encode("utf-8"))


if __name__ == "__main__":
    write_labels()
