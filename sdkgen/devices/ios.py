"""``sdkgen test ios``: the SDK's XCTest golden tests on a simulator or a device (in progress)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sdkgen.errors import ToolchainMissing


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("build", nargs="?", type=Path, default=Path("dist/tiny-llm"), help="a `sdkgen build` output folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--simulator", help='the simulator to boot, by name or UDID (e.g. "iPhone 16")')
    where.add_argument("--device", help="a connected device's UDID (`xcrun xctrace list devices`)")
    p.add_argument("--boot-timeout", type=float, default=300.0, help="seconds to wait for boot (default 300)")
    p.add_argument("--test-timeout", type=float, default=1200.0, help="seconds for xcodebuild test (default 1200)")
    p.add_argument("--boot-retries", type=int, default=1, help="boot retries after a boot timeout (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise ToolchainMissing("sdkgen test ios is not available in this build", hint="update sdkgen")
