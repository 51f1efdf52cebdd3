"""Run ExecuTorch's ``TextLLMRunner`` in its own process (see :func:`.verify._runner_check`).

``python -m sdkgen.runtimes.executorch.runner_child REQUEST RESULT``: reads
``{"pte", "tokenizer", "prompts": [[prompt, new_tokens], ...], "bos_count"}`` from the JSON file ``REQUEST``
and writes to the file ``RESULT`` either ``{"outputs": [{"bytes": hex, "split_pieces": n}, ...]}`` (each
prompt's greedy output as the bytes of its pieces joined, one runner reset between prompts, the way the
generated SDKs drive it; ``split_pieces`` counts the pieces that were not whole UTF-8 text on their own) or
``{"check": {...}}`` when the runner cannot be used here. The result never goes to stdout: the C++ runner
prints the generated text there itself.

Pieces that split a UTF-8 character. A byte-level BPE tokenizer emits pieces that hold part of a character
(one byte of "日", say). The binding turns each piece (a ``std::string``) into a Python ``str`` with pybind11's
string caster, ``PyUnicode_DecodeUTF8(data, size, NULL)`` (ExecuTorch ``extension/llm/runner/pybindings.cpp``,
``token_callback(token)``), so such a piece raises ``UnicodeDecodeError`` inside the runner, before Python
sees it, and ends the generation. That decode, on an error, calls the error handler the codec registry holds
under ``"strict"``; while the runner generates, :func:`_pieces_as_escaped_text` registers Python's own
``surrogateescape`` handler under that name, so every byte that is not valid UTF-8 reaches the callback as a
lone surrogate (U+DC80..U+DCFF) and ``str.encode("utf-8", "surrogateescape")`` gives back the piece's exact
bytes. The handler is restored when the generation ends; nothing else runs Python code in this process
meanwhile (the binding releases the GIL while it generates and takes it only for the callbacks).
"""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any


@contextmanager
def _pieces_as_escaped_text() -> Iterator[bool]:
    """Make strict UTF-8 decoding escape undecodable bytes (see the module docstring); yields whether it
    does on this Python (CPython looks the strict handler up in the registry; another implementation may not)."""
    strict = codecs.lookup_error("strict")
    codecs.register_error("strict", codecs.lookup_error("surrogateescape"))
    try:
        try:
            works = b"\xe6\x97".decode("utf-8") == "\udce6\udc97"
        except UnicodeDecodeError:
            works = False
        yield works
    finally:
        codecs.register_error("strict", strict)


def _collect(pieces: list[bytes], piece: str) -> None:
    """The token callback: the piece's exact bytes (undecodable ones arrive escaped as lone surrogates)."""
    pieces.append(piece.encode("utf-8", "surrogateescape"))


def run(request: dict[str, Any]) -> dict[str, Any]:
    try:
        import executorch.kernels.quantized  # noqa: F401  (quantized embedding kernels, as on the phone)
        from executorch.extension.llm.custom_ops import custom_ops  # noqa: F401  (llama:: kernels, as on the phone)
        from executorch.extension.llm.runner import GenerationConfig, TextLLMRunner
    except ImportError as e:
        return {"check": {"name": "llm-runner", "status": "not_executed", "detail": f"runner not importable: {e}"}}
    runner = TextLLMRunner(request["pte"], request["tokenizer"])
    outputs = []
    for prompt, new_tokens in request["prompts"]:
        runner.reset()
        pieces: list[bytes] = []
        config = GenerationConfig(
            echo=False, max_new_tokens=new_tokens, temperature=0.0, num_bos=request["bos_count"], num_eos=0
        )
        with _pieces_as_escaped_text() as escaped:
            try:
                runner.generate(prompt, config, token_callback=partial(_collect, pieces))
            except UnicodeDecodeError as e:
                if escaped:
                    raise
                detail = (
                    f"runner emitted a partial UTF-8 piece the Python binding cannot pass on ({e}), and this "
                    f"Python ({sys.implementation.name} {sys.version.split()[0]}) does not let the binding's "
                    "decoding escape it; compare with the token check instead"
                )
                return {"check": {"name": "llm-runner", "status": "not_executed", "detail": detail}}
        outputs.append({"bytes": b"".join(pieces).hex(), "split_pieces": sum(not _is_utf8(p) for p in pieces)})
    return {"outputs": outputs}


def _is_utf8(piece: bytes) -> bool:
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main(argv: list[str]) -> int:
    request_file, result_file = (Path(a) for a in argv)
    result = run(json.loads(request_file.read_text(encoding="utf-8")))
    tmp = result_file.with_name(result_file.name + ".part")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    tmp.replace(result_file)  # the parent reads a whole result or none
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
