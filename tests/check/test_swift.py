"""Tests for sdkgen.check.swift: build a consumer of ExecuTorch's SwiftPM package against the local stub.

The builds are slow (about 10-30 s each on 2 cores), so they run once per module in fixtures and share one
scratch folder. The mirrored stub is then built once and reused.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import sdkgen.check.swift as swift_mod
from sdkgen.check.swift import SwiftBuildResult, build_swift_package, find_swift
from sdkgen.errors import CheckFailed, ToolchainMissing
from sdkgen.hostrun.ios import IOS_SOURCES

EXECUTORCH_URL = "https://github.com/pytorch/executorch.git"
STUB_DIR = IOS_SOURCES
TOOLCHAIN = find_swift()
needs_swift = pytest.mark.skipif(TOOLCHAIN is None, reason="no Swift toolchain (PATH, $SWIFT_HOME, /opt/swift)")

PACKAGE_SWIFT = """\
// swift-tools-version:5.9
import PackageDescription

let package = Package(
  name: "Demo",
  platforms: [.iOS(.v17), .macOS(.v12)],
  products: [.library(name: "Demo", targets: ["Demo"])],
  dependencies: [
    .package(url: "https://github.com/pytorch/executorch.git", branch: "swiftpm-1.5.1"),
  ],
  targets: [
    .target(
      name: "Demo",
      dependencies: [
        .product(name: "executorch_llm", package: "executorch"),
        .product(name: "backend_xnnpack", package: "executorch"),
        .product(name: "kernels_llm", package: "executorch"),
        .product(name: "kernels_optimized", package: "executorch"),
        .product(name: "kernels_quantized", package: "executorch"),
      ]
    ),
    .testTarget(name: "DemoTests", dependencies: ["Demo"]),
  ]
)
"""

GOOD_SOURCE = """\
#if canImport(ExecuTorchLLM)
import ExecuTorch
import ExecuTorchLLM

/// Streams tokens from a text LLM.
public final class Generator {
  private let runner: TextRunner

  public init(modelPath: String, tokenizerPath: String) {
    runner = TextRunner(modelPath: modelPath, tokenizerPath: tokenizerPath)
  }

