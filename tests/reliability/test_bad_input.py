"""Bad input through the real command line: every refusal names what is wrong and the value, lists the valid
choices where there are some, ends in a ``hint:`` line, exits with its category's code
(:data:`sdkgen.errors.EXIT_CODES`: 2 config, 7 model or data files) and writes nothing into the output folder.

Each test copies a sample (samples/tiny-llm, samples/text-classifier, samples/digits-classifier) into
``tmp_path``, breaks one thing, and runs ``sdkgen build`` with a private stage cache. The output folder
already holds a previous build, whose listing must be the same afterwards. docs/reliability.md
lists every case with its message and exit code.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sdkgen.cli import main
from sdkgen.models.hf import inspect_checkpoint
from sdkgen.stages import StageRunner

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
#: What the samples are built for in these tests: the refusals come before any target is lowered, and a
#: case that was wrongly accepted should fail fast rather than build four targets.
ONE_TARGET = ["executorch:xnnpack"]


@pytest.fixture(autouse=True)
def _no_stage_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every refusal here comes before the first pipeline stage; a bad input that got past its check fails the
    test at once instead of building the whole sample."""

    def stage(self: object, name: str, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"stage {name!r} ran: the bad input was accepted")

    monkeypatch.setattr(StageRunner, "_stage", stage)


def _copy(tmp_path: Path, sample: str) -> Path:
    """A copy of ``samples/<sample>`` (its model files and data, not its scripts' caches)."""
    dst = tmp_path / sample
    shutil.copytree(SAMPLES / sample, dst, ignore=shutil.ignore_patterns("__pycache__", "README.md", "train.py"))
    return dst


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted(
        (p.relative_to(folder).as_posix(), p.stat().st_size if p.is_file() else -1) for p in folder.rglob("*")
    )


def _refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    config: Path,
    code: int,
    *words: str,
    targets: list[str] | None = ONE_TARGET,
) -> str:
    """Run ``sdkgen build config`` into an output folder holding a previous build; check the exit code, that
    stderr is one error (no traceback) containing ``words`` and a hint, and that the folder is unchanged."""
    out = tmp_path / "dist"
    previous = out / config.parent.name if config.suffix == ".toml" else out / config.name
    previous.mkdir(parents=True, exist_ok=True)
    (previous / "report.json").write_text('{"status": "passed"}\n')
    before = _listing(out)
    argv = ["build", str(config), "--out", str(out), "--cache-dir", str(tmp_path / "cache")]
    code_got = main([*argv, *(["--targets", *targets] if targets else [])])
    stderr = capsys.readouterr().err
    assert code_got == code, stderr
    # The error is the last thing printed (transformers may log progress before it).
    start = stderr.find("error: ") if stderr.startswith("error: ") else stderr.rfind("\nerror: ") + 1
    assert start >= 0 and stderr[start:].startswith("error: "), stderr
    err = stderr[start:]
    assert "Traceback" not in err
    assert "\nhint: " in err, err
    for w in words:
        assert w in err, f"{w!r} not in:\n{err}"
    assert _listing(out) == before, "the output folder changed"
    return err


# --- the config file (exit 2) ---------------------------------------------------------------------------------


def test_malformed_toml_names_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    _edit(proj / "sdkgen.toml", 'name = "tiny-llm"', 'name = "tiny-llm')
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 2, "not valid TOML", "line 12, column 17")


def test_toml_that_is_not_utf8_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    (proj / "sdkgen.toml").write_bytes(
        (proj / "sdkgen.toml").read_bytes().replace(b'name = "tiny-llm"', b'name = "tiny-\xff"')
    )
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 2, "not valid TOML", "0xff is not UTF-8", "line 12, column")


