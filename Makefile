# The two set-up commands of the README. Both install the system packages they need (the one list is
# sdkgen/system.py; as root or with password-less sudo, else they stop at once with the command to run),
# then create .venv and install the Python packages. Beyond that only Python 3.11 and Swift are expected.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test install install-test system-packages system-packages-test arm64-sysroot lint golden clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# tflite-support (TFLite metadata) pins protobuf<4, which LiteRT cannot use; its metadata writers work
# with the newer protobuf, so it is installed without its dependencies (it also needs libusb-1.0).
TFLITE_SUPPORT := tflite-support==0.4.4

# Runs with the machine's Python before .venv exists: sdkgen/system.py imports only the standard library.
system-packages:
	$(PYTHON) -m sdkgen.system ensure --for sdkgen

system-packages-test:
	$(PYTHON) -m sdkgen.system ensure --for tests

install: system-packages $(BIN)/python
	$(BIN)/pip install -q -e '.[executorch,litert,coreml,tensorflow,check,plot,samples]'
	$(BIN)/pip install -q --no-deps $(TFLITE_SUPPORT)

install-test: system-packages-test $(BIN)/python
	$(BIN)/pip install -q -e '.[executorch,litert,coreml,tensorflow,check,plot,samples,dev]'
	$(BIN)/pip install -q --no-deps $(TFLITE_SUPPORT)

## Build the default sample (samples/tiny-llm) into dist/tiny-llm.
demo: install
	$(BIN)/sdkgen build

## Run the whole test suite (pytest exits non-zero when no test ran).
test: install-test arm64-sysroot
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The aarch64 sysroot of `sdkgen test arm64` (Debian arm64 CPython 3.11 + the pinned aarch64 wheels):
# about 10 s and 160 MB the first time, kept in ~/.cache/sdkgen/arm64-sysroot and reused while its pins hold.
arm64-sysroot: install-test
	$(BIN)/sdkgen test arm64 --prepare

lint: install-test
	$(BIN)/ruff check sdkgen tests

## Rewrite the golden snapshots of generated SDKs after an intended template change.
golden: install-test
	$(BIN)/python -m pytest tests/sdk/test_generate.py --update-golden -k snapshot

clean:
	rm -rf dist .pytest_cache
