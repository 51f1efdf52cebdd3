"""Shared fixtures: the --update-golden flag and the specs the SDK tests render."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdkgen.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
STUBS = ROOT / "tests" / "stubs"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/expected from the templates")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def load_spec(name: str) -> ModelSpec:
    return ModelSpec.read(GOLDEN / "specs" / f"{name}.json")


def fake_files(spec: ModelSpec, folder: Path) -> dict[str, Path]:
    """Stand-ins for the artifact and tokenizer files (the SDK copies them byte for byte)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in [*(a.file for a in spec.artifacts), *([spec.tokenizer.file] if spec.tokenizer else [])]:
        (folder / name).write_bytes(f"fake {name}\n".encode())
        files[name] = folder / name
    return files
