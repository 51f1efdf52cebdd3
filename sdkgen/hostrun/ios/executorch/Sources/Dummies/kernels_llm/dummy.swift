// Empty stand-in for the `kernels_llm` binary xcframework (no Swift API). Stub only; never shipped.
