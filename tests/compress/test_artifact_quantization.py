"""LiteRT and Core ML quantize their own artifact (litert-torch's recipes, ``coremltools.optimize``) from the
unquantized model, next to an ExecuTorch target quantized by the build: one build of the digits sample with
three recipes, run here where the runtime runs (LiteRT) and checked structurally where it does not (Core ML)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from sdkgen.config import load_config
from sdkgen.pipeline import build
from sdkgen.runtimes.coreml.backend import lower_tensor as coreml_lower
from sdkgen.runtimes.coreml.quantize import compress

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "digits-classifier"


def _build(tmp_path: Path, compress_lines: str, name: str) -> dict[str, Any]:
    project = tmp_path / name
    shutil.copytree(SAMPLE, project)
    toml = project / "sdkgen.toml"
    text = toml.read_text()
    text = text.replace(
        'targets = ["executorch:xnnpack", "litert:cpu", "executorch:coreml", "coreml:ane"]',
        'targets = ["executorch:xnnpack", "litert:cpu", "coreml:ane"]',
    )
    text = text.replace('recipe = "none"\n', compress_lines, 1)
    text = text.replace('module = "Digits"', 'module = "Digits"\nminimum_ios = "18.0"')
    toml.write_text(text)
    result = build(
        load_config(project), tmp_path / f"dist-{name}", cache_root=tmp_path / "cache", log=lambda m: None, sdks=False
    )
    assert result.passed
    return result.report


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("aq")
    return {
        "fp32": _build(tmp, 'recipe = "none"\n', "fp32"),
        "quantized": _build(
            tmp, 'recipe = "8da8w"\ntargets = { "litert:cpu" = "8da4w", "coreml:ane" = "int4" }\ngroup_size = 32\n', "q"
        ),
    }


def _by_target(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["target"]: a for a in report["artifacts"]}


def test_each_target_records_and_applies_its_own_recipe(reports: dict[str, dict[str, Any]]) -> None:
    q, fp32 = _by_target(reports["quantized"]), _by_target(reports["fp32"])
    assert {t: a["recipe"] for t, a in q.items()} == {
        "executorch:xnnpack": "8da8w",
        "litert:cpu": "8da4w",
        "coreml:ane": "int4",
    }
    for target in q:
        assert q[target]["bytes"] < fp32[target]["bytes"], target


def test_litert_quantized_artifact_is_run_and_gated_here(reports: dict[str, dict[str, Any]]) -> None:
    checks = {c["name"]: c for c in reports["quantized"]["verification"]["litert:cpu"]}
    # Compared with the float32 model (it lowered the unquantized export), within the quantization tolerance.
    assert checks["outputs"]["status"] == "passed" and "tolerance 0.3" in checks["outputs"]["detail"]
    acc = checks["accuracy"]
    assert acc["status"] == "passed" and acc["data"]["accuracy"] >= acc["data"]["fp32_accuracy"] - 0.01


def test_coreml_int4_is_an_ios18_program_with_blockwise_weights(reports: dict[str, dict[str, Any]]) -> None:
    checks = {c["name"]: c for c in reports["quantized"]["verification"]["coreml:ane"]}
    assert checks["structure"]["status"] == "passed" and "spec version 9" in checks["structure"]["detail"]
    assert checks["outputs"]["status"] == "not_executed"
    ops = reports["quantized"]["artifacts"][2]["coverage"]["portable_operators"]
    assert "constexpr_blockwise_shift_scale" in ops


@pytest.mark.parametrize(
    ("recipe", "op"),
    [("int8", "constexpr_affine_dequantize"), ("palettize", "constexpr_lut_to_dense"), ("int4", "constexpr_blockwise")],
)
def test_coreml_recipes_compress_weights_deterministically(recipe: str, op: str, tmp_path: Path) -> None:
    import torch

    from sdkgen.cache import path_digest

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 8)).eval()
    inputs = (torch.randn(1, 64),)
    torch.export.save(torch.export.export(module, inputs), tmp_path / "p.pt2")
    digests = []
    for i in range(2):
        out = tmp_path / f"m{i}.mlpackage"
        facts = coreml_lower(tmp_path / "p.pt2", None, inputs, "cpu", out, {"recipe": recipe, "group_size": 32})
        assert any(o.startswith(op) for o in facts["main"]["portable_operators"])
        digests.append(path_digest(out)[0])
    assert digests[0] == digests[1]  # k-means included: same model, same bytes


def test_coreml_refuses_a_recipe_it_cannot_express() -> None:
    from sdkgen.errors import ConfigError

    with pytest.raises(ConfigError, match="Core ML cannot express recipe '8da4w'") as e:
        compress(None, "8da4w")
    assert e.value.choices


def test_report_lists_each_artifacts_recipe(reports: dict[str, dict[str, Any]]) -> None:
    assert json.loads(json.dumps(reports["quantized"]))["compression"]["recipe"] == "8da8w"


@pytest.mark.parametrize("recipe", ["fp16", "int8", "8da8w", "8da4w"])
def test_litert_quantizes_a_bert_encoders_weighted_operators(recipe: str, tmp_path: Path) -> None:
    """litert-torch's all-operator recipes break a BERT graph at load ("Input tensor ... lacks data", measured
    on all-MiniLM-L6-v2); the tensor-task recipes quantize the weighted operators only and run here."""
    from sdkgen.config import parse_config
    from tests.models.tiny_encoder import make_encoder

    raw = {
        "targets": ["litert:cpu"],
        "model": {"source": str(make_encoder(tmp_path / "model")), "task": "text-embedding", "name": "enc"},
        "compress": {"recipe": recipe},
        "export": {"max_seq_len": 16},
        "android": {"package": "com.example.embed"},
        "ios": {"module": "Embed"},
        "verify": {"sentences": ["The cat sat on the mat.", "How do I reset my password?"], "min_cosine": 0.9},
    }
    result = build(
        parse_config(raw, root=tmp_path), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None, sdks=False
    )
    checks = {c["name"]: c for c in result.report["verification"]["litert:cpu"]}
    assert checks["cosine"]["status"] == "passed", checks["cosine"]["detail"]
    assert result.report["artifacts"][0]["recipe"] == recipe


def test_litert_quantized_weights_stay_inside_the_flatbuffer(tmp_path: Path) -> None:
    """ai-edge-quantizer writes the weights of a model over 256 KB after the flatbuffer; tflite-support's
    metadata writer would drop them, so the lowering inlines them (and the model still runs)."""
    import numpy as np
    import torch
    from ai_edge_litert.interpreter import Interpreter
    from ai_edge_litert.tools import flatbuffer_utils

    from sdkgen.runtimes.litert.backend import lower_tensor

    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(600, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)).eval()
    inputs = (torch.randn(1, 600),)
    torch.export.save(torch.export.export(module, inputs), tmp_path / "p.pt2")
    out = tmp_path / "m.tflite"
    lower_tensor(tmp_path / "p.pt2", None, inputs, "cpu", out, {"recipe": "int8"})
    model = flatbuffer_utils.convert_bytearray_to_object(out.read_bytes())
    assert all(not b.offset for b in model.buffers)
    assert 600 * 512 < out.stat().st_size < 600 * 512 * 4 / 3  # int8 weights, inline (fp32 would be 4x)
    runner = Interpreter(model_path=str(out)).get_signature_runner("serving_default")
    got = next(iter(runner(**{n: inputs[0].numpy() for n in runner.get_input_details()}).values()))
    want = module(inputs[0]).detach().numpy()
    assert np.abs(got - want).max() / np.abs(want).max() < 0.05
