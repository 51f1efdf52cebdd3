# The two set-up commands of the README. Both create .venv and install what they need; nothing else is
# expected on the machine beyond Python 3.11, Java 17 (Kotlin checks) and Swift (Swift checks).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test install install-test lint golden clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# tflite-support (TFLite metadata) pins protobuf<4, which LiteRT cannot use; its metadata writers work
# with the newer protobuf, so it is installed without its dependencies (it also needs libusb-1.0).
TFLITE_SUPPORT := tflite-support==0.4.4

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[executorch,litert,coreml,tensorflow,check,plot,samples]'
	$(BIN)/pip install -q --no-deps $(TFLITE_SUPPORT)

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[executorch,litert,coreml,tensorflow,check,plot,samples,dev]'
	$(BIN)/pip install -q --no-deps $(TFLITE_SUPPORT)

## Build the default sample (samples/tiny-llm) into dist/tiny-llm.
demo: install
	$(BIN)/sdkgen build

## Run the whole test suite (pytest exits non-zero when no test ran).
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check sdkgen tests

## Rewrite the golden snapshots of generated SDKs after an intended template change.
golden: install-test
	$(BIN)/python -m pytest tests/sdk/test_generate.py --update-golden -k snapshot

clean:
	rm -rf dist .pytest_cache