@pytest.mark.parametrize(
    ("old", "new", "key", "suggestion"),
    [
        ('source = "model"', 'sorce = "model"', "model.sorce", "'source'"),
        ("[export]", "[exprot]", "exprot", "'export'"),
        ("min_sdk = 24", "minsdk = 24", "android.minsdk", "'min_sdk'"),
    ],
)
def test_unknown_key_suggests_the_known_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str, suggestion: str
) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    _edit(proj / "sdkgen.toml", old, new)
    _refused(
        capsys,
        tmp_path,
        proj / "sdkgen.toml",
        2,
        f"unknown key {key!r}",
        f"did you mean {suggestion}?",
        "valid choices:",
    )


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("max_seq_len = 128", 'max_seq_len = "128"', ["export.max_seq_len = '128'", "a whole number"]),
        ("min_sdk = 24", "min_sdk = 24.5", ["android.min_sdk = 24.5", "a whole number"]),
        (
            'targets = ["executorch:xnnpack", "executorch:coreml", "litert:cpu", "coreml:ane"]',
            'targets = "executorch:xnnpack"',
            ["targets = 'executorch:xnnpack'", "a list"],
        ),
        ("[model]", 'litert = "cpu"\n[model]', ["litert = 'cpu'", "should be a table", "a [table]"]),
        ('prompts = ["The list"', 'prompts = [1, "The list"', ["verify.prompts[0] = 1", "a quoted string"]),
    ],
)
def test_wrong_type_names_key_value_and_expected_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, words: list[str]
) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    _edit(proj / "sdkgen.toml", old, new)
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 2, *words)


def test_core_ml_target_in_an_android_only_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """sdkgen has no Android-only config ([android] and [ios] are both required), so an Android-only build is
    one without an [ios] table: a Core ML target there is refused, naming the target that ships on iOS."""
    proj = _copy(tmp_path, "text-classifier")
    toml = proj / "sdkgen.toml"
    _edit(toml, '[ios]\nmodule = "Topics"\n', "")
    _edit(
        toml, 'targets = ["executorch:xnnpack", "litert:cpu", "coreml:ane"]', 'targets = ["litert:cpu", "coreml:ane"]'
    )
    _refused(capsys, tmp_path, toml, 2, "'ios' is missing", "'coreml:ane'", "iOS", "module = ", targets=None)


def test_recipe_the_runtime_cannot_express(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    toml = proj / "sdkgen.toml"
    _edit(
        toml,
        'targets = ["executorch:xnnpack", "executorch:coreml", "litert:cpu", "coreml:ane"]',
        'targets = ["executorch:xnnpack"]',
    )
    _edit(toml, 'targets = { "executorch:coreml" = "none", "litert:cpu" = "none", "coreml:ane" = "none" }\n', "")
    _edit(toml, 'targets = ["executorch:xnnpack", "litert:cpu", "coreml:ane"]\n', "")
    _edit(toml, 'recipe = "8da4w"  ', 'recipe = "palettize"  ')
    _refused(
        capsys,
        tmp_path,
        toml,
        2,
        "'executorch:xnnpack' cannot express recipe 'palettize'",
        "valid choices: ",
        "8da4w",
        targets=None,
    )


def test_recipe_for_another_task(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """static-int8 calibrates image classifiers only; a text classifier cannot take it."""
    proj = _copy(tmp_path, "text-classifier")
    _edit(proj / "sdkgen.toml", 'recipe = "none"', 'recipe = "static-int8"\ncalibration = "eval.jsonl"')
    _refused(
        capsys, tmp_path, proj / "sdkgen.toml", 2, "'static-int8'", "image-classification", "'text-classification'"
    )


# --- the model files (exit 7) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["tiny-llm", "text-classifier"])
def test_missing_model_safetensors(tmp_path: Path, capsys: pytest.CaptureFixture[str], sample: str) -> None:
    proj = _copy(tmp_path, sample)
    (proj / "model" / "model.safetensors").unlink()
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "no weights in", "model.safetensors", "valid choices:")


@pytest.mark.parametrize("sample", ["tiny-llm", "text-classifier"])
def test_truncated_model_safetensors(tmp_path: Path, capsys: pytest.CaptureFixture[str], sample: str) -> None:
    weights = _copy(tmp_path, sample) / "model" / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    _refused(
        capsys,
        tmp_path,
        weights.parents[1] / "sdkgen.toml",
        7,
        "model.safetensors is corrupt or truncated",
        f"the file has {len(data) // 2}",
    )


def test_safetensors_cut_inside_its_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = _copy(tmp_path, "text-classifier") / "model" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    _refused(capsys, tmp_path, weights.parents[1] / "sdkgen.toml", 7, "corrupt or truncated", "header length")


def test_git_lfs_pointer_instead_of_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = _copy(tmp_path, "tiny-llm") / "model" / "model.safetensors"
    weights.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 8071888\n")
    _refused(capsys, tmp_path, weights.parents[1] / "sdkgen.toml", 7, "corrupt or truncated", "Git LFS")


@pytest.mark.parametrize(
    ("sample", "architecture", "words"),
    [
        ("tiny-llm", "GPT2LMHeadModel", ["unsupported architecture 'GPT2LMHeadModel'", "LlamaForCausalLM"]),
        ("text-classifier", "RobertaForSequenceClassification", ["'RobertaForSequenceClassification'", "BertFor"]),
    ],
)
def test_config_json_of_an_unsupported_architecture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sample: str, architecture: str, words: list[str]
) -> None:
    proj = _copy(tmp_path, sample)
    _edit_json(proj / "model" / "config.json", lambda c: c.update(architectures=[architecture]))
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, *words, "valid choices:")


