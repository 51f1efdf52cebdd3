"""`sdkgen init`: a valid, commented config for each supported family; bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdkgen.cli import main
from sdkgen.config import load_config
from sdkgen.errors import ModelLoadError, OutputPathError
from sdkgen.init import init_config
from tests.models.tiny import FAMILIES, make_checkpoint


@pytest.mark.parametrize("family", ["llama", "gemma2", "phi3"])
def test_init_writes_a_config_that_loads(family: str, tmp_path: Path) -> None:
    make_checkpoint(family, tmp_path / f"my {family}")
    out = init_config(tmp_path / f"my {family}", tmp_path / "proj" / "sdkgen.toml")
    text = out.read_text()
    assert f"Detected: {FAMILIES[family][1]}" in text
    cfg = load_config(out)
    assert cfg.model_source == (tmp_path / f"my {family}").resolve()
    assert cfg.targets == ["executorch:xnnpack"]
    assert cfg.compress.recipe == "8da4w" and cfg.compress.group_size == 32
    assert cfg.name == f"my-{family}"
    assert cfg.export.max_seq_len == (64 if family == "gemma2" else 256)


def test_init_refuses_overwrite_and_bad_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_checkpoint("llama", tmp_path / "m")
    out = tmp_path / "sdkgen.toml"
    out.write_text("# mine\n")
    with pytest.raises(OutputPathError):
        init_config(tmp_path / "m", out)
    assert out.read_text() == "# mine\n"
    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    cfg["architectures"] = ["MambaForCausalLM"]
    (tmp_path / "m" / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="MambaForCausalLM"):
        init_config(tmp_path / "m", tmp_path / "new.toml")
    assert not (tmp_path / "new.toml").exists()
    assert main(["init", str(tmp_path / "m"), "--out", str(tmp_path / "new.toml")]) == ModelLoadError.exit_code == 7
    assert "hint:" in capsys.readouterr().err


def test_init_writes_an_embedding_config_that_builds(tmp_path: Path) -> None:
    from sdkgen.pipeline import build
    from tests.models.tiny_encoder import make_encoder

    make_encoder(tmp_path / "My Encoder")
    out = init_config(tmp_path / "My Encoder", tmp_path / "proj")
    text = out.read_text()
    assert "Detected: BertModel sentence encoder (32-dimensional, mean pooling, L2-normalised)" in text
    cfg = load_config(out)
    assert cfg.model.task == "text-embedding" and cfg.compress.recipe == "none"
    assert cfg.targets == ["executorch:xnnpack", "litert:cpu", "coreml:ane"]
    assert cfg.name == "my-encoder" and cfg.ios.module == "MyEncoderKit"
    assert cfg.export.max_seq_len == 64  # the tiny encoder allows 64 positions; the default is 128
    result = build(cfg, tmp_path / "dist", cache_root=tmp_path / "cache", log=lambda m: None)
    assert result.passed
    assert {a["target"] for a in result.report["artifacts"]} == set(cfg.targets)
