"""The wheel holds everything sdkgen reads at run time, and an installed (not editable) sdkgen works from any
folder: it finds its templates, renders the same SDKs and workflow as the source checkout, and its core runs
without the runtimes. An editable install (``make install``) reads the checkout's templates.

The wheel is built from a copy of the build's inputs (so ``build/`` and ``*.egg-info`` never land in the
checkout) with this environment's setuptools. It is installed into a fresh virtual environment that holds only
the wheel and the closure of its declared core dependencies (``Requires-Dist`` without an extra) and of
:data:`SDK_STAGE`, linked from this environment's site-packages: no network, no torch, no path to the checkout.
Every command there runs from a scratch folder with ``PYTHONPATH`` removed, and a test checks that ``sdkgen`` is
imported from the environment's site-packages, not from the checkout.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sdkgen.ci import github
from sdkgen.config import load_config
from sdkgen.sdk import android, ios
from tests import test_core_import as core
from tests.conftest import GOLDEN, ROOT, fake_files, load_spec
from tests.sdk.test_generate import CASES

#: What the build reads (setup.py names the packages and maps templates/ onto ``sdkgen._templates``).
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "sdkgen", "templates")
#: Linked into the environment beside the core dependencies: the SDK stage computes a tokenizer's golden vectors
#: with Hugging Face ``tokenizers`` (which every runtime extra brings, through ``transformers``); it imports no
#: torch.
SDK_STAGE = ["tokenizers"]
#: A config whose model is a factory in its folder: small enough to copy into a scratch repository.
CI_SAMPLE = ROOT / "samples" / "tensor-mlp"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _env() -> dict[str, str]:
    """This process's environment without anything that would put the checkout on ``sys.path``."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}


