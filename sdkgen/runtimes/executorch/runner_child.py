"""Run ExecuTorch's ``TextLLMRunner`` in its own process (see :func:`.verify._runner_check`).

Reads ``{"pte", "tokenizer", "prompts": [[prompt, new_tokens], ...], "bos_count"}`` as JSON on stdin and
writes one JSON line: ``{"texts": [...]}`` (each prompt's greedy text, one runner reset between prompts,
the way the generated SDKs drive it) or ``{"check": {...}}`` when the runner cannot be used here.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def run(request: dict[str, Any]) -> dict[str, Any]:
    try:
        import executorch.kernels.quantized  # noqa: F401  (quantized embedding kernels, as on the phone)
        from executorch.extension.llm.custom_ops import custom_ops  # noqa: F401  (llama:: kernels, as on the phone)
        from executorch.extension.llm.runner import GenerationConfig, TextLLMRunner
    except ImportError as e:
        return {"check": {"name": "llm-runner", "status": "not_executed", "detail": f"runner not importable: {e}"}}
    runner = TextLLMRunner(request["pte"], request["tokenizer"])
    texts = []
    for prompt, new_tokens in request["prompts"]:
        runner.reset()
        pieces: list[str] = []
        config = GenerationConfig(
            echo=False, max_new_tokens=new_tokens, temperature=0.0, num_bos=request["bos_count"], num_eos=0
        )
        try:
            runner.generate(prompt, config, token_callback=pieces.append)
        except UnicodeDecodeError as e:
            # The Python binding decodes each piece as UTF-8; byte-level BPE pieces can split a character.
            detail = (
                f"runner emitted a partial UTF-8 piece the Python binding cannot pass on ({e}); compare with the "
                "token check instead"
            )
            return {"check": {"name": "llm-runner", "status": "not_executed", "detail": detail}}
        texts.append("".join(pieces))
    return {"texts": texts}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.stdin.read()))))
