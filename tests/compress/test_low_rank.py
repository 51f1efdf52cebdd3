"""Low-rank factorisation (sdkgen.compress.low_rank): the factors are the truncated SVD, ranks follow the
energy / rank / multiple-of rules, no-saving layers are skipped, and the result exports, lowers to XNNPACK
and runs with the factorised eager model's logits."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import torch

from sdkgen.compress.low_rank import LowRankLinear, factorize
from tests.compress.common import (
    export_and_compare,
    lower_and_compare,
    random_calibration,
    tiny_llm,
    tiny_model,
)

IDS = random_calibration(n=1, length=16)[0]


@pytest.fixture(scope="module")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tiny_model("llama", tmp_path_factory.mktemp("llama"))


def test_rank_factors_are_the_truncated_svd(llama: Any) -> None:
    model = copy.deepcopy(llama)
    originals = {n: m.weight.detach().clone() for n, m in model.model.layers.named_modules() if n.endswith("_proj")}
    summary = factorize(model, rank=16, layers="mlp")
    assert summary["factorized"] == 6 and summary["skipped"] == 0  # 2 layers x gate, up, down
    for row in summary["linears"]:
        out_f, in_f = row["shape"]
        assert row["rank"] == 16
        assert (row["params_before"], row["params_after"]) == (out_f * in_f, 16 * (out_f + in_f))
        name = row["name"].removeprefix("layers.")
        module = model.model.layers.get_submodule(name)
        assert isinstance(module, LowRankLinear) and module.up.bias is None
        w = originals[name].double()
        approx = module.up.weight.double() @ module.down.weight.double()
        s = torch.linalg.svdvals(w)
        # Eckart-Young: the error of the best rank-r approximation is the norm of the dropped singular values.
        assert float(torch.linalg.norm(w - approx)) == pytest.approx(float(s[16:].norm()), rel=1e-5)
    assert summary["params_before"] - summary["params_after"] == sum(
        r["params_before"] - r["params_after"] for r in summary["linears"]
    )
    # Attention projections are untouched with layers="mlp".
    assert isinstance(model.model.layers[0].self_attn.q_proj, torch.nn.Linear)


def test_energy_picks_the_smallest_rank_and_skips_layers_without_saving(llama: Any) -> None:
    model = copy.deepcopy(llama)
    weights = {n: m.weight.detach().clone() for n, m in model.model.layers.named_modules() if n.endswith("_proj")}
    summary = factorize(model, energy=0.5, layers="all")
    for row in summary["linears"]:
        sq = torch.linalg.svdvals(weights[row["name"].removeprefix("layers.")].double()) ** 2
        share = torch.cumsum(sq, 0) / sq.sum()
        r = row["rank"]
        assert share[r - 1] >= 0.5 > (share[r - 2] if r > 1 else 0.0)
        out_f, in_f = row["shape"]
        assert ("skipped" in row) == (r * (in_f + out_f) >= in_f * out_f)
    # Random weights have flat spectra: keeping 99% of the energy needs nearly full rank, so nothing is saved.
    model = copy.deepcopy(llama)
    summary = factorize(model, energy=0.99, layers="all")
    assert summary["factorized"] == 0 and summary["skipped"] == 14
    assert summary["params_after"] == summary["params_before"]


def test_multiple_of_rounds_the_rank_up(llama: Any) -> None:
    summary = factorize(copy.deepcopy(llama), rank=5, layers="attention", multiple_of=16)
    assert {r["rank"] for r in summary["linears"]} == {16}
    assert summary["factorized"] == 8


def test_bad_arguments(llama: Any) -> None:
    with pytest.raises(ValueError, match="exactly one of energy and rank"):
        factorize(llama, energy=0.9, rank=8)
    with pytest.raises(ValueError, match="exactly one of energy and rank"):
        factorize(llama)
    with pytest.raises(ValueError, match="unknown low-rank layer set"):
        factorize(llama, rank=8, layers="embeddings")
    with pytest.raises(ValueError, match=r"energy must be in \(0, 1\]"):
        factorize(llama, energy=1.5)


@pytest.mark.parametrize("family", ["qwen3", "phi3"])
def test_factorized_families_export(family: str, tmp_path: Path) -> None:
    model = tiny_model(family, tmp_path / "model")
    summary = factorize(model, rank=16, layers="all")
    assert summary["factorized"] == (8 if family == "phi3" else 14)
    assert export_and_compare(model, IDS[:10]) < 1e-4


def test_tiny_llm_low_rank_end_to_end(tmp_path: Path) -> None:
    model = tiny_llm()
    summary = factorize(model, rank=64, layers="all", multiple_of=32)
    # q, o: 192x192; k, v: 96x192 (rank 64 saves nothing: skipped); gate, up: 512x192; down: 192x512.
    ranks = {r["name"].rsplit(".", 1)[1]: r.get("skipped", r["rank"]) for r in summary["linears"]}
    assert all(v == 64 for k, v in ranks.items() if k != "k_proj" and k != "v_proj"), ranks
    assert all(isinstance(v, str) for k, v in ranks.items() if k in ("k_proj", "v_proj"))  # 64 * 288 >= 96 * 192
    assert summary["params_after"] < summary["params_before"]
    _, err = lower_and_compare(model, tmp_path, IDS[:8], IDS[8:12])
    assert err < 1e-4
