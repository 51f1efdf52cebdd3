"""Generated SDKs: golden snapshots (``--update-golden`` rewrites them), determinism, and compilation of the
whole Android library and Swift package against the runtime stubs, including a template with a deliberate
type error that must fail to compile."""

from __future__ import annotations

import difflib
import hashlib
import shutil
from pathlib import Path

import pytest

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.sdk import android, ios
from sdkgen.sdk.common import engines_for
from sdkgen.sdk.render import TEMPLATES_ROOT
from tests.conftest import GOLDEN, STUBS, TOKENIZERS, fake_files, load_spec

SPECS = [
    "tiny-llm",
    "tiny-llm-all",
    "nasty-names",
    "tensor-mlp",
    "nasty-tensor",
    "tensor-litert",
    "tensor-coreml",
    "tensor-coreml-ane",
    "minilm-embedder",
    "minilm-embedder-alt",
    "digits-classifier",
    "digits-classifier-alt",
]
GENERATORS = {"android": android.generate, "ios": ios.generate}


def _platforms(spec_name: str) -> list[str]:
    load_runtimes()
    spec = load_spec(spec_name)
    return [p for p in GENERATORS if any(p in TARGETS.get(a.target).platforms for a in spec.artifacts)]


CASES = [(s, p) for s in SPECS for p in _platforms(s)]
EXECUTORCH_URL = "https://github.com/pytorch/executorch.git"


def _render(spec_name: str, platform: str, out: Path, templates_root: Path = TEMPLATES_ROOT) -> Path:
    spec = load_spec(spec_name)
    GENERATORS[platform](spec, fake_files(spec, out.parent / "files"), out, templates_root)
    return out


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _snapshot(out: Path) -> dict[str, bytes]:
    """The generated tree, with each file copied byte for byte from an input file (artifact, tokenizer)
    recorded as its digest: the snapshot is of what sdkgen writes, not of the (large, real) tokenizers."""
    inputs = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (out.parent / "files").iterdir()}
    inputs |= {hashlib.sha256(p.read_bytes()).hexdigest() for p in TOKENIZERS.values()}
    tree = _tree(out)
    for name, data in tree.items():
        digest = hashlib.sha256(data).hexdigest()
        if digest in inputs:
            tree[name] = f"copied input file, sha256 {digest}\n".encode()
    return tree


@pytest.mark.parametrize(("spec_name", "platform"), CASES)
def test_golden_snapshot(spec_name: str, platform: str, tmp_path: Path, update_golden: bool) -> None:
    out = _render(spec_name, platform, tmp_path / "out")
    expected = GOLDEN / "expected" / spec_name / platform
    if update_golden:
        shutil.rmtree(expected, ignore_errors=True)
        for name, data in _snapshot(out).items():
            (expected / name).parent.mkdir(parents=True, exist_ok=True)
            (expected / name).write_bytes(data)
        pytest.skip("golden snapshot rewritten")
    got, want = _snapshot(out), _tree(expected)
    assert sorted(got) == sorted(want), "files differ from the snapshot; run pytest --update-golden if intended"
    for name in want:
        if got[name] != want[name]:
            diff = "\n".join(
                difflib.unified_diff(
                    want[name].decode(errors="replace").splitlines(),
                    got[name].decode(errors="replace").splitlines(),
                    f"golden/{name}",
                    f"generated/{name}",
                    lineterm="",
                )
            )
            pytest.fail(f"{name} differs from the snapshot (pytest --update-golden if intended):\n{diff}")


@pytest.mark.parametrize(("spec_name", "platform"), CASES)
def test_output_is_deterministic(spec_name: str, platform: str, tmp_path: Path) -> None:
    """Two renders into different folders are byte-identical (no timestamps, no absolute paths)."""
    a = _tree(_render(spec_name, platform, tmp_path / "a" / "out"))
    b = _tree(_render(spec_name, platform, tmp_path / "b" / "out"))
    assert a == b
    leaked = [name for name, data in a.items() if str(tmp_path).encode() in data]
    assert not leaked, f"absolute output path written into {leaked}"


def test_nasty_names_are_renamed_and_escaped(tmp_path: Path) -> None:
    out = _render("nasty-names", "android", tmp_path / "out")
    kt = (out / "src/main/kotlin/com/example/nasty/Model2dClass.kt").read_text()
    assert "class Model2dClass private constructor" in kt
    test = (out / "src/androidTest/kotlin/com/example/nasty/Model2dClassGoldenTest.kt").read_text()
    assert r'Golden("\$price"' in test and r'"say \"hi\""' in test and r'"line\nbreak\ttab\r"' in test


# -- compilation -----------------------------------------------------------------------------------

