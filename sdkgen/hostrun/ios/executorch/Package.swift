// swift-tools-version:5.9
//
// HOST STAND-IN (sdkgen host runs, never shipped in an SDK) for https://github.com/pytorch/executorch.git
// (SwiftPM branch `swiftpm-<version>`): sdkgen.hostrun.ios serves it through a SwiftPM mirror so that a
// generated package's bindings and device tests run on Linux. Module `ExecuTorch` has the public declarations
// the compile checks use (they mirror this package too), with bodies that run the program in ExecuTorch's own C++ runtime
// behind sdkgen.hostrun.bridge. `ExecuTorchLLM` is still the compile stub (its runners are not used by sdkgen's
// bindings; calling them traps).
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
