"""The generated Android library's ``ModelFiles`` (extraction of the model out of the APK's assets), run on the
JVM under JUnit with a host ``AssetManager`` (``tests/sdk/model_files/host``): files go to the no-backup
folder, concurrent loads in one process (threads) and in two processes (two JVMs) never take or leave a half
file, earlier versions' folders and the old ``filesDir`` copy are removed while the library's other engines'
folders are kept, an interrupted copy is never taken, and an asset that is not the build's (size, SHA-256) is
refused. The copies really overlap: the host asset streams wait at their first read until every party has
opened its own (``host.rendezvous``)."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from sdkgen.check.kotlin import compile_kotlin, find_junit, find_kotlin_compiler, run_junit
from sdkgen.runtimes import TARGETS, load_runtimes
from sdkgen.sdk import android
from sdkgen.sdk.common import engine_suffix
from tests.conftest import STUBS, fake_files, load_spec

KOTLIN, JUNIT = find_kotlin_compiler(), find_junit()
pytestmark = pytest.mark.skipif(KOTLIN is None or JUNIT is None, reason="no Kotlin compiler or JUnit 4 jar")

HERE = Path(__file__).parent / "model_files"
#: Two Android engines (LiteRT and ExecuTorch) in one library: the second one's folder must survive.
SPEC = "tensor-litert"
#: The extracted model is large enough that concurrent copies overlap for a while.
SIZES = (3 << 20, 1000)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> dict:
    assert KOTLIN is not None and JUNIT is not None
    load_runtimes()
    work = tmp_path_factory.mktemp("model-files")
    spec = load_spec(SPEC)
    rng = random.Random(17)
    ours = [a for a in spec.artifacts if "android" in TARGETS.get(a.target).platforms][:2]
    data = {a.file: rng.randbytes(n) for a, n in zip(ours, SIZES, strict=True)}
    spec = replace(
        spec,
        artifacts=tuple(
            replace(a, sha256=hashlib.sha256(data[a.file]).hexdigest(), size=len(data[a.file])) if a.file in data else a
            for a in spec.artifacts
        ),
    )
    files = fake_files(spec, work / "files")
    for name, content in data.items():
        files[name].write_bytes(content)
    sdk = work / "sdk"
    android.generate(spec, files, sdk)

    # The assets as the APK has them, plus two folders whose first model is not the build's.
    assets = work / "assets"
    shutil.copytree(sdk / "src/main/assets", assets)
    first = ours[0].file
    (assets / "altered").mkdir()
    (assets / "altered" / first).write_bytes(bytes(b ^ 1 for b in data[first][:16]) + data[first][16:])
    (assets / "short").mkdir()
    (assets / "short" / first).write_bytes(data[first][:-1])

    lit = json.dumps
    by_file = {a.file: a for a in spec.artifacts}
    test = (HERE / "ModelFilesTest.kt").read_text(encoding="utf-8")
    for token, value in {
        "__PACKAGE__": spec.android.package,
        "__EXCEPTION__": android.naming.type_name(spec.name) + "Exception",
        "__ASSETS__": lit(str(assets)),
        "__ASSET_DIR__": lit(spec.name),
        "__HASH_A__": lit(by_file[first].sha256[:16]),
        "__FILE_A__": lit(first),
        "__HASH_B__": lit(by_file[ours[1].file].sha256[:16]),
        "__FILE_B__": lit(ours[1].file),
    }.items():
        test = test.replace(token, value)
    (work / "test").mkdir()
    (work / "test" / "ModelFilesTest.kt").write_text(test, encoding="utf-8")

    stubs = compile_kotlin([STUBS / "android"], work / "stub-classes", compiler=KOTLIN)
    assert stubs.ok, stubs.diagnostics
    host = compile_kotlin([HERE / "host"], work / "host-classes", compiler=KOTLIN)
    assert host.ok, host.diagnostics
    main = sdk / "src/main/kotlin" / spec.android.package.replace(".", "/")
    exception = main / (android.naming.type_name(spec.name) + "Exception.kt")
    compiled = compile_kotlin(
        [main / "ModelFiles.kt", exception, work / "test"],
        work / "test-classes",
        classpath=[work / "host-classes", work / "stub-classes"],
        compiler=KOTLIN,
    )
    assert compiled.ok, compiled.diagnostics
    # At run time only the Android framework stubs (plain classes) and the host AssetManager before them;
    # the JUnit stubs would shadow the real JUnit.
    shutil.copytree(work / "stub-classes" / "android", work / "android-classes" / "android")
    return {
        "work": work,
        "package": spec.android.package,
        "classpath": [work / "test-classes", work / "host-classes", work / "android-classes"],
        "file": first,
        "data": data[first],
        "dir": spec.name,
        "hash": by_file[first].sha256[:16],
    }


def test_model_files_on_the_jvm(harness: dict) -> None:
    assert KOTLIN is not None and JUNIT is not None
    r = run_junit(
        harness["classpath"],
        [f"{harness['package']}.ModelFilesTest"],
        compiler=KOTLIN,
        junit=JUNIT,
        cwd=harness["work"],
        timeout=300,
    )
    assert r.ok, r.output
    assert "OK (6 tests)" in r.output, r.output


def test_two_processes_load_at_once(harness: dict, tmp_path: Path) -> None:
    """Two JVMs extract the same model into the same app storage at the same time (both copies started
    before either finished): both get the whole file, and no temporary file is left."""
    assert KOTLIN is not None and KOTLIN.java is not None
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    app = tmp_path / "app"
    cp = ":".join(str(p) for p in [*harness["classpath"], *KOTLIN.compile_classpath()])
    command = [str(KOTLIN.java), "-cp", cp, f"{harness['package']}.ExtractMain", str(app), str(rendezvous), "2"]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        outs.append((p.returncode, out, err))
    assert [rc for rc, _, _ in outs] == [0, 0], outs
    assert len(list(rendezvous.iterdir())) == 2
    expected = app / "no_backup" / "sdkgen" / harness["dir"] / harness["hash"] / harness["file"]
    assert {out.strip() for _, out, _ in outs} == {str(expected)}
    assert expected.read_bytes() == harness["data"]
    assert not [p for p in app.rglob("*.part")]


# -- the LiteRT engines load the extracted file ----------------------------------------------------------

#: A spec per LiteRT Android engine template (tensor-shaped, text generation).
LITERT_SPECS = ["tensor-litert", "tiny-llm-all"]
CREATE = "com/google/ai/edge/litert/CompiledModel$Companion.create"


@pytest.mark.parametrize("spec_name", LITERT_SPECS)
def test_litert_engine_loads_from_a_file(spec_name: str, harness: dict, tmp_path: Path) -> None:
    """The compiled LiteRT engine calls ``CompiledModel.create(filePath, ...)`` on the file ``ModelFiles``
    extracted, never ``create(assetManager, assetName, ...)``, whose JNI copies the whole model into the native
    heap (LiteRT v2.2.0 ``litert/kotlin/src/main/jni/litert_compiled_model_jni.cc``: ``AAsset_getBuffer`` into
    an ``OwningBufferRef``); read from the bytecode of the engine compiled against the stubs."""
    assert KOTLIN is not None and KOTLIN.javac is not None
    load_runtimes()
    spec = load_spec(spec_name)
    sdk = tmp_path / "sdk"
    android.generate(spec, fake_files(spec, tmp_path / "files"), sdk)
    classes = tmp_path / "classes"
    r = compile_kotlin(
        [sdk / "src/main/kotlin"], classes, classpath=[harness["work"] / "stub-classes"], compiler=KOTLIN
    )
    assert r.ok, r.diagnostics
    targets = [TARGETS.get(a.target) for a in spec.artifacts]
    engines = [android.naming.type_name(spec.name) + engine_suffix(t) for t in targets if t.runtime == "litert"]
    assert engines
    package = classes / spec.android.package.replace(".", "/")
    javap = KOTLIN.javac.parent / "javap"
    for engine in engines:
        engine_classes = sorted(str(p) for p in package.glob(f"{engine}$*.class"))
        assert engine_classes, engine
        run = subprocess.run([str(javap), "-c", "-p", *engine_classes], capture_output=True, text=True, check=True)
        code = run.stdout
        calls = [
            line.split("// Method ", 1)[1] for line in code.splitlines() if CREATE in line and "// Method " in line
        ]
        assert calls, f"{engine} never calls CompiledModel.create"
        assert not [c for c in calls if "AssetManager" in c], calls
        assert all(f"{CREATE}:(Ljava/lang/String;" in c or f"{CREATE}$default:" in c for c in calls), calls
        assert "ModelFiles.extract" in code, engine
