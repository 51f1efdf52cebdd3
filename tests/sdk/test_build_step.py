"""The build-step files every SDK carries: the Gradle script (``android/sdkgen-build.gradle.kts``) compiles as
a Gradle Kotlin DSL script against signature-faithful Gradle API stubs (``tests/stubs/gradle``) and a script
definition like Gradle's (``tests/stubs/gradle-script``: ``Project`` as the implicit receiver, ``Action``
lambdas with a receiver); the Xcode build phase (``ios/Scripts/sdkgen-build-phase.sh``) passes ``bash -n`` and
shellcheck, and runs against a fake ``sdkgen``: success, a failure's exit code and ``error:`` lines, skip, and
a missing command. Neither file holds a path of the machine that generated it."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from sdkgen.check.kotlin import KotlinCompiler, compile_kotlin, find_kotlin_compiler
from sdkgen.errors import EXIT_CODES
from sdkgen.sdk import android, ios
from sdkgen.system import install_command
from tests.conftest import ROOT, STUBS, fake_files, load_spec

GRADLE_SCRIPT = "sdkgen-build.gradle.kts"
BUILD_PHASE = "Scripts/sdkgen-build-phase.sh"
KOTLIN = find_kotlin_compiler()
needs_kotlin = pytest.mark.skipif(KOTLIN is None, reason="no Kotlin compiler (pip install kotlin-jupyter-kernel)")


def _render(platform: str, out: Path, spec_name: str = "tiny-llm") -> Path:
    spec = load_spec(spec_name)
    {"android": android.generate, "ios": ios.generate}[platform](spec, fake_files(spec, out.parent / "files"), out)
    return out


def _scripting_classpath(compiler: KotlinCompiler) -> list[Path]:
    """The Kotlin scripting API the script definition is compiled against: inside the embedded compiler's jar,
    or the scripting jars of a Kotlin distribution."""
    if compiler.compiler_jar is not None:
        return [compiler.compiler_jar]
    assert compiler.kotlinc is not None
    lib = compiler.kotlinc.resolve().parent.parent / "lib"
    return sorted([*lib.glob("kotlin-scripting-*.jar"), *lib.glob("kotlin-compiler.jar")])


@pytest.fixture(scope="module")
def gradle_classpath(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The Gradle stubs and the script definition, compiled; the definition is found on the classpath through
    its ``META-INF/kotlin/script/templates/<class>`` marker, as kotlinc discovers script definitions."""
    assert KOTLIN is not None
    stubs = tmp_path_factory.mktemp("gradle-stubs")
    r = compile_kotlin([STUBS / "gradle"], stubs, compiler=KOTLIN)
    assert r.ok, r.diagnostics
    definition = tmp_path_factory.mktemp("gradle-script-definition")
    r = compile_kotlin(
        [STUBS / "gradle-script"], definition, classpath=[stubs, *_scripting_classpath(KOTLIN)], compiler=KOTLIN
    )
    assert r.ok, r.diagnostics
    marker = definition / "META-INF" / "kotlin" / "script" / "templates" / "sdkgen.stubs.gradle.GradleScript"
    marker.parent.mkdir(parents=True)
    marker.touch()
    return [stubs, definition]


def _compile_script(text: str, folder: Path, classpath: list[Path]) -> tuple[bool, str]:
    folder.mkdir(parents=True)
    (folder / GRADLE_SCRIPT).write_text(text)
    assert KOTLIN is not None
    r = compile_kotlin([folder / GRADLE_SCRIPT], folder / "classes", classpath=classpath, compiler=KOTLIN)
    return r.ok, r.diagnostics


@needs_kotlin
def test_gradle_script_compiles_as_a_gradle_script(gradle_classpath: list[Path], tmp_path: Path) -> None:
    text = (_render("android", tmp_path / "sdk") / GRADLE_SCRIPT).read_text()
    ok, diagnostics = _compile_script(text, tmp_path / "good", gradle_classpath)
    assert ok, diagnostics
    # The script definition is Gradle's: an Action lambda has the task as its receiver, not as `it`, and an
    # unknown Project member is an error (the same script compiled as a plain .kts would fail on `tasks`).
    ok, diagnostics = _compile_script(
        text.replace("configureEach { dependsOn(", "configureEach { it.dependsOn("), tmp_path / "it", gradle_classpath
    )
    assert not ok and "unresolved reference 'it'" in diagnostics
    ok, diagnostics = _compile_script(
        text.replace("rootDir.resolve(", "rootDirectory.resolve("), tmp_path / "x", gradle_classpath
    )
    assert not ok and "rootDirectory" in diagnostics


def test_gradle_script_runs_sdkgen_build_check_before_prebuild(tmp_path: Path) -> None:
    text = (_render("android", tmp_path / "sdk") / GRADLE_SCRIPT).read_text()
    assert 'commandLine(sdkgenExecutable, "build", sdkgenConfig.path, "--out", sdkgenOut.path, "--check")' in text
    assert 'tasks.named { it == "preBuild" }.configureEach { dependsOn(sdkgenBuild) }' in text
    for prop in ("sdkgen.config", "sdkgen.out", "sdkgen.executable", "sdkgen.model", "sdkgen.skip"):
        assert f'gradleProperty("{prop}")' in text
    assert 'outputs.dir(sdkgenOut.resolve("tiny-llm"))' in text
    for code, meaning in EXIT_CODES.items():
        assert f"//     {code:<4} {meaning}\n" in text


