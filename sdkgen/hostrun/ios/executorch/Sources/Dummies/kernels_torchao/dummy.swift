// Empty stand-in for the `kernels_torchao` binary xcframework (no Swift API). Stub only; never shipped.
