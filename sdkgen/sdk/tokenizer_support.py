"""Which SentencePiece-style BPE ``tokenizer.json`` files the SDK cores tokenize exactly like Hugging Face
``tokenizers`` (the Kotlin and Swift ``BpeTokenizer`` templates), checked at build time so that an unsupported one is
refused with its reason instead of shipping an SDK that throws when it loads the file. Mirrors the checks of the
templates' constructors (``tests/sdk/test_sentencepiece_bpe.py`` runs both against ``tokenizers``)."""

from __future__ import annotations

from typing import Any

#: What the cores support, for error messages.
SUPPORTED = (
    "BPE with byte_fallback/unk_token; normalizer NFC, Prepend, Replace; pre-tokenizer none or Metaspace; decoder "
    "Replace, Metaspace, ByteFallback, Fuse, Strip (after Fuse, stop 0)"
)


def _steps(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict) and value.get("type") == "Sequence":
        return list(value.get(key) or [])
    return [value]


def sentencepiece_bpe_problems(tj: dict[str, Any]) -> list[str]:
    """What in ``tj`` (a ``tokenizer.json`` without ``ByteLevel``) the SDK cores do not support; empty when
    they tokenize it exactly."""
    problems = []
    model = tj.get("model") or {}
    if model.get("type") not in (None, "BPE"):
        problems.append(f"model {model.get('type')}")
    if model.get("dropout") not in (None, 0, 0.0):
        problems.append("BPE dropout")
    if model.get("continuing_subword_prefix") is not None or model.get("end_of_word_suffix") is not None:
        problems.append("continuing_subword_prefix or end_of_word_suffix")
    for step in _steps(tj.get("normalizer"), "normalizers"):
        kind = step.get("type") if isinstance(step, dict) else step
        if kind == "Replace" and "Regex" in (step.get("pattern") or {}):
            continue  # the cores' regex matcher checks the pattern itself; the tokenizer test covers the forms
        if kind not in ("NFC", "Prepend", "Replace") or (kind == "Replace" and not step["pattern"].get("String")):
            problems.append(f"normalizer {kind}")
    pre = _steps(tj.get("pre_tokenizer"), "pretokenizers")
    if len(pre) > 1 or (pre and pre[0].get("type") != "Metaspace"):
        problems.append(f"pre-tokenizer {[p.get('type') for p in pre]} (only Metaspace or none)")
    for step in pre:
        if step.get("prepend_scheme") not in (None, "first", "always", "never"):
            problems.append(f"Metaspace prepend_scheme {step.get('prepend_scheme')}")
    decoders = _steps(tj.get("decoder"), "decoders")
    if not decoders:
        problems.append("no decoder")
    fallback = fused = False
    for step in decoders:
        kind = step.get("type")
        if kind == "Replace":
            pattern = (step.get("pattern") or {}).get("String")
            if not pattern or ((fallback or fused) and len(pattern) != 1):
                problems.append(f"decoder Replace {step.get('pattern')}")
        elif kind == "Metaspace":
            if fallback or fused:
                problems.append("decoder Metaspace after ByteFallback or Fuse")
        elif kind == "ByteFallback":
            if fallback or fused:
                problems.append("decoder ByteFallback twice or after Fuse")
            fallback = True
        elif kind == "Fuse":
            if fused:
                problems.append("decoder Fuse twice")
            fused = True
        elif kind == "Strip":
            if not fused or step.get("stop", 0) != 0 or len(step.get("content", "")) != 1:
                problems.append(f"decoder Strip {step} (only after Fuse, with stop 0)")
        else:
            problems.append(f"decoder {kind}")
    return problems
