// Empty stand-in for the `kernels_optimized` binary xcframework (no Swift API). Stub only; never shipped.
