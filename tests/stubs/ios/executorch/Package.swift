// swift-tools-version:5.9
//
// Compile-only stand-in for https://github.com/pytorch/executorch.git (SwiftPM branch
// `swiftpm-<version>`). It exists so sdkgen can type-check generated iOS packages on Linux
// without network access: sdkgen.check.swift publishes this folder as a throwaway local git
// repository and points a SwiftPM mirror at it. Every body is `fatalError("stub")`.
// Never shipped, never linked into an app.
//
// Product names, platforms and module names match the real Package.swift on `swiftpm-1.4.1`:
//   - the real products are binary xcframeworks wrapped in `<name>_with_dependencies` targets;
//   - `executorch` provides module `ExecuTorch`, `executorch_llm` provides `ExecuTorchLLM` and
//     depends on `executorch` (so `import ExecuTorch` works with just `executorch_llm`);
//   - backends/kernels have no Swift API, so here they are empty targets;
//   - every product also exists as `<name>_debug`.

import PackageDescription

let debugSuffix = "_debug"
let dependenciesSuffix = "_with_dependencies"

/// Binary-only products in the real package: no importable Swift API.
let apiLessProducts = [
  "backend_coreml",
  "backend_mps",
  "backend_xnnpack",
  "kernels_llm",
  "kernels_optimized",
  "kernels_quantized",
  "kernels_torchao",
]

var products: [Product] = []
var targets: [Target] = [
  .target(name: "ExecuTorch", path: "Sources/ExecuTorch"),
  .target(name: "ExecuTorchLLM", path: "Sources/ExecuTorchLLM"),
]

for suffix in ["", debugSuffix] {
  products.append(.library(name: "executorch" + suffix, targets: ["ExecuTorch"]))
  products.append(.library(name: "executorch_llm" + suffix, targets: ["ExecuTorchLLM", "ExecuTorch"]))
}

for name in apiLessProducts {
  targets.append(.target(name: name + dependenciesSuffix, path: "Sources/Dummies/\(name)"))
  for suffix in ["", debugSuffix] {
    products.append(.library(name: name + suffix, targets: [name + dependenciesSuffix]))
  }
}

let package = Package(
  name: "executorch",
  platforms: [
    .iOS(.v17),
    .macOS(.v12),
  ],
  products: products.sorted { $0.name < $1.name },
  targets: targets
)
