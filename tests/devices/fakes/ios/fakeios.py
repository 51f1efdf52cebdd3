"""Shared by the fake ``xcrun`` and ``xcodebuild``: the invocation log, the simulator state, the scenario.

Environment (set by tests/devices/test_ios.py):

- ``SDKGEN_FAKE_IOS_LOG``: every invocation is appended as a JSON line ``{"tool", "argv", "cwd"}``.
- ``SDKGEN_FAKE_IOS_STATE``: a JSON file ``{"devices": {runtime: [simctl device dicts]}, "physical": [udid]}``;
  ``simctl boot``/``shutdown`` (and ``xcodebuild`` booting its destination) update the ``state`` fields.
- ``SDKGEN_FAKE_IOS_BOOT``: ``ok`` (default) or ``hang`` (``simctl bootstatus`` never returns).
- ``SDKGEN_FAKE_IOS_XCODE``: the Xcode version, ``16.2`` (default); below 16 ``xcresulttool`` has no
  ``test-results`` and no ``--legacy``, as in Xcode 15.
- ``SDKGEN_FAKE_IOS_FAIL`` / ``SDKGEN_FAKE_IOS_SKIP``: comma-separated ``Class/testMethod`` ids that fail /
  throw XCTSkip; ``SDKGEN_FAKE_IOS_WORST``: the max relative error a failing golden test reports.
- ``SDKGEN_FAKE_IOS_CLT``: set: only the Command Line Tools are selected (``xcrun --find xcodebuild`` fails).
- ``SDKGEN_FAKE_IOS_TEST``: ``ok`` (default), ``hang`` (``xcodebuild test`` never finishes) or
  ``build-error`` (a compile error: exit 65, a result bundle without tests).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn


def log(tool: str) -> None:
    path = os.environ.get("SDKGEN_FAKE_IOS_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"tool": tool, "argv": sys.argv[1:], "cwd": str(Path.cwd())}) + "\n")


def die(message: str, code: int) -> NoReturn:
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.exit(code)


def state_file() -> Path:
    path = os.environ.get("SDKGEN_FAKE_IOS_STATE")
    if not path:
        die("fake simctl: SDKGEN_FAKE_IOS_STATE is not set (the test did not configure simulators)", 2)
    return Path(path)


def load_state() -> dict[str, Any]:
    return json.loads(state_file().read_text(encoding="utf-8"))


def save_state(state: dict[str, Any]) -> None:
    tmp = state_file().with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    tmp.replace(state_file())


def find_device(state: dict[str, Any], udid: str) -> dict[str, Any] | None:
    for entries in state["devices"].values():
        for d in entries:
            if d["udid"] == udid:
                return d
    return None


def xcode_version() -> tuple[int, ...]:
    return tuple(int(p) for p in os.environ.get("SDKGEN_FAKE_IOS_XCODE", "16.2").split("."))


def ids(var: str) -> set[str]:
    return {s.strip() for s in os.environ.get(var, "").split(",") if s.strip()}
