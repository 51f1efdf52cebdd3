"""The ``llm-runner`` check drives ExecuTorch's ``TextLLMRunner`` in a child process (``runner_child``).

These tests run the real child over a stand-in ``executorch`` package that behaves like the native runner
where it matters: it writes generated text to fd 1 itself, without a newline (as ``text_llm_runner.cpp``'s
``safe_printf`` does), hands each piece to the token callback decoded as strict UTF-8 (as the pybind11 binding
does, raising ``UnicodeDecodeError`` before Python sees a piece that splits a character), or crashes.
The real runner on a real ``.pte`` is covered by ``tests/models/test_families.py``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sdkgen.runtimes.executorch.verify import _runner_check
from sdkgen.spec import GoldenCase

_FAKE_RUNNER = """
import json, os, signal, sys, time

_PLAN = json.loads(os.environ["SDKGEN_FAKE_RUNNER"])


class GenerationConfig:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class TextLLMRunner:
    def __init__(self, model_path, tokenizer_path, data_path=None):
        pass

    def reset(self):
        pass

    def generate(self, prompt, config, token_callback=None, stats_callback=None):
        crash = _PLAN.get("crash")
        if crash == "exit":
            sys.stderr.write("E runner: Generation failed: InvalidArgument\\n")
            sys.stderr.flush()
            os._exit(3)
        if crash == "segv":
            sys.stderr.write("I tokenizers: probing the tokenizer format\\n")
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
        if crash == "hang":
            time.sleep(600)
        if crash == "quiet-exit":
            os._exit(0)
        for piece in _PLAN["pieces"][prompt]:
            raw = bytes.fromhex(piece)
            os.write(1, raw)  # the C++ runner prints each piece to stdout, no newline
            if token_callback is not None:
                token_callback(raw.decode("utf-8"))  # pybind11: std::string -> str, strict UTF-8
"""


@pytest.fixture
def fake_executorch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A stand-in ``executorch`` package first on the child's path; returns ``plan(pieces=..., crash=...)``."""
    root = tmp_path / "fake_site"
    pkg = root / "executorch"
    for sub in ("", "kernels", "extension", "extension/llm", "extension/llm/custom_ops", "extension/llm/runner"):
        (pkg / sub).mkdir(parents=True, exist_ok=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "kernels" / "quantized.py").write_text("")
    (pkg / "extension" / "llm" / "custom_ops" / "custom_ops.py").write_text("")
    (pkg / "extension" / "llm" / "runner" / "__init__.py").write_text(textwrap.dedent(_FAKE_RUNNER))
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", f"{root}:{repo}")

    def plan(pieces: dict[str, list[bytes]], crash: str | None = None) -> None:
        doc = {"pieces": {p: [b.hex() for b in bs] for p, bs in pieces.items()}, "crash": crash}
        monkeypatch.setenv("SDKGEN_FAKE_RUNNER", json.dumps(doc))

    return plan


def _case(prompt: str, text: str, n: int) -> GoldenCase:
    return GoldenCase(prompt, (1, 2), tuple(range(n)), text)


def _check(tmp_path: Path, cases: list[GoldenCase], **kwargs):
    return _runner_check(tmp_path / "model.pte", tmp_path / "tokenizer.json", cases, 0, **kwargs)


def test_runner_text_on_stdout_does_not_corrupt_the_result(fake_executorch, tmp_path: Path) -> None:
    """The native runner's own prints (``der any import`` with no newline) before the child's result."""
    fake_executorch({"Hi": [b"der", b" any", b" import"]})
    check = _check(tmp_path, [_case("Hi", "der any import", 3)])
    assert (check.name, check.status) == ("llm-runner", "passed"), check
    assert check.data["results"][0]["runner"] == "der any import"


def test_a_different_text_fails_the_check(fake_executorch, tmp_path: Path) -> None:
    fake_executorch({"Hi": [b"der", b" any", b" import"]})
    check = _check(tmp_path, [_case("Hi", "der any export", 3)])
    assert check.status == "failed", check
    assert check.data["results"][0] == {
        "prompt": "Hi",
        "runner": "der any import",
        "eager": "der any export",
        "match": False,
        "split_pieces": 0,
    }


@pytest.mark.parametrize(
    ("crash", "reason"),
    [
        ("exit", "exited with 3"),
        ("segv", "killed by SIGSEGV"),
        ("quiet-exit", "exited with 0 without a result"),
    ],
)
def test_a_crashing_runner_is_a_failed_check_with_its_stderr(
    fake_executorch, tmp_path: Path, crash: str, reason: str
) -> None:
    fake_executorch({"Hi": [b"x"]}, crash=crash)
    check = _check(tmp_path, [_case("Hi", "x", 1)])
    assert (check.name, check.status) == ("llm-runner", "failed"), check
    assert reason in check.detail, check.detail
    expected_stderr = {"exit": "Generation failed: InvalidArgument", "segv": "probing the tokenizer format"}
    assert expected_stderr.get(crash, "") in check.detail, check.detail


def test_a_hanging_runner_is_a_failed_check(fake_executorch, tmp_path: Path) -> None:
    fake_executorch({"Hi": [b"x"]}, crash="hang")
    check = _check(tmp_path, [_case("Hi", "x", 1)], timeout=5.0)
    assert (check.name, check.status) == ("llm-runner", "failed"), check
    assert "did not finish within 5 s" in check.detail, check.detail


def test_pieces_that_split_a_utf8_character_are_joined_as_bytes(fake_executorch, tmp_path: Path) -> None:
    """Byte-level BPE: "é" (c3 a9) and "日" (e6 97 a5) arrive over several pieces, one a lone byte."""
    pieces = {"A": [b"caf\xc3", b"\xa9 ", b"\xe6", b"\x97\xa5"], "B": [b"ok"]}
    fake_executorch(pieces)
    check = _check(tmp_path, [_case("A", "café 日", 4), _case("B", "ok", 1)])
    assert check.status == "passed", check
    assert [r["split_pieces"] for r in check.data["results"]] == [4, 0]
    assert "split a UTF-8 character" in check.detail


def test_split_pieces_are_compared_as_strictly_as_whole_ones(fake_executorch, tmp_path: Path) -> None:
    """A wrong byte inside a split character fails; so do bytes that never complete a character, unless the
    eager text (decoded with U+FFFD for them, as the tokenizer decodes) has the same replacement there."""
    fake_executorch({"A": [b"caf\xc3", b"\xa8"], "B": [b"x\xe6\x97"]})
    wrong = _check(tmp_path, [_case("A", "café", 2)])
    assert wrong.status == "failed" and wrong.data["results"][0]["runner"] == "cafè", wrong
    truncated = _check(tmp_path, [_case("B", "x\ufffd", 1)])
    assert truncated.status == "passed", truncated
    assert _check(tmp_path, [_case("B", "x日", 1)]).status == "failed"


def test_strict_utf8_decoding_is_restored_after_a_generation() -> None:
    from sdkgen.runtimes.executorch.runner_child import _pieces_as_escaped_text

    with _pieces_as_escaped_text() as escaped:
        assert escaped and b"\xe6\x97".decode("utf-8") == "\udce6\udc97"
    with pytest.raises(UnicodeDecodeError):
        b"\xe6\x97".decode("utf-8")
