// Empty stand-in for the `kernels_quantized` binary xcframework (no Swift API). Stub only; never shipped.
