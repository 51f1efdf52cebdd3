// Empty stand-in for the `backend_mps` binary xcframework (no Swift API). Stub only; never shipped.