def test_config_json_that_is_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "text-classifier")
    (proj / "model" / "config.json").write_text('{"architectures": ["BertForSequenceClassification"],')
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "config.json is not valid JSON")


def _add_token(tokenizer: Path, token_id: int) -> None:
    def change(t: dict) -> None:
        t["added_tokens"].append(
            {
                "id": token_id,
                "content": "<|extra|>",
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
        )

    _edit_json(tokenizer, change)


def test_tokenizer_with_more_ids_than_embedding_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A token id the embedding table has no row for would index past it on the phone: refused."""
    proj = _copy(tmp_path, "tiny-llm")
    _add_token(proj / "model" / "tokenizer.json", 2048)
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "token id 2048", "'<|extra|>'", "vocab_size 2048")


def test_config_vocab_size_that_does_not_match_the_embedding_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    _edit_json(proj / "model" / "config.json", lambda c: c.update(vocab_size=1024))
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "vocab_size 1024", "2048 rows", "model.embed_tokens.weight")


def test_tokenizer_with_fewer_ids_than_embedding_rows_is_accepted(tmp_path: Path) -> None:
    """Checkpoints often pad the embedding table past the tokenizer (Qwen2.5: 151,936 rows, 151,665 tokens);
    the unused rows are never looked up, so that is fine."""
    model = _copy(tmp_path, "tiny-llm") / "model"

    def drop_last(t: dict) -> None:
        vocab = t["model"]["vocab"]
        del vocab[max(vocab, key=vocab.__getitem__)]

    _edit_json(model / "tokenizer.json", drop_last)
    assert inspect_checkpoint(model).vocab_size == 2048


def test_wordpiece_vocabulary_larger_than_the_classifier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "text-classifier")
    _edit_json(proj / "model" / "config.json", lambda c: c.update(vocab_size=100))
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "178 rows", "vocab_size 100")


def test_wordpiece_token_past_the_classifier_embeddings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "text-classifier")
    _edit_json(proj / "model" / "tokenizer.json", lambda t: t["model"]["vocab"].update(zebra=178))
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "token id 178 ('zebra')", "vocab_size 178")


def test_text_labels_that_do_not_match_the_classifier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "text-classifier")
    (proj / "labels.txt").write_text("sports\nweather\nfood\n")
    _edit(proj / "sdkgen.toml", 'task = "text-classification"', 'task = "text-classification"\nlabels = "labels.txt"')
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "model.labels has 3 names", "4 outputs")


def test_image_labels_that_do_not_match_the_classifier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "digits-classifier")
    (proj / "labels.txt").write_text("".join(f"{i}\n" for i in range(9)))
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "image.labels has 9 names", "10 outputs")


# --- calibration data (exit 7) --------------------------------------------------------------------------------


def test_text_calibration_for_an_image_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "digits-classifier")
    (proj / "calibration.txt").write_text("one\ntwo\n")
    _edit(proj / "sdkgen.toml", 'calibration = "calibration.npz"', 'calibration = "calibration.txt"')
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "calibration.txt", "is not an .npz file", "'images'")


def test_empty_image_calibration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "digits-classifier")
    np.savez(proj / "calibration.npz", images=np.zeros((0, 8, 8, 1), dtype=np.uint8))
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "compress.calibration", "(0, 8, 8, 1)", "[N, 8, 8, 1]")


@pytest.mark.parametrize("content", ["text", "no-images"])
def test_npz_calibration_that_is_not_an_image_npz(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    proj = _copy(tmp_path, "digits-classifier")
    if content == "text":
        (proj / "calibration.npz").write_text("not a zip archive\n")
        words = ["is not an .npz (zip) archive"]
    else:
        np.savez(proj / "calibration.npz", pixels=np.zeros((4, 8, 8, 1), np.uint8))
        words = ["has no 'images' array", "valid choices: images"]
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "calibration.npz", *words)


@pytest.mark.parametrize("sample", ["tiny-llm", "text-classifier"])
def test_npz_calibration_for_a_text_model(tmp_path: Path, capsys: pytest.CaptureFixture[str], sample: str) -> None:
    proj = _copy(tmp_path, sample)
    shutil.copyfile(SAMPLES / "digits-classifier" / "calibration.npz", proj / "calibration.npz")
    toml = proj / "sdkgen.toml"
    if sample == "tiny-llm":
        _edit(toml, 'calibration = "calibration.txt"', 'calibration = "calibration.npz"')
    else:
        _edit(toml, 'recipe = "none"', 'recipe = "none"\ncalibration = "calibration.npz"')
    _refused(capsys, tmp_path, toml, 7, "calibration.npz", "text file")


@pytest.mark.parametrize("sample", ["tiny-llm", "text-classifier"])
def test_empty_text_calibration(tmp_path: Path, capsys: pytest.CaptureFixture[str], sample: str) -> None:
    proj = _copy(tmp_path, sample)
    (proj / "calibration.txt").write_text("\n  \n")
    if sample == "text-classifier":
        _edit(proj / "sdkgen.toml", 'recipe = "none"', 'recipe = "none"\ncalibration = "calibration.txt"')
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "calibration.txt", "has no text")


def test_missing_calibration_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    (proj / "calibration.txt").unlink()
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "calibration.txt", "not found")


@pytest.mark.parametrize(
    ("labels", "words"),
    [
        (np.arange(360) % 12, ["labels range over 0 .. 11", "10 classes"]),
        (np.zeros(359, np.int64), ["labels are int64 (359,) for 360 images"]),
        (np.zeros(360, np.float32), ["labels are float32"]),
    ],
)
def test_image_eval_labels_that_do_not_fit_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], labels: np.ndarray, words: list[str]
) -> None:
    proj = _copy(tmp_path, "digits-classifier")
    with np.load(proj / "heldout.npz") as data:
        images = data["images"]
    np.savez(proj / "heldout.npz", images=images, labels=labels)
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "verify.eval_data", *words)


def test_calibration_text_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _copy(tmp_path, "tiny-llm")
    (proj / "calibration.txt").write_bytes(b"def f():\n\xff\xfe\x00binary\n")
    _refused(capsys, tmp_path, proj / "sdkgen.toml", 7, "calibration.txt", "is not UTF-8 text: byte 0xff at offset 9")
