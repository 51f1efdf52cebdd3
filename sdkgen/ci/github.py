"""``sdkgen ci github``: a GitHub Actions workflow (in progress)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sdkgen.errors import ToolchainMissing


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", nargs="?", type=Path, default=Path("samples/tiny-llm"), help="sdkgen.toml or its folder")
    p.add_argument("--out", type=Path, default=Path(".github/workflows/sdkgen.yml"), help="the workflow file")
    p.add_argument("--force", action="store_true", help="overwrite an existing workflow")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise ToolchainMissing("sdkgen ci github is not available in this build", hint="update sdkgen")
