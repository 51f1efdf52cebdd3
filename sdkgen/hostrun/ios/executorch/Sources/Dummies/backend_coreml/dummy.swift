// Empty stand-in for the `backend_coreml` binary xcframework (no Swift API). Stub only; never shipped.
