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


def _runner_check(pte: Path, tokenizer_json: Path, golden: Sequence[GoldenCase], bos_count: int) -> Check:
    """Drive ``TextLLMRunner`` in a child process (:mod:`.runner_child`) on the prompts whose greedy tokens
    the ``.pte`` reproduced: a crash in the native runner (seen once as a segfault while it probed a
    tokenizer file's format) becomes a failed check instead of killing the build."""
    if not golden:
        return Check("llm-runner", "not_executed", "every prompt parted from the eager text at a near-tie")
    import json
    import subprocess
    import sys

    request = {
        "pte": str(pte),
        "tokenizer": str(tokenizer_json),
        "prompts": [[c.prompt, len(c.output_ids)] for c in golden],
        "bos_count": bos_count,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "sdkgen.runtimes.executorch.runner_child"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        return Check("llm-runner", "failed", f"TextLLMRunner failed (exit {proc.returncode}): {' | '.join(tail)}")
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    if "check" in outcome:
        return Check(**outcome["check"])
    results = [
        {"prompt": c.prompt, "runner": text, "eager": c.output_text, "match": text == c.output_text}
        for c, text in zip(golden, outcome["texts"], strict=True)
    ]
    bad = [r for r in results if not r["match"]]
    return Check(
        "llm-runner",
        "failed" if bad else "passed",
        f"{len(results) - len(bad)}/{len(results)} prompts: TextLLMRunner text equals the eager greedy text",
        {"results": results},
    )


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
