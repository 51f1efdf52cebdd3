"""The bridge's protocol (sdkgen/hostrun/bridge.py): every failure is an error reply with the runtime's code, never
a dead pipe; the JVM stand-ins turn the codes into the exceptions the real runtimes throw."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from sdkgen.hostrun.bridge import INTERNAL, INVALID_ARGUMENT, LiteRtModels, Programs, Reader, Writer, handle_request
from tests.conftest import ROOT


def _request(op: int, *parts: tuple[str, object]) -> bytes:
    w = Writer()
    w.put("<b", op)
    for kind, value in parts:
        w.string(value) if kind == "s" else w.put(kind, value)  # type: ignore[arg-type]
    return w.buf.getvalue()


def _reply(payload: bytes) -> tuple[int, str, Reader]:
    r = Reader(payload)
    return r.take("<i"), r.string(), r


def test_unknown_op_is_an_internal_error() -> None:
    status, message, _ = _reply(handle_request(Programs(), _request(99)))
    assert status == INTERNAL and "unknown op 99" in message


def test_a_file_that_is_not_a_program_fails_when_its_methods_are_read(tmp_path: Path) -> None:
    junk = tmp_path / "model.pte"
    junk.write_bytes(b"not a program")
    programs = Programs()
    status, _, r = _reply(handle_request(programs, _request(1, ("s", str(junk)), ("<i", 0))))
    assert status == 0
    handle = r.take("<i")
    status, message, _ = _reply(handle_request(programs, _request(4, ("<i", handle))))
    assert status != 0 and "Failed to load program" in message


def test_litert_replies_carry_litert_status_codes(tmp_path: Path) -> None:
    status, message, _ = _reply(
        handle_request(Programs(), _request(20, ("s", str(tmp_path / "none.tflite"))), LiteRtModels())
    )
    assert status == 500 and "Failed to create model" in message  # LiteRtStatus ErrorFileIO
    status, _, _ = _reply(handle_request(Programs(), _request(21, ("<i", 7), ("s", ""), ("s", "x"), ("<b", 1))))
    assert status == 3  # no such model: a runtime failure, not ExecuTorch's INTERNAL (1)
    assert INVALID_ARGUMENT == 0x12


def test_the_process_answers_frames_and_keeps_stdout_for_the_protocol() -> None:
    """Runtimes print to stdout; the bridge moves fd 1 to stderr so that the frames stay intact."""
    payload = _request(99)
    proc = subprocess.run(
        [sys.executable, "-c", "import os; os.write(1, b'noise'); import sdkgen.hostrun.bridge as b; b.main()"],
        input=struct.pack("<i", len(payload)) + payload,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    out = proc.stdout
    assert out.startswith(b"noise")  # printed before main() took over fd 1
    length = struct.unpack("<i", out[5:9])[0]
    status, message, _ = _reply(out[9 : 9 + length])
    assert status == INTERNAL and "unknown op" in message