  public func stream(_ prompt: String) -> AsyncThrowingStream<String, Error> {
    AsyncThrowingStream { continuation in
      do {
        if !runner.isLoaded() { try runner.load() }
        let config = Config { $0.sequenceLength = 32 }
        try runner.generate(prompt, config, tokenCallback: { token in continuation.yield(token) })
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
  }

  public func stop() { runner.stop() }

  public static func isInvalidArgument(_ error: Error) -> Bool {
    let ns = error as NSError
    return ns.domain == ExecuTorch.ErrorDomain && ns.code == ErrorCode.invalidArgument.rawValue
  }

  public static func classify(path: String) throws -> [Float] {
    let module = Module(filePath: path, loadMode: .mmap)
    try module.load("forward")
    let input = Tensor<Float>([1, 2, 3], shape: [1, 3])
    let output: Tensor<Float> = try module.forward(input)
    return output.scalars()
  }
}
#endif
"""

BAD_SOURCE = GOOD_SOURCE.replace(
    "let config = Config { $0.sequenceLength = 32 }",
    "let config = Config { $0.sequenceLength = 32 }\n        let wrong: Int = config.temperature",
)

TEST_SOURCE = """\
import XCTest
@testable import Demo

final class DemoTests: XCTestCase {
  func testGeneratorTypeIsVisible() {
    #if canImport(ExecuTorchLLM)
    let make: (String, String) -> Generator = Generator.init
    XCTAssertNotNil(make)
    #endif
  }
}
"""


def _write_consumer(root: Path, source: str) -> Path:
    (root / "Sources" / "Demo").mkdir(parents=True)
    (root / "Tests" / "DemoTests").mkdir(parents=True)
    (root / "Package.swift").write_text(PACKAGE_SWIFT)
    (root / "Sources" / "Demo" / "Demo.swift").write_text(source)
    (root / "Tests" / "DemoTests" / "DemoTests.swift").write_text(TEST_SOURCE)
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()} | {
        str(p.relative_to(root)) + "/": b"" for p in root.rglob("*") if p.is_dir()
    }


def _report(name: str, result: SwiftBuildResult) -> None:
    print(f"\n[swift build timing] {name}: {result.seconds:.1f} s, ok={result.ok}")


# --------------------------------------------------------------------------------------------------
# fixtures: each build runs once per module, all share one scratch folder


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("swift-scratch")


@pytest.fixture(scope="module")
def good_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_consumer(tmp_path_factory.mktemp("good") / "Demo", GOOD_SOURCE)


@dataclass
class GoodBuild:
    result: SwiftBuildResult
    before: dict[str, bytes]
    after: dict[str, bytes]
    resolved: str  # Package.resolved that SwiftPM wrote into the copy


@pytest.fixture(scope="module")
def good_build(good_package: Path, scratch: Path) -> GoodBuild:
    before = _tree(good_package)
    result = build_swift_package(good_package, mirrors={EXECUTORCH_URL: STUB_DIR}, run_tests=True, scratch_dir=scratch)
    _report("consumer build + tests (cold)", result)
    resolved = scratch / "sdkgen" / "package" / good_package.name / "Package.resolved"
    return GoodBuild(result, before, _tree(good_package), resolved.read_text() if resolved.is_file() else "")


@pytest.fixture(scope="module")
def strict_build(good_build: GoodBuild, good_package: Path, scratch: Path) -> SwiftBuildResult:
    result = build_swift_package(
        good_package, mirrors={EXECUTORCH_URL: STUB_DIR}, scratch_dir=scratch, warnings_as_errors=True
    )
    _report("consumer build, -warnings-as-errors (warm)", result)
    return result


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory, scratch: Path) -> tuple[SwiftBuildResult, Path]:
    package = _write_consumer(tmp_path_factory.mktemp("bad") / "Demo", BAD_SOURCE)
    result = build_swift_package(package, mirrors={EXECUTORCH_URL: STUB_DIR}, scratch_dir=scratch)
    _report("consumer with a type error (warm)", result)
    return result, package


# --------------------------------------------------------------------------------------------------
# toolchain discovery


def test_swift_found_in_ci() -> None:
    if os.environ.get("CI") and TOOLCHAIN is None:
        pytest.fail("CI is set but no Swift toolchain was found on PATH, in $SWIFT_HOME/usr/bin or /opt/swift/usr/bin")


@needs_swift
def test_find_swift_reports_version() -> None:
    assert TOOLCHAIN is not None
    assert TOOLCHAIN.swift.name == "swift" and TOOLCHAIN.swift.is_file()
    assert re.fullmatch(r"\d+\.\d+(\.\d+)*", TOOLCHAIN.version)


def test_missing_swift_raises_toolchain_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swift_mod, "find_swift", lambda: None)
    package = _write_consumer(tmp_path / "Demo", GOOD_SOURCE)
    with pytest.raises(ToolchainMissing) as info:
        build_swift_package(package, mirrors={EXECUTORCH_URL: STUB_DIR})
    assert info.value.exit_code == 4
    assert "hint:" in str(info.value) and "SWIFT_HOME" in str(info.value)


def test_missing_package_swift_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_swift_package(tmp_path, mirrors={EXECUTORCH_URL: STUB_DIR})


# --------------------------------------------------------------------------------------------------
# manifest parsing (no toolchain needed)


@pytest.mark.parametrize(
    ("requirement", "branches", "tags"),
    [
        ('branch: "swiftpm-1.5.1"', {"swiftpm-1.5.1"}, set()),
        ('.branch("swiftpm-1.5.1")', {"swiftpm-1.5.1"}, set()),
        ('exact: "1.5.1"', set(), {"1.5.1"}),
        ('from: "1.5.0"', set(), {"1.5.0"}),
        ('.upToNextMinor(from: "1.5.0")', set(), {"1.5.0"}),
        ('"1.4.0"..<"2.0.0"', set(), {"1.4.0"}),
    ],
)
def test_refs_for_requirement(requirement: str, branches: set[str], tags: set[str]) -> None:
    manifest = f'.package(url: "{EXECUTORCH_URL}", {requirement}),\n.package(url: "https://x.org/y.git", from: "9.0.0")'
    assert swift_mod._refs_for(manifest, EXECUTORCH_URL) == (branches, tags)
    assert swift_mod._refs_for(manifest, "https://github.com/pytorch/executorch") == (branches, tags)


# --------------------------------------------------------------------------------------------------
# builds


@needs_swift
def test_stub_package_builds_through_mirror(good_build: GoodBuild) -> None:
    result = good_build.result
    assert result.ok, result.output[-4000:]
    assert "Build complete!" in result.output
    build_cmd = next(c for c in result.commands if c[1] == "build")
    assert "--build-tests" in build_cmd and "--scratch-path" in build_cmd
    assert any(c[1] == "package" and "set-mirror" in c and EXECUTORCH_URL in c for c in result.commands)
    # swift test ran the XCTest target
    assert any(c[1] == "test" for c in result.commands)
    assert re.search(r"Executed 1 test, with 0 failures|Test Suite .* passed", result.output), result.output[-3000:]


@needs_swift
def test_branch_dependency_resolved_against_local_mirror(good_build: GoodBuild) -> None:
    resolved = json.loads(good_build.resolved)
    (pin,) = resolved["pins"]
    assert pin["identity"] == "executorch"
    assert pin["location"] == EXECUTORCH_URL
    assert pin["state"]["branch"] == "swiftpm-1.5.1"


@needs_swift
def test_deprecation_of_experimental_api_is_reported(good_build: GoodBuild) -> None:
    warnings = good_build.result.warnings
    assert any("'TextRunner' is deprecated: This API is experimental." in w for w in warnings)
    assert any("'Config' is deprecated: This API is experimental." in w for w in warnings)


@needs_swift
def test_generated_folder_is_not_modified(good_build: GoodBuild, good_package: Path) -> None:
    assert good_build.before == good_build.after
    assert not (good_package / ".swiftpm").exists()
    assert not (good_package / ".build").exists()
    assert not (good_package / "Package.resolved").exists()


@needs_swift
def test_warnings_as_errors_fails_only_on_consumer_code(strict_build: SwiftBuildResult, good_package: Path) -> None:
    assert not strict_build.ok
    errors = strict_build.errors
    assert any("'Config' is deprecated: This API is experimental." in e for e in errors), strict_build.output[-4000:]
    # every error is in the consumer, none in the mirrored stub
    assert all(str(good_package) in e for e in errors if re.match(r".*:\d+:\d+: error: ", e))


@needs_swift
def test_type_error_in_consumer_fails_with_diagnostic(bad_build: tuple[SwiftBuildResult, Path]) -> None:
    result, package = bad_build
    assert not result.ok
    assert not result.timed_out
    assert "cannot convert value of type 'Double' to specified type 'Int'" in result.output
    # diagnostics point at the generated package, not the temporary copy
    assert any(e.startswith(str(package / "Sources" / "Demo" / "Demo.swift")) for e in result.errors), result.errors
    with pytest.raises(CheckFailed) as info:
        result.raise_for_failure()
    assert "Double" in str(info.value) and "hint:" in str(info.value)


@needs_swift
def test_timeout_gives_failed_result(tmp_path: Path) -> None:
    package = _write_consumer(tmp_path / "Demo", GOOD_SOURCE)
    result = build_swift_package(package, mirrors={EXECUTORCH_URL: STUB_DIR}, timeout=0)
    assert not result.ok and result.timed_out
    assert "timed out" in result.output
