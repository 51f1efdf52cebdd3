"""A Keras file or SavedModel as the tensor task's source: TensorFlow's converter, LiteRT verification, the
Android SDK, and what the config refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sdkgen.config import load_config, parse_config
from sdkgen.errors import ConfigError, ModelLoadError
from sdkgen.pipeline import build

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the fixture imports TensorFlow

CONFIG = """\
targets = ["litert:cpu", "litert:gpu"]

[model]
source = "{source}"
task = "tensor"
name = "tiny-keras"

[compress]
recipe = "none"

[android]
package = "com.example.tinykeras"

[ios]
module = "TinyKeras"

[verify]
output_tolerance = 1e-5
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded three-input Keras model (a name with a hyphen, an int32 category) saved as .keras, .h5 and an
    exported SavedModel, with one sdkgen.toml per source."""
    import keras

    keras.utils.set_random_seed(11)
    features = keras.Input((16,), name="features")
    extra = keras.Input((4,), name="extra-in")
    category = keras.Input((1,), name="category", dtype="int32")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(8, 4)(category))
    hidden = keras.layers.Dense(32, activation="gelu")(keras.layers.Concatenate()([features, extra, embedded]))
    logits = keras.layers.Dense(4)(hidden)
    model = keras.Model([features, extra, category], [logits, keras.layers.Softmax()(logits)])
    root = tmp_path_factory.mktemp("keras-source")
    model.save(root / "model.keras")
    model.save(root / "model.h5")
    model.export(str(root / "exported"), verbose=False)
    for name, source in (("keras", "model.keras"), ("h5", "model.h5"), ("saved_model", "exported")):
        (root / f"{name}.toml").write_text(CONFIG.format(source=source))
    return root


@pytest.mark.parametrize("source", ["keras", "saved_model"])
def test_keras_source_builds_verifies_and_generates_android(project: Path, tmp_path: Path, source: str) -> None:
    result = build(
        load_config(project / f"{source}.toml"), tmp_path / "dist", cache_root=tmp_path / "c", log=lambda m: None
    )
    r = result.report
    assert result.passed
    for target in ("litert:cpu", "litert:gpu"):
        checks = {c["name"]: c for c in r["verification"][target]}
        assert checks["io-signature"]["status"] == "passed", checks["io-signature"]["detail"]
        assert "LiteRT narrowed" not in checks["io-signature"]["detail"]
        outputs = checks["outputs"]
        assert outputs["status"] == "passed"
        assert 0 < outputs["data"]["max_relative_error"] < 1e-5  # measured, not skipped
        assert set(outputs["data"]["per_output"]) == {"output_0", "output_1"}
    assert (result.output / "tiny-keras-cpu.tflite").is_file()

    spec = json.loads((result.output / "model-spec.json").read_text())
    method = spec["methods"][0]
    # Sorted by name, as TensorFlow's converter writes the signature; "extra-in" became an identifier.
    assert [(t["name"], t["dtype"], t["shape"]) for t in method["inputs"]] == [
        ("category", "int32", [1, 1]),
        ("extra_in", "float32", [1, 4]),
        ("features", "float32", [1, 16]),
    ]
    assert [t["name"] for t in method["outputs"]] == ["output_0", "output_1"]
    assert len(spec["tensor_golden"]) == 3

    kt = (result.output / "android/src/main/kotlin/com/example/tinykeras/TinyKerasIo.kt").read_text()
    assert "val extraIn: FloatArray" in kt and "val category: IntArray" in kt
    assets = sorted(p.name for p in (result.output / "android/src/main/assets/tiny-keras").iterdir())
    assert assets == ["tiny-keras-cpu.tflite", "tiny-keras-gpu.tflite"]
    android = {c["name"]: c["status"] for c in r["sdk_checks"]["android"]}
    assert android["kotlin-core-compile"] == "passed"
    assert not (result.output / "ios").exists()


def test_conversion_is_deterministic(project: Path, tmp_path: Path) -> None:
    """Builds with empty caches give byte-identical .tflite files: twice from the SavedModel, and the .keras
    and .h5 files of one model give one artifact."""
    shas = {}
    for run, source in enumerate(("h5", "keras", "saved_model", "saved_model")):
        cfg = load_config(project / f"{source}.toml")
        raw = cfg.model_dump(mode="python", exclude={"root"})
        raw["targets"] = ["litert:cpu"]
        out = tmp_path / str(run)
        result = build(parse_config(raw, root=cfg.root), out / "dist", cache_root=out / "c", log=lambda m: None)
        assert result.passed
        shas.setdefault(source, set()).add(result.report["artifacts"][0]["sha256"])
    assert shas["h5"] == shas["keras"]
    assert len(shas["saved_model"]) == 1


def _raw(source: str, **changes: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "targets": ["litert:cpu"],
        "model": {"source": source, "task": "tensor"},
        "compress": {"recipe": "none"},
        "android": {"package": "a.b"},
        "ios": {"module": "M"},
    }
    raw.update(changes)
    return raw


def test_keras_source_is_refused_for_other_runtimes(project: Path) -> None:
    with pytest.raises(ConfigError, match="target 'executorch:xnnpack' cannot lower it") as e:
        parse_config(_raw("model.keras", targets=["litert:cpu", "executorch:xnnpack"]), root=project)
    assert "is a Keras model" in e.value.message
    assert e.value.choices == ["litert:cpu", "litert:gpu"]
    assert 'targets = ["litert:cpu"]' in (e.value.hint or "")
    with pytest.raises(ConfigError, match="is a SavedModel") as e2:
        parse_config(_raw("exported", targets=["coreml:ane"]), root=project)
    assert e2.value.choices == ["litert:cpu", "litert:gpu"]


def test_keras_source_is_refused_with_a_compression_recipe(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"compress\.recipe '8da4w' cannot be applied") as e:
        parse_config(_raw("model.h5", compress={"recipe": "8da4w"}), root=project)
    assert e.value.choices == ["none"]
    assert 'compress.recipe = "none"' in (e.value.hint or "")
    with pytest.raises(ConfigError, match=r"compress\.recipe '8da4w'"):
        parse_config(_raw("model.keras", compress={}), root=project)  # the default recipe is 8da4w


def test_keras_source_builds_only_the_tensor_task(project: Path) -> None:
    raw = _raw("model.keras", model={"source": "model.keras", "task": "image-classification"})
    raw["image"] = {"labels": "labels.txt"}
    with pytest.raises(ConfigError, match="only task 'tensor' builds") as e:
        parse_config(raw, root=project)
    assert 'model.task = "tensor"' in (e.value.hint or "")


def test_unknown_non_batch_dimension_is_a_load_error(tmp_path: Path) -> None:
    import keras

    from sdkgen.models.keras import load_tf_source

    tokens = keras.Input((None, 8), name="tokens")
    keras.Model(tokens, keras.layers.Dense(2)(tokens)).save(tmp_path / "ragged.keras")
    with pytest.raises(ModelLoadError, match=r"input 'tokens' has shape \[None, None, 8\]") as e:
        load_tf_source("ragged.keras", tmp_path)
    assert "keras.Input(shape=(128,))" in (e.value.hint or "")
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_tf_source("missing.keras", tmp_path)


def test_config_needs_no_tensorflow_and_the_build_names_the_extra(project: Path, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "import sdkgen.cli\n"
        "from sdkgen.config import load_config\n"
        f"load_config({str(project / 'keras.toml')!r})\n"
        "assert 'tensorflow' not in [m for m, v in sys.modules.items() if v is not None]\n"
        f"raise SystemExit(sdkgen.cli.main(['build', {str(project / 'keras.toml')!r}, '--out', {str(tmp_path)!r}, "
        f"'--cache-dir', {str(tmp_path / 'c')!r}]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 4, r.stderr
    assert "hint: pip install 'sdkgen[tensorflow]'" in r.stderr
    assert not (tmp_path / "tiny-keras").exists()
