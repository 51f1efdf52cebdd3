"""Run a text-generation ``.pte`` on the host and compare it with the compressed eager model.

Checks: the runner metadata read back from the program; per-step logits under teacher forcing within
``logits_tolerance`` (relative to the largest eager logit); greedy continuations token for token through
the pybindings runtime; and the same continuations as text through ExecuTorch's LLM runner
(``TextLLMRunner``, the C++ runner the phone SDKs use), which also checks tokenizer compatibility.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdkgen.models.text_generation import StepFn
from sdkgen.spec import GoldenCase, TensorCase
from sdkgen.verify import Check, Runner
from sdkgen.verify.text_generation import step_checks


def pte_step(pte: Path) -> tuple[Any, StepFn]:
    import executorch.kernels.quantized  # noqa: F401  (quantized embedding kernels, as on the phone)
    import torch
    from executorch.extension.llm.custom_ops import custom_ops  # noqa: F401  (llama:: kernels, as on the phone)
    from executorch.extension.pybindings.portable_lib import _load_for_executorch

    module = _load_for_executorch(str(pte))

    def step(ids: Sequence[int], pos: int) -> Any:
        out = module.forward(
            (torch.tensor([list(ids)], dtype=torch.long), torch.arange(pos, pos + len(ids), dtype=torch.long))
        )
        return out[0][0].float().numpy()

    return module, step


def verify_text_generation(
    pte: Path,
    tokenizer_json: Path,
    golden: Sequence[GoldenCase],
    golden_logits: Sequence[Any],
    expected_metadata: dict[str, Any],
    *,
    logits_tolerance: float,
    eos_ids: Sequence[int],
    bos_count: int,
) -> list[Check]:
    module, step = pte_step(pte)
    checks: list[Check] = []

    got = {k: module.run_method(k, ())[0] for k in expected_metadata}
    want = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in expected_metadata.items()}
    mismatched = {k: (got[k], want[k]) for k in want if not isinstance(want[k], list) and got[k] != want[k]}
    checks.append(
        Check(
            "runner-metadata",
            "failed" if mismatched else "passed",
            f"mismatched: {mismatched}" if mismatched else f"{len(got)} constant methods match",
            {"read": {k: _plain(v) for k, v in got.items()}},
        )
    )

    checks += step_checks(
        step, golden, golden_logits, logits_tolerance=logits_tolerance, eos_ids=eos_ids, artifact="pte"
    )
    diverged = {d["prompt"] for c in checks if c.name == "greedy-tokens" for d in c.data.get("diverged", [])}
    checks.append(_runner_check(pte, tokenizer_json, [g for g in golden if g.prompt not in diverged], bos_count))
    return checks


#: Seconds the runner child may take: a fixed allowance for loading, then per requested token (the slowest
#: supported model decodes at a few tokens per second on a small host). A child past it is killed.
RUNNER_TIMEOUT_BASE_S = 300.0
RUNNER_TIMEOUT_PER_TOKEN_S = 5.0


def _runner_check(
    pte: Path, tokenizer_json: Path, golden: Sequence[GoldenCase], bos_count: int, *, timeout: float | None = None
) -> Check:
    """Drive ``TextLLMRunner`` in a child process (:mod:`.runner_child`) on the prompts whose greedy tokens
    the ``.pte`` reproduced, and compare each prompt's text with the eager greedy text.

    The child writes its result to a file of its own: the C++ runner prints generated text to stdout itself
    (no newline), so stdout carries nothing of the protocol and is discarded. Whatever becomes of the child
    (a crash in the native runner, seen once as a segfault while it probed a tokenizer file's format, a
    non-zero exit, a signal, the timeout, a missing or unreadable result) is a failed check with the tail of
    its stderr, never an exception out of the build."""
    if not golden:
        return Check("llm-runner", "not_executed", "every prompt parted from the eager text at a near-tie")
    if timeout is None:
        timeout = RUNNER_TIMEOUT_BASE_S + RUNNER_TIMEOUT_PER_TOKEN_S * sum(len(c.output_ids) for c in golden)
    request = {
        "pte": str(pte),
        "tokenizer": str(tokenizer_json),
        "prompts": [[c.prompt, len(c.output_ids)] for c in golden],
        "bos_count": bos_count,
    }
    outcome = _run_child(request, timeout)
    if isinstance(outcome, Check):
        return outcome
    try:
        if "check" in outcome:
            return Check(**outcome["check"])
        results = [
            _compare(c, bytes.fromhex(out["bytes"]), int(out["split_pieces"]))
            for c, out in zip(golden, outcome["outputs"], strict=True)
        ]
    except (KeyError, TypeError, ValueError) as e:
        return Check("llm-runner", "failed", f"the TextLLMRunner process wrote an unreadable result ({e!r})")
    bad = [r for r in results if not r["match"]]
    split = sum(r["split_pieces"] for r in results)
    joined = f" ({split} pieces split a UTF-8 character and were joined as bytes)" if split else ""
    return Check(
        "llm-runner",
        "failed" if bad else "passed",
        f"{len(results) - len(bad)}/{len(results)} prompts: TextLLMRunner text equals the eager greedy text{joined}",
        {"results": results},
    )


def _compare(case: GoldenCase, output: bytes, split_pieces: int) -> dict[str, Any]:
    """The runner's bytes (its pieces joined) decoded as the tokenizer decodes the eager ids: a byte sequence
    that never completes a character is U+FFFD on both sides, every other byte must agree."""
    text = output.decode("utf-8", errors="replace")
    result = {
        "prompt": case.prompt,
        "runner": text,
        "eager": case.output_text,
        "match": text == case.output_text,
        "split_pieces": split_pieces,
    }
    if text.encode("utf-8") != output:  # U+FFFD hides which bytes the runner gave
        result["runner_bytes"] = output.hex()
    return result


def _run_child(request: dict[str, Any], timeout: float) -> dict[str, Any] | Check:
    """Run :mod:`.runner_child` on ``request``: its result (the JSON it wrote to the result file), or the
    failed check saying what became of it."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import tempfile

    import sdkgen

    root = str(Path(sdkgen.__file__).resolve().parents[1])
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix="sdkgen-llm-runner-") as tmp:
        request_file, result_file, err_file = Path(tmp, "request.json"), Path(tmp, "result.json"), Path(tmp, "err")
        request_file.write_text(json.dumps(request), encoding="utf-8")
        command = [sys.executable, "-m", "sdkgen.runtimes.executorch.runner_child", str(request_file)]
        with err_file.open("wb") as err:
            try:
                proc = subprocess.run(
                    [*command, str(result_file)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,  # the native runner's own printing of the generated text
                    stderr=err,
                    env=env,
                    timeout=timeout,
                    check=False,
                )
                code: int | None = proc.returncode
            except subprocess.TimeoutExpired:
                code = None
        tail = _tail(err_file.read_bytes().decode("utf-8", errors="replace"))
        if code is None:
            how = f"did not finish within {timeout:g} s and was killed"
        elif code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        elif code != 0:
            how = f"exited with {code}"
        elif not result_file.is_file():
            how = "exited with 0 without a result"
        else:
            try:
                outcome = json.loads(result_file.read_text(encoding="utf-8"))
                if not isinstance(outcome, dict) or not ({"check", "outputs"} & set(outcome)):
                    raise ValueError(f"unexpected result {str(outcome)[:200]}")
                return outcome
            except ValueError as e:
                how = f"wrote an unreadable result ({e})"
    return Check(
        "llm-runner",
        "failed",
        f"the TextLLMRunner process {how}" + (f"; its stderr ends: {tail}" if tail else ""),
        {"stderr_tail": tail},
    )


def _tail(text: str, lines: int = 8, chars: int = 1500) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])[-chars:]