def _phase(tmp_path: Path) -> Path:
    return _render("ios", tmp_path / "sdk") / BUILD_PHASE


def test_build_phase_is_executable_and_passes_bash_n_and_shellcheck(tmp_path: Path) -> None:
    script = _phase(tmp_path)
    assert script.stat().st_mode & stat.S_IXUSR
    r = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail(f"shellcheck is not installed: {install_command('shellcheck')} (make test installs it)")
    r = subprocess.run([shellcheck, "--shell=bash", "--severity=style", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


FAKE_SDKGEN = """\
#!/bin/bash
printf '%s\\n' "$@" > "$FAKE_ARGS"
if [ "$FAKE_EXIT" = 0 ]; then
    echo "built tiny-llm -> dist/tiny-llm  (status: passed; 9 stages reused from cache, 0 ran)"
    exit 0
fi
echo "check: failed · 7 passed, 1 failed, 2 not executed here · JUnit XML: dist/tiny-llm.junit.xml"
echo "  FAILED verify.executorch:xnnpack: perplexity: 9.1 > 8.4 (+8.3%)"
echo "error: quality gate failed (verify.max_perplexity_increase); the previous output was left untouched:" >&2
echo "  executorch:xnnpack: perplexity [verify.max_perplexity_increase]: 9.1 > 8.4" >&2
echo "hint: see dist/tiny-llm.rejected/report.md; choose a milder compress.recipe" >&2
exit "$FAKE_EXIT"
"""


def _run_phase(
    script: Path, tmp_path: Path, exit_code: int, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "sdkgen"
    fake.write_text(FAKE_SDKGEN)
    fake.chmod(0o755)
    srcroot = tmp_path / "App"
    srcroot.mkdir(exist_ok=True)
    args = tmp_path / "args.txt"
    base = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "SRCROOT": str(srcroot),
        "FAKE_ARGS": str(args),
        "FAKE_EXIT": str(exit_code),
    }
    r = subprocess.run(["bash", str(script)], env={**base, **env}, capture_output=True, text=True, timeout=60)
    return r, args


def test_build_phase_runs_sdkgen_build_check(tmp_path: Path) -> None:
    r, args = _run_phase(_phase(tmp_path), tmp_path, 0)
    assert r.returncode == 0, r.stdout + r.stderr
    srcroot = tmp_path / "App"
    assert args.read_text().splitlines() == ["build", f"{srcroot}/sdkgen.toml", "--out", f"{srcroot}/dist", "--check"]
    assert "built tiny-llm" in r.stdout and "error:" not in r.stdout


def test_build_phase_propagates_the_exit_code_and_prints_xcode_errors(tmp_path: Path) -> None:
    r, args = _run_phase(_phase(tmp_path), tmp_path, 5, SDKGEN_CONFIG="ml/sdkgen.toml", SDKGEN_OUT="out")
    assert r.returncode == 5
    assert args.read_text().splitlines()[:4] == ["build", "ml/sdkgen.toml", "--out", "out"]
    lines = r.stdout.splitlines()
    assert "error: verify.executorch:xnnpack: perplexity: 9.1 > 8.4 (+8.3%)" in lines
    assert any(line.startswith("error: quality gate failed (verify.max_perplexity_increase)") for line in lines)
    assert "note: hint: see dist/tiny-llm.rejected/report.md; choose a milder compress.recipe" in lines
    assert lines[-1] == f"error: sdkgen build --check failed with exit code 5: {EXIT_CODES[5]}"


def test_build_phase_takes_sdkgen_from_the_environment(tmp_path: Path) -> None:
    other = tmp_path / "tools" / "sdkgen-dev"
    other.parent.mkdir()
    other.write_text(FAKE_SDKGEN)
    other.chmod(0o755)
    r, args = _run_phase(_phase(tmp_path), tmp_path, 3, SDKGEN=str(other), PATH="/usr/bin:/bin")
    assert r.returncode == 3 and args.read_text().startswith("build\n")
    assert r.stdout.splitlines()[-1] == f"error: sdkgen build --check failed with exit code 3: {EXIT_CODES[3]}"


def test_build_phase_skips_and_reports_a_missing_sdkgen(tmp_path: Path) -> None:
    script = _phase(tmp_path)
    r, args = _run_phase(script, tmp_path, 5, SDKGEN_SKIP="1")
    assert r.returncode == 0 and not args.exists()
    assert r.stdout.startswith("warning: sdkgen: SDKGEN_SKIP=1")
    r, args = _run_phase(script, tmp_path, 0, PATH="/usr/bin:/bin")
    assert r.returncode == 4 and not args.exists()
    assert r.stdout.startswith("error: sdkgen: the sdkgen command was not found")


@pytest.mark.parametrize(("platform", "name"), [("android", GRADLE_SCRIPT), ("ios", BUILD_PHASE)])
def test_build_step_files_name_no_path_of_this_machine(platform: str, name: str, tmp_path: Path) -> None:
    text = (_render(platform, tmp_path / "sdk") / name).read_text()
    for path in (str(ROOT), str(tmp_path), str(Path.home())):
        assert path not in text
    assert "sdkgen.toml" in text  # the default: relative to the app's root project / $SRCROOT
