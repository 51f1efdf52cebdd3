"""Per-task stage sequences, mixed into the build in :mod:`sdkgen.pipeline`."""