def _plain(v: Any) -> Any:
    return v if isinstance(v, (int, float, bool, str)) else str(v)


def check_signature(pte: Path, cases: Sequence[TensorCase]) -> Check:
    """``forward``'s input dtypes and shapes against the golden inputs."""
    from executorch.extension.pybindings.portable_lib import _load_for_executorch

    from sdkgen.runtimes.executorch.inspect import SCALAR_TYPES

    meta = _load_for_executorch(str(pte)).method_meta("forward")
    want = [(v.dtype, list(v.shape)) for v in cases[0].inputs]
    got = [
        (
            SCALAR_TYPES.get(int(meta.input_tensor_meta(i).dtype()), "other"),
            list(meta.input_tensor_meta(i).sizes()),
        )
        for i in range(meta.num_inputs())
    ]
    return Check(
        "io-signature",
        "passed" if got == want else "failed",
        f"forward takes {got}" + ("" if got == want else f", the model spec says {want}"),
    )


def open_runner(pte: Path) -> Runner | str:
    """``forward`` of a ``.pte`` through the pybindings runtime, or why it cannot run on this host."""
    import torch
    from executorch.extension.pybindings.portable_lib import _get_registered_backend_names, _load_for_executorch

    from sdkgen.runtimes.executorch.lower import delegation_of

    missing = sorted(set(delegation_of(pte)["forward"]["delegates"]) - set(_get_registered_backend_names()))
    if missing:
        return (
            f"not executed here: the {', '.join(missing)} delegate is not in this host's ExecuTorch runtime "
            "(Core ML and MPS run on Apple devices, Vulkan and QNN on Android devices; the generated device "
            "tests run these golden vectors there)"
        )
    module = _load_for_executorch(str(pte))

    def run(inputs: Sequence[Any]) -> list[Any]:
        return [o.detach().double().numpy() for o in module.forward(tuple(torch.from_numpy(a) for a in inputs))]

    return run
