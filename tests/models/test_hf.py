"""Checkpoint folder validation: each bad input is a ModelLoadError with a hint, found before any work."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sdkgen.errors import ModelLoadError
from sdkgen.models.hf import SUPPORTED_ARCHITECTURES, inspect_checkpoint

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "tiny-llm" / "model"


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    dest = tmp_path / "model"
    shutil.copytree(SAMPLE, dest)
    return dest


def test_sample_checkpoint_is_valid() -> None:
    info = inspect_checkpoint(SAMPLE)
    assert info.architecture == "LlamaForCausalLM"
    assert len(info.fingerprint) == 64


def test_fingerprint_changes_with_content(checkpoint: Path) -> None:
    before = inspect_checkpoint(checkpoint).fingerprint
    (checkpoint / "generation_config.json").write_text("{}")
    assert inspect_checkpoint(checkpoint).fingerprint != before


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist") as e:
        inspect_checkpoint(tmp_path / "nope")
    assert e.value.hint


def test_folder_without_config(checkpoint: Path) -> None:
    (checkpoint / "config.json").unlink()
    with pytest.raises(ModelLoadError, match=r"no config\.json") as e:
        inspect_checkpoint(checkpoint)
    assert "save_pretrained" in (e.value.hint or "")


def test_corrupt_config(checkpoint: Path) -> None:
    (checkpoint / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        inspect_checkpoint(checkpoint)


def test_unsupported_architecture_lists_supported(checkpoint: Path) -> None:
    cfg = json.loads((checkpoint / "config.json").read_text())
    cfg["architectures"] = ["BertForMaskedLM"]
    (checkpoint / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="BertForMaskedLM") as e:
        inspect_checkpoint(checkpoint)
    assert e.value.choices == sorted(SUPPORTED_ARCHITECTURES)
    assert e.value.hint


@pytest.mark.parametrize("damage", ["truncate", "garbage", "lfs-pointer"])
def test_corrupt_weights(checkpoint: Path, damage: str) -> None:
    w = checkpoint / "model.safetensors"
    data = w.read_bytes()
    if damage == "truncate":
        w.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        w.write_bytes(b"\xff" * 64)
    else:
        w.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n")
    with pytest.raises(ModelLoadError, match="corrupt or truncated") as e:
        inspect_checkpoint(checkpoint)
    assert e.value.hint


def test_missing_weights_and_tokenizer(checkpoint: Path) -> None:
    (checkpoint / "tokenizer.json").unlink()
    with pytest.raises(ModelLoadError, match=r"no tokenizer\.json"):
        inspect_checkpoint(checkpoint)
    (checkpoint / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="no weights"):
        inspect_checkpoint(checkpoint)