def _source(folder: Path) -> Path:
    """A copy of the build's inputs in ``folder`` (the build writes ``build/`` and ``*.egg-info`` beside them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = _source(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(src)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    (built,) = out.glob("sdkgen-*.whl")
    return built


def _core_distributions(requires: list[str]) -> set[str]:
    """The installed distributions that ``requires`` (without extras) pull in, transitively."""
    seen: set[str] = set()
    todo = list(requires)
    while todo:
        req = Requirement(todo.pop())
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name not in seen:
            seen.add(name)
            todo += importlib.metadata.requires(name) or []
    return seen


def _install(wheel: Path, root: Path) -> Path:
    """A new virtual environment in ``root`` holding ``wheel``, the closure of its core dependencies and of
    :data:`SDK_STAGE` (linked from this environment's site-packages), and nothing else."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    (site,) = root.glob("lib/python*/site-packages")
    with zipfile.ZipFile(wheel) as z:
        (metadata,) = (n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        requires = Parser().parsestr(z.read(metadata).decode()).get_all("Requires-Dist") or []
    for name in sorted(_core_distributions([*requires, *SDK_STAGE])):
        dist = importlib.metadata.distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in sorted(tops):
            (site / top).symlink_to(Path(str(dist.locate_file(top))))
    # This environment's pip installs into the new one (which has no pip of its own); the entry point script
    # gets the new environment's interpreter.
    cmd = [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install", "-q", "--no-deps"]
    r = subprocess.run([*cmd, "--no-index", str(wheel)], capture_output=True, text=True, timeout=300, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr
    return root


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _install(wheel, tmp_path_factory.mktemp("venv"))


def _run(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=_env(), timeout=300)


def test_wheel_holds_every_module_and_template(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        infos = {i.filename: i for i in z.infolist()}
    modules = {f"sdkgen/{p.relative_to(ROOT / 'sdkgen').as_posix()}" for p in _files(ROOT / "sdkgen")}
    templates = {
        f"sdkgen/_templates/{p.relative_to(ROOT / 'templates').as_posix()}": p for p in _files(ROOT / "templates")
    }
    payload = {n for n in infos if ".dist-info/" not in n}
    assert not (modules | set(templates)) - payload, "missing from the wheel"
    assert not payload - modules - set(templates), "unexpected files in the wheel"
    for name, path in templates.items():
        executable = bool((infos[name].external_attr >> 16) & stat.S_IXUSR)
        assert executable == bool(path.stat().st_mode & stat.S_IXUSR), f"{name}: execute bit not kept"


def test_installed_sdkgen_is_the_wheel_and_finds_its_templates(venv: Path, tmp_path: Path) -> None:
    code = (
        "import json, sdkgen, importlib.util\n"
        "from sdkgen.sdk.render import TEMPLATES_ROOT\n"
        "print(json.dumps([sdkgen.__file__, str(TEMPLATES_ROOT), importlib.util.find_spec('torch') is None]))\n"
    )
    r = _run(venv, [str(venv / "bin" / "python"), "-c", code], tmp_path)
    assert r.returncode == 0, r.stderr
    module, templates, no_torch = json.loads(r.stdout)
    (site,) = venv.glob("lib/python*/site-packages")
    print(f"sdkgen imported from {module}; templates at {templates}")
    assert Path(module) == site / "sdkgen" / "__init__.py"
    assert Path(templates) == site / "sdkgen" / "_templates"
    assert no_torch


def test_installed_renders_the_same_sdks(venv: Path, tmp_path: Path) -> None:
    """Every golden spec on each of its platforms, rendered by the installed wheel, matches the checkout's render
    file for file and byte for byte (so every template folder is found and complete)."""
    jobs = []
    for spec_name, platform in CASES:
        spec = load_spec(spec_name)
        files = fake_files(spec, tmp_path / "files" / spec_name)
        want = tmp_path / "want" / spec_name / platform
        {"android": android.generate, "ios": ios.generate}[platform](spec, files, want)
        got = tmp_path / "got" / spec_name / platform
        spec_file = GOLDEN / "specs" / f"{spec_name}.json"
        jobs.append([str(spec_file), {k: str(v) for k, v in files.items()}, platform, str(got)])
    code = (
        "import json, sys\nfrom pathlib import Path\n"
        "from sdkgen.spec import ModelSpec\nfrom sdkgen.sdk import android, ios\n"
        "for spec, files, platform, out in json.loads(sys.argv[1]):\n"
        "    gen = {'android': android.generate, 'ios': ios.generate}[platform]\n"
        "    gen(ModelSpec.read(Path(spec)), {k: Path(v) for k, v in files.items()}, Path(out))\n"
    )
    r = _run(venv, [str(venv / "bin" / "python"), "-c", code, json.dumps(jobs)], tmp_path)
    assert r.returncode == 0, r.stderr
    for spec_name, platform in CASES:
        want, got = tmp_path / "want" / spec_name / platform, tmp_path / "got" / spec_name / platform
        names = [p.relative_to(want).as_posix() for p in _files(want)]
        assert names == [p.relative_to(got).as_posix() for p in _files(got)], f"{spec_name}/{platform}"
        for name in names:
            assert (got / name).read_bytes() == (want / name).read_bytes(), f"{spec_name}/{platform}/{name}"
            assert (got / name).stat().st_mode & 0o111 == (want / name).stat().st_mode & 0o111, name


def test_installed_ci_github_writes_the_same_workflow(venv: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CI_SAMPLE, repo / "ml", ignore=shutil.ignore_patterns("__pycache__"))
    out = repo / ".github" / "workflows" / "sdkgen.yml"
    r = _run(venv, [str(venv / "bin" / "sdkgen"), "ci", "github", "ml", "--out", str(out)], repo)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8") == github.render_workflow(load_config(repo / "ml"), repo)


def test_installed_core_runs_without_runtimes(venv: Path, tmp_path: Path) -> None:
    """tests/test_core_import.py's scenarios, with the runtimes really not installed."""
    python = str(venv / "bin" / "python")
    core.check_doctor(_run(venv, [python, "-c", core.DOCTOR], tmp_path))
    out = tmp_path / "dist"
    out.mkdir()
    core.check_build(_run(venv, [python, "-c", core.build_code(out)], tmp_path), out)


def test_editable_install_reads_the_checkouts_templates(tmp_path: Path) -> None:
    """``pip install -e .`` (``make install``): the PEP 660 wheel setuptools builds for it maps ``sdkgen`` onto
    the checkout, and the templates are the checkout's ``templates/`` folder, so edits take effect at once."""
    src = _source(tmp_path / "checkout")
    out = tmp_path / "editable"
    build = f"import setuptools.build_meta as b; b.build_editable({str(out)!r})"
    r = subprocess.run([sys.executable, "-c", build], capture_output=True, text=True, cwd=src, env=_env(), timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Package would be ignored" not in r.stderr
    (editable,) = out.glob("sdkgen-*.whl")
    venv = _install(editable, tmp_path / "venv")
    code = (
        "import json, sdkgen\nfrom sdkgen.sdk.render import TEMPLATES_ROOT\n"
        "print(json.dumps([sdkgen.__file__, str(TEMPLATES_ROOT)]))"
    )
    r = _run(venv, [str(venv / "bin" / "python"), "-c", code], tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [str(src / "sdkgen" / "__init__.py"), str(src / "templates")]
