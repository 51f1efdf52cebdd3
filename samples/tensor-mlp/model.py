"""A small tabular model for the `tensor` task: plain tensors in, plain tensors out.

`make()` is the factory that sdkgen.toml names (`model.source = "model:make"`): it returns the module and
example inputs. Weights are seeded, so every build sees the same model.
"""

from __future__ import annotations

import torch
from torch import nn


class TabularScorer(nn.Module):
    """Scores 4 classes from 16 numeric features and one categorical id (8 categories)."""

    def __init__(self) -> None:
        super().__init__()
        self.category_embedding = nn.Embedding(8, 16)
        self.body = nn.Sequential(nn.Linear(32, 64), nn.GELU(), nn.Linear(64, 4))

    def forward(self, features: torch.Tensor, category: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.cat([features, self.category_embedding(category)], dim=-1)
        logits = self.body(h)
        return logits, torch.softmax(logits, dim=-1)


def make() -> tuple[nn.Module, tuple[torch.Tensor, torch.Tensor]]:
    torch.manual_seed(7)
    model = TabularScorer()
    example = (torch.linspace(-1.0, 1.0, 16).reshape(1, 16), torch.tensor([3], dtype=torch.int64))
    return model, example
