"""Shared by the fake Android tools: the invocation log and the state folder the tests point them at.

``FAKE_ANDROID_LOG``: every invocation is appended as one JSON line ``{"tool": ..., "argv": [...]}``.
``FAKE_ANDROID_STATE``: ``devices/<serial>.json`` (what adb sees: state, AVD, boot polls, emulator pid),
``installed.json`` (installed test packages), ``logcat-<serial>.txt``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def log(tool: str) -> None:
    with open(os.environ["FAKE_ANDROID_LOG"], "a", encoding="utf-8") as f:
        f.write(json.dumps({"tool": tool, "argv": sys.argv[1:]}) + "\n")


def state() -> Path:
    root = Path(os.environ["FAKE_ANDROID_STATE"])
    (root / "devices").mkdir(parents=True, exist_ok=True)
    return root


def device_file(serial: str) -> Path:
    return state() / "devices" / f"{serial}.json"


def read_json(p: Path, default: Any) -> Any:
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return default


def write_json(p: Path, data: Any) -> None:
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(p)


def die(message: str, code: int = 1) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)
