"""Generated SDKs: golden snapshots (``--update-golden`` rewrites them), determinism, and compilation of the
whole Android library and Swift package against the runtime stubs, including a template with a deliberate
type error that must fail to compile; the README's usage example is the compiled one, and the nasty-names
sample's labels come back intact from the compiled SDKs."""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sdkgen.check.kotlin import compile_kotlin, find_kotlin_compiler
from sdkgen.check.swift import build_swift_package, find_swift
from sdkgen.hostrun.ios import IOS_SOURCES as EXECUTORCH_STAND_IN
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.sdk import android, ios
from sdkgen.sdk.render import TEMPLATES_ROOT
from tests.conftest import GOLDEN, ROOT, STUBS, TOKENIZERS, fake_files, load_spec

SPECS = [
    "tiny-llm",
    "tiny-llm-all",
    "nasty-names",
    "tensor-mlp",
    "nasty-tensor",
    "nasty-labels",
    "tensor-litert",
    "tensor-coreml",
    "tensor-coreml-ane",
    "minilm-embedder",
    "minilm-embedder-alt",
    "digits-classifier",
    "digits-classifier-alt",
    "text-classifier",
    # 8da8w for ExecuTorch, int8 quantized by LiteRT and Core ML themselves: each backend's device test
    # compares with what the host verified it against (the compressed model's or the fp32 model's outputs).
    "text-classifier-quantized",
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
    out = _render("nasty-names", "ios", tmp_path / "ios")
    module = load_spec("nasty-names").ios.module
    swift = (out / "Sources" / module / "Model2dClass.swift").read_text()
    assert "public final class Model2dClass: @unchecked Sendable" in swift
    test = (out / "Tests" / f"{module}Tests" / "Model2dClassGoldenTests.swift").read_text()
    # Swift has no `$` templates, but `\(` is one: the backslash is escaped, so no interpolation survives.
    assert '"$price"' in test and r'"say \"hi\""' in test and r'"line\nbreak\ttab\r"' in test


def test_nasty_labels_are_escaped_in_both_languages(tmp_path: Path) -> None:
    """The label list is written with each language's literal escapes (the round trip is run below)."""
    kt = _render("nasty-labels", "android", tmp_path / "android")
    api = (kt / "src/main/kotlin/com/example/nasty_labels/ModelString.kt").read_text()
    assert r'"\$price"' in api and r'"\${x}"' in api and r'"\\(x)"' in api and r'"tab\there"' in api
    sw = _render("nasty-labels", "ios", tmp_path / "ios")
    api = (sw / "Sources/NastyLabels/ModelString.swift").read_text()
    assert '"$price"' in api and r'"\\(x)"' in api and r'"\"quoted\""' in api and r'"tab\there"' in api


def _readme_example(readme: str, language: str) -> str:
    """The fenced ``language`` block of the README's Usage section."""
    usage = readme.split("\n## Usage\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"^```{language}\n(.*?)^```$", usage, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, f"expected one {language} block in the Usage section, found {len(blocks)}"
    return str(blocks[0])


def _compiled_example(source: str) -> str:
    """The lines between the README markers of a generated ``ReadmeExample`` file, indentation removed."""
    body = source.split("// README example: begin\n", 1)[1].split("    // README example: end", 1)[0]
    return "".join(line.removeprefix("    ") + "\n" for line in body.splitlines())


@pytest.mark.parametrize(("spec_name", "platform"), CASES)
def test_readme_example_is_the_compiled_one(spec_name: str, platform: str, tmp_path: Path) -> None:
    """Each SDK's README shows, character for character, the usage example that the compile tests build
    (``ReadmeExample.kt`` in the Android tests, ``ReadmeExample.swift`` in the Swift test target); it has at
    most five lines."""
    out = _render(spec_name, platform, tmp_path / "out")
    spec = load_spec(spec_name)
    if platform == "android":
        language = "kotlin"
        compiled = out / "src/androidTest/kotlin" / spec.android.package.replace(".", "/") / "ReadmeExample.kt"
    else:
        language = "swift"
        compiled = out / "Tests" / f"{spec.ios.module}Tests" / "ReadmeExample.swift"
    shown = _readme_example((out / "README.md").read_text(encoding="utf-8"), language)
    assert shown == _compiled_example(compiled.read_text(encoding="utf-8"))
    assert 2 <= len(shown.splitlines()) <= 5


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


#: Apple frameworks that Linux lacks, each with its compile stub (tests/stubs/ios/<folder>/<Module>.swift).
APPLE_STUBS = {"CoreML": "coreml", "CoreGraphics": "coregraphics", "CoreVideo": "corevideo"}


def _apple_frameworks(sdk: Path) -> list[str]:
    """The stubbed frameworks the package's library imports (it guards each with ``#if canImport(...)``)."""
    sources = "".join(p.read_text(encoding="utf-8") for p in sorted((sdk / "Sources").rglob("*.swift")))
    return [name for name in APPLE_STUBS if f"canImport({name})" in sources]


#: The file the harness adds to the library of a stubbed copy; generated packages never contain it.
REQUIRE_RUNTIMES_FILE = "SdkgenTestRequiresRuntimes.swift"


def _canimported(sdk: Path, module: str) -> list[str]:
    """Every module that the library ``module`` of ``sdk`` tests with ``canImport(...)``, in order of appearance."""
    sources = "".join(p.read_text(encoding="utf-8") for p in sorted((sdk / "Sources" / module).rglob("*.swift")))
    return list(dict.fromkeys(re.findall(r"canImport\(\s*([A-Za-z_][A-Za-z0-9_.]*)", sources)))


def _require_runtimes(sdk: Path, module: str) -> None:
    """Add to the library ``module`` of ``sdk`` (a stubbed copy) one ``#error`` per ``canImport(X)`` its sources
    test, each active only when ``X`` can't be imported. With the stubs present every runtime branch must be the one
    compiled: a misspelt module, or a product that does not provide it, would otherwise build the
    ``runtimeUnavailable`` fallback and pass without the runtime code being type-checked at all."""
    lines = ["// Added by the sdkgen test harness to a stubbed copy of the package. Never generated.\n"]
    for name in _canimported(sdk, module):
        lines.append(
            f"#if !canImport({name})\n"
            f'#error("canImport({name}) is false with the runtime stubs present, so the code it guards is not '
            'compiled: a misspelt module name, a missing stub, or a product that does not provide it")\n'
            "#endif\n"
        )
    (sdk / "Sources" / module / REQUIRE_RUNTIMES_FILE).write_text("".join(lines), encoding="utf-8")


def _with_apple_stubs(sdk: Path, module: str, dest: Path) -> Path:
    """A copy of ``sdk`` whose library also depends on local modules built from the stubs of the Apple
    frameworks it imports (Linux has no Core ML, Core Graphics or Core Video; on Apple platforms the real ones
    are imported), so that the code behind ``#if canImport(...)`` is compiled too; the copy fails to build
    when any ``canImport`` of its library is false (see :func:`_require_runtimes`)."""
    shutil.copytree(sdk, dest)
    manifest = (dest / "Package.swift").read_text()
    target = f'            name: "{module}",\n            dependencies: [\n'
    assert target in manifest
    for name in reversed(_apple_frameworks(sdk)):
        (dest / "Sources" / name).mkdir()
        shutil.copyfile(STUBS / "ios" / APPLE_STUBS[name] / f"{name}.swift", dest / "Sources" / name / f"{name}.swift")
        manifest = manifest.replace(target, target + f'                "{name}",\n', 1)
        manifest = manifest.replace("    targets: [\n", f'    targets: [\n        .target(name: "{name}"),\n', 1)
    (dest / "Package.swift").write_text(manifest)
    _require_runtimes(dest, module)
    return dest


@needs_swift
@pytest.mark.parametrize("spec_name", [s for s, p in CASES if p == "ios"])
def test_swift_package_builds_against_stub(spec_name: str, swift_scratch: Path, tmp_path: Path) -> None:
    sdk = _render(spec_name, "ios", tmp_path / "out")
    spec = load_spec(spec_name)
    sdk = _with_apple_stubs(sdk, spec.ios.module, tmp_path / "with-stubs")
    if spec.task == "image-classification":
        # App code in Swift 6 mode: a capture delegate (nonisolated) hands over the frame it was given, and the
        # main actor its bytes, without data-race errors (the stubs' CVBuffer and CGImage are not Sendable).
        assert {"CoreGraphics", "CoreVideo"} <= set(_apple_frameworks(sdk))
        model = ios.naming.type_name(spec.name)
        (sdk / "Tests" / f"{spec.ios.module}Tests" / "AppCallers.swift").write_text(
            f"import CoreGraphics\nimport CoreVideo\nimport {spec.ios.module}\n\n"
            f"func classifyFrame(_ model: {model}, _ frame: CVPixelBuffer, _ image: CGImage) async throws {{\n"
            "    _ = try await model.classify(frame, topK: 1)\n"
            "    _ = try await model.classify(image)\n}\n\n"
            f"@MainActor func classifyOnMain(_ model: {model}, _ rgba: [UInt8]) async throws {{\n"
            "    _ = try await model.classify(rgba: rgba)\n}\n",
            encoding="utf-8",
        )
    r = build_swift_package(
        sdk,
        mirrors={EXECUTORCH_URL: EXECUTORCH_STAND_IN},
        build_tests=True,
        scratch_dir=swift_scratch / spec_name,
    )
    assert r.ok, r.output


@needs_swift
def test_swift_misspelt_runtime_module_fails(swift_scratch: Path, tmp_path: Path) -> None:
    """A misspelt module in a template's ``#if canImport(...)`` compiles the ``runtimeUnavailable`` fallback,
    which builds; with the stubs present the harness's guard (:func:`_require_runtimes`) fails the build."""
    root = tmp_path / "templates"
    shutil.copytree(TEMPLATES_ROOT, root)
    engine = root / "ios/executorch/tensor/Sources/{{ module }}/{{ engine }}.swift.jinja"
    text = engine.read_text(encoding="utf-8")
    assert text.count("canImport(ExecuTorch)") >= 2
    engine.write_text(text.replace("canImport(ExecuTorch)", "canImport(ExecuTorh)"), encoding="utf-8")
    spec = load_spec("tensor-mlp")
    sdk = _with_apple_stubs(_render("tensor-mlp", "ios", tmp_path / "out", root), spec.ios.module, tmp_path / "pkg")
    r = build_swift_package(
        sdk,
        mirrors={EXECUTORCH_URL: EXECUTORCH_STAND_IN},
        build_tests=False,
        scratch_dir=swift_scratch / "misspelt",
    )
    assert not r.ok
    assert "canImport(ExecuTorh) is false" in r.output, r.output


# -- the nasty-names sample's labels, at run time ------------------------------------------------------

NASTY_SAMPLE = ROOT / "samples" / "nasty-names"


def _reference_labels() -> list[str]:
    """The sample's labels.txt read in Python: the reference that the compiled SDKs must reproduce."""
    labels = (NASTY_SAMPLE / "labels.txt").read_text(encoding="utf-8").split("\n")
    assert labels[-1] == "" and all(labels[:-1])
    return labels[:-1]


def _codepoints(strings: list[str]) -> list[str]:
    return [",".join(str(ord(c)) for c in s) for s in strings]


def kotlin_labels_at_run_time(
    sources: list[Path], package: str, type_name: str, work: Path, stub_classes: Path, *, timeout: float
) -> list[str]:
    """Compile ``sources`` with a driver printing ``<type_name>.LABELS`` as code points, run it on the JVM, and
    return its lines (see :func:`_codepoints`)."""
    assert KOTLIN is not None and KOTLIN.java is not None
    driver = work / "driver" / "Main.kt"
    driver.parent.mkdir(parents=True)
    driver.write_text(
        f"package {package}\n\nfun main() {{\n"
        f"    for (label in {type_name}.LABELS)\n"
        '        println(label.codePoints().toArray().joinToString(","))\n}\n'
    )
    r = compile_kotlin([*sources, driver], work / "classes", classpath=[stub_classes], compiler=KOTLIN)
    assert r.ok, r.diagnostics
    classpath = ":".join(str(p) for p in [work / "classes", stub_classes, *KOTLIN.compile_classpath()])
    run = subprocess.run(
        [str(KOTLIN.java), "-cp", classpath, f"{package}.MainKt"], capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split("\n")[:-1]


def swift_labels_at_run_time(
    sdk: Path, module: str, type_name: str, scratch: Path, *, build_tests: bool, timeout: float
) -> list[str]:
    """Add an executable printing ``<type_name>.labels`` as code points to the package ``sdk`` (stubbed for
    Linux), build and run it, and return its lines (see :func:`_codepoints`)."""
    (sdk / "Sources" / "LabelsDriver").mkdir()
    (sdk / "Sources" / "LabelsDriver" / "main.swift").write_text(
        f"import {module}\n\nfor label in {type_name}.labels {{\n"
        '    print(label.unicodeScalars.map { String($0.value) }.joined(separator: ","))\n}\n'
    )
    manifest = (sdk / "Package.swift").read_text()
    driver = f'        .executableTarget(name: "LabelsDriver", dependencies: ["{module}"]),\n'
    (sdk / "Package.swift").write_text(manifest.replace("    targets: [\n", "    targets: [\n" + driver, 1))
    r = build_swift_package(
        sdk, mirrors={EXECUTORCH_URL: EXECUTORCH_STAND_IN}, build_tests=build_tests, scratch_dir=scratch
    )
    assert r.ok, r.output
    exe = next(p for p in scratch.rglob("LabelsDriver") if p.is_file() and p.parent.name == "debug")
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr
    return run.stdout.split("\n")[:-1]


def test_nasty_labels_spec_is_the_samples() -> None:
    spec = load_spec("nasty-labels")
    assert list(spec.labels) == _reference_labels()
    assert {"class", "in", "$price", "self", "Type", "2d_mask", "mañana", '"quoted"', "*/", "${x}"} <= set(spec.labels)


@needs_kotlin
def test_android_labels_survive_at_run_time(android_stub_classes: Path, tmp_path: Path) -> None:
    """``ModelString.LABELS`` of the generated library, compiled with a driver and run on the JVM, prints
    the code points of labels.txt."""
    spec = load_spec("nasty-labels")
    sdk = _render("nasty-labels", "android", tmp_path / "out")
    got = kotlin_labels_at_run_time(
        [sdk / "src/main/kotlin"], spec.android.package, "ModelString", tmp_path, android_stub_classes, timeout=120
    )
    assert got == _codepoints(_reference_labels())


@needs_swift
def test_swift_labels_survive_at_run_time(swift_scratch: Path, tmp_path: Path) -> None:
    """``ModelString.labels`` of the generated package, linked into an executable and run on Linux,
    prints the code points of labels.txt."""
    spec = load_spec("nasty-labels")
    module = spec.ios.module
    sdk = _with_apple_stubs(_render("nasty-labels", "ios", tmp_path / "out"), module, tmp_path / "pkg")
    scratch = swift_scratch / "nasty-labels-driver"
    got = swift_labels_at_run_time(sdk, module, "ModelString", scratch, build_tests=False, timeout=120)
    assert got == _codepoints(_reference_labels())


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
        mirrors={EXECUTORCH_URL: EXECUTORCH_STAND_IN},
        build_tests=True,
        scratch_dir=swift_scratch / "broken",
    )
    assert not r.ok
    assert "broken" in r.output or "cannot convert" in r.output
