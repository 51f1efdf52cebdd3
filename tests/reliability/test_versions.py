"""Version mismatches: an SDK pinned to a runtime that cannot load the artifact is a build error (exit 10)
naming both versions and the fix; ``sdkgen inspect`` shows the versions inside an artifact."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from sdkgen.cli import main
from sdkgen.errors import RuntimeVersionMismatch
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.runtimes.compat import check_sdk, release
from sdkgen.runtimes.coreml.inspect import spec_versions
from sdkgen.sdk import android, ios
from sdkgen.spec import ModelSpec
from tests.conftest import fake_files, load_spec

ROOT = Path(__file__).resolve().parents[2]


def _sdk(spec: ModelSpec, platform: str, tmp: Path) -> tuple[Path, dict[str, Path]]:
    files = fake_files(spec, tmp / "files")
    gen = {"android": android.generate, "ios": ios.generate}[platform]
    gen(spec, files, tmp / platform)
    return tmp / platform, files


def _serving(spec: ModelSpec, platform: str) -> list:  # type: ignore[type-arg]
    return [a for a in spec.artifacts if TARGETS.get(a.target).ships(platform, spec.task)]


def test_release_reads_local_and_dev_versions() -> None:
    assert release("2.13.0+cpu") == (2, 13, 0)
    assert release("1.5.0.dev20260101") == (1, 5, 0)
    assert release("1.5.1rc2") == (1, 5, 1)


@pytest.mark.parametrize("platform", ["android", "ios"])
def test_generated_pins_load_the_artifacts(platform: str, tmp_path: Path) -> None:
    spec = load_spec("tensor-litert")
    sdk, files = _sdk(spec, platform, tmp_path)
    checked = check_sdk(platform, sdk, _serving(spec, platform), files)
    pinned = {c["pinned"] for c in checked}
    if platform == "android":
        assert pinned == {"executorch-android 1.5.1", "litert 2.3.0"}
    else:
        assert "executorch Swift package (swiftpm branch) 1.5.1" in pinned and "iOS 17.0" in pinned
    assert all(c["status"] == "passed" for c in checked)


@pytest.mark.parametrize(
    ("platform", "file", "pattern", "replacement", "message"),
    [
        (
            "android",
            "build.gradle.kts",
            r'strictly\("1\.5\.1"\)',
            'strictly("1.4.0")',
            "pins executorch-android 1.4.0 (android/build.gradle.kts); the artifact needs the ExecuTorch 1.5.x runtime",
        ),
        (
            "ios",
            "Package.swift",
            r"swiftpm-1\.5\.1",
            "swiftpm-1.6.0",
            "pins executorch Swift package (swiftpm branch) 1.6.0 (ios/Package.swift)",
        ),
        (
            "android",
            "build.gradle.kts",
            r"litert:2\.3\.0",
            "litert:2.1.4",
            "pins litert 2.1.4 (android/build.gradle.kts); the artifact needs LiteRT 2.3 or newer",
        ),
    ],
)
def test_a_pin_that_cannot_load_the_artifact_fails(
    platform: str, file: str, pattern: str, replacement: str, message: str, tmp_path: Path
) -> None:
    spec = load_spec("tensor-litert")
    sdk, files = _sdk(spec, platform, tmp_path)
    text = (sdk / file).read_text()
    assert re.search(pattern, text)
    (sdk / file).write_text(re.sub(pattern, replacement, text))
    with pytest.raises(RuntimeVersionMismatch) as e:
        check_sdk(platform, sdk, _serving(spec, platform), files)
    assert e.value.exit_code == 10
    assert message in e.value.message
    assert "was exported by" in e.value.message and "hint: " in str(e.value)


def test_a_newer_litert_runtime_loads_an_older_flatbuffer(tmp_path: Path) -> None:
    spec = load_spec("tensor-litert")
    sdk, files = _sdk(spec, "android", tmp_path)
    gradle = sdk / "build.gradle.kts"
    gradle.write_text(gradle.read_text().replace("litert:2.3.0", "litert:2.4.1"))
    checked = check_sdk("android", sdk, _serving(spec, "android"), files)
    assert "litert 2.4.1" in {c["pinned"] for c in checked}


def test_an_sdk_without_the_runtime_fails(tmp_path: Path) -> None:
    spec = load_spec("tensor-mlp")
    sdk, files = _sdk(spec, "android", tmp_path)
    gradle = sdk / "build.gradle.kts"
    gradle.write_text("\n".join(line for line in gradle.read_text().splitlines() if "executorch-android" not in line))
    with pytest.raises(RuntimeVersionMismatch, match="does not depend on executorch at all"):
        check_sdk("android", sdk, _serving(spec, "android"), files)


def _mlpackage(folder: Path, spec_version: int) -> Path:
    """A package holding only a Manifest.json and a model spec with ``spec_version`` and coremltools metadata."""
    package = folder / "model.mlpackage"
    (package / "Data" / "com.apple.CoreML").mkdir(parents=True)
    item = {"path": "com.apple.CoreML/model.mlmodel", "name": "model.mlmodel"}
    (package / "Manifest.json").write_text(json.dumps({"itemInfoEntries": {"id": item}, "rootModelIdentifier": "id"}))
    key, value = b"com.github.apple.coremltools.version", b"9.0"
    entry = b"\x0a" + bytes([len(key)]) + key + b"\x12" + bytes([len(value)]) + value
    metadata = b"\xa2\x06" + bytes([len(entry)]) + entry  # field 100, length-delimited
    description = b"\xa2\x06" + bytes([len(metadata)]) + metadata
    spec = b"\x08" + bytes([spec_version]) + b"\x12" + bytes([len(description)]) + description
    (package / "Data" / "com.apple.CoreML" / "model.mlmodel").write_bytes(spec)
    return package


def test_core_ml_spec_version_needs_its_ios(tmp_path: Path) -> None:
    spec = load_spec("tensor-coreml-ane")
    sdk, files = _sdk(spec, "ios", tmp_path)
    [artifact] = spec.artifacts
    files[artifact.file] = _mlpackage(tmp_path, 9)  # an iOS 18 ML program, in a package declaring iOS 17
    assert spec_versions(files[artifact.file]) == {
        "specification_version": 9,
        "minimum_ios": "18.0",
        "coremltools": "9.0",
        "source": None,
    }
    with pytest.raises(RuntimeVersionMismatch) as e:
        check_sdk("ios", sdk, [artifact], files)
    assert "needs iOS 18.0 (Core ML specification version 9 loads on iOS 18.0)" in e.value.message
    assert "declares iOS 17.0" in e.value.message and 'ios.minimum_ios = "18.0"' in str(e.value)
    files[artifact.file] = _mlpackage(tmp_path / "ios17", 8)
    assert {c["needs"] for c in check_sdk("ios", sdk, [artifact], files)} == {"iOS 17.0"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "samples" / "tensor-mlp", proj, ignore=shutil.ignore_patterns("README.md", "__pycache__"))
    return proj


def test_build_with_a_mismatched_pin_exits_10_and_writes_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The XNNPACK target's Gradle line pinned to another ExecuTorch than the one that exports the .pte."""
    load_runtimes()
    info = TARGETS.get("executorch:xnnpack")
    lines = tuple(d.replace("{version}", "1.4.0") for d in info.binding.gradle_dependencies)
    patched = dataclasses.replace(info, binding=dataclasses.replace(info.binding, gradle_dependencies=lines))
    monkeypatch.setitem(TARGETS._items, "executorch:xnnpack", patched)
    dist = tmp_path / "dist"
    code = main(
        [
            "build",
            str(project),
            "--targets",
            "executorch:xnnpack",
            "--out",
            str(dist),
            "--cache-dir",
            str(tmp_path / "c"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 10, err
    from importlib.metadata import version

    assert f"was exported by executorch {version('executorch')}" in err
    assert "pins executorch-android 1.4.0 (android/build.gradle.kts)" in err and "hint: " in err
    assert not (dist / "tabular-scorer").exists()
    assert not [p for p in dist.iterdir() if "staging" in p.name] if dist.exists() else True


def test_inspect_shows_the_versions_inside(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dist = tmp_path / "dist"
    targets = ["executorch:xnnpack", "litert:cpu", "coreml:ane"]
    args = ["build", str(project), "--targets", *targets, "--out", str(dist), "--cache-dir", str(tmp_path / "c")]
    assert main(args) == 0
    capsys.readouterr()
    out = dist / "tabular-scorer"
    found = {}
    for f in ("tabular-scorer-xnnpack.pte", "tabular-scorer-cpu.tflite", "tabular-scorer-ane.mlpackage"):
        assert main(["inspect", str(out / f), "--json"]) == 0
        found[f] = json.loads(capsys.readouterr().out)["versions"]
    from importlib.metadata import version

    et, lite, ct = version("executorch"), version("ai-edge-litert"), version("coremltools")
    pte = found["tabular-scorer-xnnpack.pte"]
    assert pte["file_identifier"] == "ET12" and pte["schema_version"] == 0 and pte["extended_header"] is True
    assert pte["exported_by"] == f"executorch {et}"
    assert pte["loads_with"] == f"the ExecuTorch {'.'.join(et.split('.')[:2])}.x runtime"
    tfl = found["tabular-scorer-cpu.tflite"]
    assert tfl["schema_version"] == 3 and re.fullmatch(r"\d+\.\d+\.\d+", tfl["min_runtime_version"])
    assert tfl["exported_by"] == f"litert {lite}"
    ml = found["tabular-scorer-ane.mlpackage"]
    assert ml["specification_version"] == 8 and ml["minimum_ios"] == "17.0" and ml["coremltools"] == ct
    assert ml["loads_with"] == "Core ML on iOS 17.0 or newer"
    # The text form prints them too (and reads a .mlpackage's functions as its methods).
    assert main(["inspect", str(out / "tabular-scorer-ane.mlpackage")]) == 0
    text = capsys.readouterr().out
    assert "versions: specification_version 8, minimum_ios 17.0" in text and "method main" in text
    # The build's report lists each pin it checked.
    report = json.loads((out / "report.json").read_text())
    pins = {(p, c["pinned"]) for p, cs in report["runtime_compatibility"].items() for c in cs}
    assert ("android", f"executorch-android {et}") in pins and ("android", f"litert {lite}") in pins
    assert ("ios", "iOS 17.0") in pins
