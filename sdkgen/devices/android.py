"""``sdkgen test android``: the SDK's instrumented golden tests on an emulator or a device (in progress)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sdkgen.errors import ToolchainMissing


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("build", nargs="?", type=Path, default=Path("dist/tiny-llm"), help="a `sdkgen build` output folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--avd", help="the emulator (AVD) to start headless if it is not running")
    where.add_argument("--serial", help="a running emulator or a device attached to adb (`adb devices`)")
    p.add_argument("--boot-timeout", type=float, default=300.0, help="seconds to wait for boot (default 300)")
    p.add_argument("--test-timeout", type=float, default=600.0, help="seconds per test run (default 600)")
    p.add_argument("--boot-retries", type=int, default=1, help="cold-boot retries after a boot timeout (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise ToolchainMissing("sdkgen test android is not available in this build", hint="update sdkgen")
