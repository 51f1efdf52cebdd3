"""The generated Swift package as an app's *remote* SwiftPM dependency (a local git repository, ``file://``),
with Swift here: required by version, SwiftPM refuses a package whose target has unsafe build flags
(ExecuTorch's ``-Wl,-all_load``) unless its manifest has tools version 6.2 or newer
(swiftlang/swift-package-manager#8951), and refuses any package with a branch dependency, which the ExecuTorch
dependency is (ExecuTorch publishes its Swift package on branches only; the README says so). The ExecuTorch
dependency is the ExecuTorch stand-in (sdkgen/hostrun/ios/executorch), served through a SwiftPM mirror."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sdkgen.check.swift import find_swift
from sdkgen.hostrun.ios import IOS_SOURCES
from tests.conftest import fake_files, load_spec

SWIFT = find_swift()
pytestmark = pytest.mark.skipif(SWIFT is None, reason="no Swift toolchain")

EXECUTORCH_URL = "https://github.com/pytorch/executorch.git"
SPEC = "tensor-mlp"  # an ExecuTorch package: the one that carries -all_load
GIT = ["git", "-c", "user.name=sdkgen", "-c", "user.email=sdkgen@example.invalid", "-c", "commit.gpgsign=false"]


def _git_repo(src: Path, dest: Path, *, tag: str | None = None, branch: str | None = None) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".build", ".swiftpm", "Package.resolved"))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*GIT, *args], cwd=dest, check=True)
    if tag:
        subprocess.run([*GIT, "tag", tag], cwd=dest, check=True)
    if branch:
        subprocess.run([*GIT, "branch", branch], cwd=dest, check=True)
    return dest


def _consumer(tmp_path: Path, module: str, type_name: str, requirement: str, executorch_repo: Path) -> Path:
    app = tmp_path / "app"
    (app / "Sources" / "App").mkdir(parents=True)
    (app / "Package.swift").write_text(
        "// swift-tools-version:6.0\nimport PackageDescription\n\n"
        'let package = Package(\n    name: "app",\n'
        f'    dependencies: [.package(url: "file://{tmp_path / "sdk-repo"}", {requirement})],\n'
        '    targets: [.executableTarget(name: "App", dependencies: [\n'
        f'        .product(name: "{module}", package: "sdk-repo"),\n    ])],\n'
        ")\n"
    )
    (app / "Sources" / "App" / "main.swift").write_text(f"import {module}\n\nprint({type_name}.self)\n")
    assert SWIFT is not None
    subprocess.run(
        [str(SWIFT.swift), "package", "config", "set-mirror", "--original", EXECUTORCH_URL, "--mirror",
         f"file://{executorch_repo}"],
        cwd=app, check=True, capture_output=True,
    )  # fmt: skip
    return app


def _swift(app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SWIFT is not None
    return subprocess.run(
        ["nice", "-n", "19", str(SWIFT.swift), *args, "--scratch-path", str(app / ".build")],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _generated(tmp_path: Path) -> tuple[Path, str, str, str]:
    """The generated package, its module and model type, and the ExecuTorch branch it asks for."""
    from sdkgen.sdk import ios

    spec = load_spec(SPEC)
    out = tmp_path / "sdk"
    ios.generate(spec, fake_files(spec, tmp_path / "files"), out)
    manifest = (out / "Package.swift").read_text()
    m = re.search(r'url: "https://github\.com/pytorch/executorch\.git", branch: "(swiftpm-([^"]+))"', manifest)
    assert m, manifest
    return out, spec.ios.module, ios.naming.type_name(spec.name), m.group(1)


def test_versioned_dependency_builds(tmp_path: Path) -> None:
    """Required by version (``exact: "1.0.0"``), the package resolves and builds in an app. Its ExecuTorch
    requirement is turned into a version here (``exact:``, the stub tagged with it): with the branch SwiftPM
    stops earlier, on the branch (next test); this one is about the unsafe linker flag."""
    sdk, module, type_name, branch = _generated(tmp_path)
    version = branch.removeprefix("swiftpm-")
    manifest = (sdk / "Package.swift").read_text()
    (sdk / "Package.swift").write_text(manifest.replace(f'branch: "{branch}"', f'exact: "{version}"'))
    executorch = _git_repo(IOS_SOURCES, tmp_path / "executorch", tag=version)
    _git_repo(sdk, tmp_path / "sdk-repo", tag="1.0.0")
    app = _consumer(tmp_path, module, type_name, 'exact: "1.0.0"', executorch)
    r = _swift(app, "build")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "unsafe build flags" not in r.stdout + r.stderr


def test_branch_dependency_is_the_way_in(tmp_path: Path) -> None:
    """The package as generated: required by branch it resolves (the README's advice); required by version
    SwiftPM refuses it for its ExecuTorch branch dependency, as the README says."""
    sdk, module, type_name, branch = _generated(tmp_path)
    executorch = _git_repo(IOS_SOURCES, tmp_path / "executorch", branch=branch)
    _git_repo(sdk, tmp_path / "sdk-repo", tag="1.0.0", branch="release")
    app = _consumer(tmp_path, module, type_name, 'branch: "release"', executorch)
    r = _swift(app, "package", "show-dependencies")
    assert r.returncode == 0, r.stdout + r.stderr
    shutil.rmtree(app)
    app = _consumer(tmp_path, module, type_name, 'exact: "1.0.0"', executorch)
    r = _swift(app, "package", "resolve")
    assert r.returncode != 0
    assert "depends on an unstable-version package 'executorch'" in r.stdout + r.stderr, r.stdout + r.stderr
