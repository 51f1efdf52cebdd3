#!/bin/bash
# The sdkgen build step as an Xcode Run Script build phase: runs `sdkgen build --check`, which rebuilds and
# verifies the nasty-tensor model (sdkgen 0.1.0), and fails the Xcode build when a
# check fails, with sdkgen's errors in the Issue navigator.
#
# Copy this file into the app's repository (for example to Scripts/sdkgen-build-phase.sh; the copy in the
# generated package is replaced by every build), then add a Run Script phase before "Compile Sources":
#
#     bash "${SRCROOT}/Scripts/sdkgen-build-phase.sh"
#
# Build settings or environment variables change the defaults:
#
#     SDKGEN_CONFIG  the sdkgen.toml, or its folder               (default: $SRCROOT/sdkgen.toml)
#     SDKGEN_OUT     the output folder                            (default: $SRCROOT/dist)
#     SDKGEN         the sdkgen executable                        (default: sdkgen on PATH)
#     SDKGEN_SKIP    1 skips the step with a warning
#
# It exits with sdkgen's exit code:
#
#     0    success: every check that ran passed (some may be reported as not executed here)
#     1    a stage failed while running, or generated code did not compile
#     2    bad input: the config, the output path or the command-line arguments
#     3    verification failed: an artifact disagrees with the eager model (host or device golden tests)
#     4    a needed toolchain is missing: a runtime, compiler, Android SDK or Xcode
#     5    a quality gate failed: perplexity, accuracy, label agreement or cosine below its verify.* bound
#     6    a device failed: the emulator or simulator did not boot in time, or the test app did not install
#     7    bad model or data files: a missing or truncated checkpoint, an unsupported architecture, or a tokenizer, label list or calibration set that does not fit the model
#     8    the output folder is in use: another sdkgen build holds its lock
#     9    this host has too little memory for the conversion (estimated before it starts)
#     10   runtime version mismatch: an artifact written by one runtime version, an SDK pinned to another
#     130  interrupted (SIGINT, Ctrl-C): the output folder holds what the last finished build wrote
#     143  terminated (SIGTERM, e.g. a cancelled CI job): the output folder holds what the last finished build wrote
set -uo pipefail

if [ "${SDKGEN_SKIP:-0}" = "1" ]; then
    echo "warning: sdkgen: SDKGEN_SKIP=1, the model was not rebuilt or checked"
    exit 0
fi

root="${SRCROOT:-$PWD}"
config="${SDKGEN_CONFIG:-$root/sdkgen.toml}"
out="${SDKGEN_OUT:-$root/dist}"
sdkgen="${SDKGEN:-}"
if [ -z "$sdkgen" ]; then
    # Xcode runs build phases with a short PATH: add the places pip and Homebrew install commands to.
    PATH="$PATH:$HOME/.local/bin:/opt/homebrew/bin:/usr/local/bin"
    sdkgen="$(command -v sdkgen || true)"
fi
if [ -z "$sdkgen" ] || [ ! -x "$sdkgen" ]; then
    echo "error: sdkgen: the sdkgen command was not found${sdkgen:+ at $sdkgen}; pip install sdkgen, or set SDKGEN to its path"
    exit 4
fi

status=0
output="$("$sdkgen" build "$config" --out "$out" --check 2>&1)" || status=$?
# Xcode lists lines that start with "error:", "warning:" or "note:" in the Issue navigator.
while IFS= read -r line; do
    case "$line" in
        error:* | warning:*) printf '%s\n' "$line" ;;
        hint:*) printf 'note: %s\n' "$line" ;;
        "  FAILED "*) printf 'error: %s\n' "${line#  FAILED }" ;;
        *) printf '%s\n' "$line" ;;
    esac
done <<< "$output"

if [ "$status" -ne 0 ]; then
    case "$status" in
        1) meaning='a stage failed while running, or generated code did not compile' ;;
        2) meaning='bad input: the config, the output path or the command-line arguments' ;;
        3) meaning='verification failed: an artifact disagrees with the eager model (host or device golden tests)' ;;
        4) meaning='a needed toolchain is missing: a runtime, compiler, Android SDK or Xcode' ;;
        5) meaning='a quality gate failed: perplexity, accuracy, label agreement or cosine below its verify.* bound' ;;
        6) meaning='a device failed: the emulator or simulator did not boot in time, or the test app did not install' ;;
        7) meaning='bad model or data files: a missing or truncated checkpoint, an unsupported architecture, or a tokenizer, label list or calibration set that does not fit the model' ;;
        8) meaning='the output folder is in use: another sdkgen build holds its lock' ;;
        9) meaning='this host has too little memory for the conversion (estimated before it starts)' ;;
        10) meaning='runtime version mismatch: an artifact written by one runtime version, an SDK pinned to another' ;;
        130) meaning='interrupted (SIGINT, Ctrl-C): the output folder holds what the last finished build wrote' ;;
        143) meaning='terminated (SIGTERM, e.g. a cancelled CI job): the output folder holds what the last finished build wrote' ;;
        *) meaning="unexpected exit code" ;;
    esac
    echo "error: sdkgen build --check failed with exit code $status: $meaning"
fi
exit "$status"
