// Empty stand-in for the `backend_xnnpack` binary xcframework (no Swift API). Stub only; never shipped.