KOTLIN = find_kotlin_compiler()
SWIFT = find_swift()
needs_kotlin = pytest.mark.skipif(KOTLIN is None, reason="no Kotlin compiler (pip install kotlin-jupyter-kernel)")
needs_swift = pytest.mark.skipif(SWIFT is None, reason="no Swift toolchain")


@pytest.fixture(scope="module")
def android_stub_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if KOTLIN is None:
        pytest.skip("no Kotlin compiler")
    out = tmp_path_factory.mktemp("stub-classes")
    result = compile_kotlin([STUBS / "android"], out, compiler=KOTLIN)
    assert result.ok, result.diagnostics
    return out


def _compile_android(sdk: Path, stubs: Path, out: Path) -> tuple[bool, str]:
    r = compile_kotlin(
        [sdk / "src/main/kotlin", sdk / "src/androidTest/kotlin"], out, classpath=[stubs], compiler=KOTLIN
    )
    return r.ok, r.diagnostics


@needs_kotlin
@pytest.mark.parametrize("spec_name", [s for s, p in CASES if p == "android"])
def test_android_library_compiles_against_stubs(spec_name: str, android_stub_classes: Path, tmp_path: Path) -> None:
    sdk = _render(spec_name, "android", tmp_path / "out")
    ok, diagnostics = _compile_android(sdk, android_stub_classes, tmp_path / "classes")
    assert ok, diagnostics


def _broken_templates(tmp_path: Path, relative: str, needle: str, insert: str) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES_ROOT, root)
    f = root / relative
    text = f.read_text()
    assert needle in text
    f.write_text(text.replace(needle, needle + insert, 1))
    return root


@needs_kotlin
def test_android_type_error_in_template_fails(android_stub_classes: Path, tmp_path: Path) -> None:
    root = _broken_templates(
        tmp_path,
        "android/api/text-generation/src/main/kotlin/{{ package_path }}/{{ class_name }}.kt.jinja",
        "    fun stop() {\n",
        '        val broken: Int = "not an int"\n',
    )
    sdk = _render("tiny-llm", "android", tmp_path / "out", root)
    ok, diagnostics = _compile_android(sdk, android_stub_classes, tmp_path / "classes")
    assert not ok
    assert "broken" in diagnostics or "mismatch" in diagnostics.lower()


@pytest.fixture(scope="module")
def swift_scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("swift-scratch")


def _with_coreml_stub(sdk: Path, module: str, dest: Path) -> Path:
    """A copy of ``sdk`` whose library also depends on a local ``CoreML`` module built from the stub (Linux
    has no Core ML framework; on Apple platforms the real one is imported)."""
    shutil.copytree(sdk, dest)
    (dest / "Sources" / "CoreML").mkdir()
    shutil.copyfile(STUBS / "ios" / "coreml" / "CoreML.swift", dest / "Sources" / "CoreML" / "CoreML.swift")
    manifest = (dest / "Package.swift").read_text()
    target = f'            name: "{module}",\n            dependencies: [\n'
    assert target in manifest
    manifest = manifest.replace(target, target + '                "CoreML",\n', 1)
    manifest = manifest.replace("    targets: [\n", '    targets: [\n        .target(name: "CoreML"),\n', 1)
    (dest / "Package.swift").write_text(manifest)
    return dest


@needs_swift
@pytest.mark.parametrize("spec_name", [s for s, p in CASES if p == "ios"])
def test_swift_package_builds_against_stub(spec_name: str, swift_scratch: Path, tmp_path: Path) -> None:
    sdk = _render(spec_name, "ios", tmp_path / "out")
    spec = load_spec(spec_name)
    if any(a.runtime == "coreml" for a, _ in engines_for(spec, "ios")):
        sdk = _with_coreml_stub(sdk, spec.ios.module, tmp_path / "with-coreml")
    r = build_swift_package(
        sdk,
        mirrors={EXECUTORCH_URL: STUBS / "ios" / "executorch"},
        build_tests=True,
        scratch_dir=swift_scratch / spec_name,
    )
    assert r.ok, r.output


@needs_swift
def test_swift_type_error_in_template_fails(swift_scratch: Path, tmp_path: Path) -> None:
    root = _broken_templates(
        tmp_path,
        "ios/api/text-generation/Sources/{{ module }}/{{ class_name }}.swift.jinja",
        "    public func stop() {\n",
        '        let broken: Int = "not an int"\n',
    )
    sdk = _render("tiny-llm", "ios", tmp_path / "out", root)
    r = build_swift_package(
        sdk,
        mirrors={EXECUTORCH_URL: STUBS / "ios" / "executorch"},
        build_tests=True,
        scratch_dir=swift_scratch / "broken",
    )
    assert not r.ok
    assert "broken" in r.output or "cannot convert" in r.output
