"""Golden vectors for the unit tests of each SDK's platform-neutral core, computed here in Python.

Contract
--------
``core_vectors(spec, files)`` returns ``{file name: bytes}``: JSON Lines files (UTF-8, one object per line, keys
sorted, no timestamps; U+0085, U+2028 and U+2029 escaped, so that only ``\\n`` breaks lines), the same bytes
for the same spec and files on every run. ``files`` maps the names of the files the SDK ships to their paths;
every expectation about a tokenizer comes from the very file the SDK ships, read by Hugging Face
``tokenizers``. The SDK's core tests (JUnit 4 under ``src/test``, XCTest in the ``<Module>CoreTests`` target)
read these files and compare the core's results through its public API.

- text generation with a byte-level BPE ``tokenizer.json``: ``bpe-tokenizer.jsonl``, one line per string of
  :func:`sdkgen.sdk.corpus.bpe.corpus` of at most ``MAX_TEXT_CHARS`` code points (more than 1,000): ``text``,
  ``ids`` (``encode(text, add_special_tokens=False)``), and, only where they differ from ``text``, ``decoded``
  (``decode(ids)``) and, where it differs from the decoded text, ``decoded_skip_special``. A SentencePiece-style
  BPE ``tokenizer.json`` gets the same (an older spec naming a ``tokenizer.bin``, ExecuTorch's runner's, gets none).
- text embedding (WordPiece ``vocab.txt``): ``wordpiece-tokenizer.jsonl`` over
  :func:`sdkgen.sdk.corpus.wordpiece.corpus` (same length limit): ``text``, ``ids`` (with ``[CLS]``/``[SEP]``,
  truncated to ``max_length``, without the padding), ``max_length`` and ``pad_id`` (the input is ``ids`` then
  ``pad_id`` up to ``max_length``; the attention mask is 1 over ``ids``, then 0); and ``cosine.jsonl``: pairs
  of float32 vectors ``a``, ``b`` and their ``cosine`` as the core computes it (products and sums in double, in
  index order, then rounded to float32).
- image classification: ``image-preprocessing.jsonl``, synthetic images at exactly the model's input size (the
  core does not resize): ``name``, ``width``, ``height``, ``argb`` (signed 32-bit ints, as Android's
  ``Bitmap.getPixels``), ``rgba`` (bytes, as iOS draws a CGImage) and ``expected``, the channels-last float32
  input from :func:`sdkgen.models.image.normalize` with the model's mean and std (one channel: the mean of red,
  green and blue); ``labels.jsonl`` (``index``, ``label``) and ``top-k.jsonl`` (``scores``, ``k`` and the
  ``indices`` of the best ``k``, ties in label order).
- text classification (WordPiece ``vocab.txt``): ``wordpiece-tokenizer.jsonl`` as for text embedding, and
  ``labels.jsonl`` and ``top-k.jsonl`` as for image classification.
- every other task: no vectors.

Floats are written as the shortest decimal of the float64 that equals the float32 value, so that parsing as a
double and rounding to float gives the value back exactly; the tests compare floats exactly.
"""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sdkgen.spec import ModelSpec

#: The longest corpus string (in code points) that goes into the tokenizer vectors; it keeps each file under
#: about 200 KB and still leaves more than 1,000 strings.
MAX_TEXT_CHARS = 80
MIN_STRINGS = 1000
#: Images above this many pixels get two test images instead of five (each one is written out in full).
LARGE_IMAGE_PIXELS = 4096
_SEED = 20260705


def core_vectors(spec: ModelSpec, files: Mapping[str, Path]) -> dict[str, bytes]:
    """The golden vector files of ``spec``'s core (see the module docstring); ``{}`` when there are none."""
    tok = spec.tokenizer
    # The core tokenizes a tokenizer.json (byte-level or SentencePiece-style BPE); a tokenizer.bin is the
    # ExecuTorch runner's own.
    if spec.task == "text-generation" and tok is not None and tok.file == "tokenizer.json":
        return {"bpe-tokenizer.jsonl": _jsonl(_bpe_records(files[tok.file]))}
    if spec.task == "text-embedding" and tok is not None and tok.kind == "wordpiece":
        return {
            "cosine.jsonl": _jsonl(_cosine_records()),
            "wordpiece-tokenizer.jsonl": _jsonl(
                _wordpiece_records(files[tok.file], tok.lowercase, tok.max_length, tok.pad_id)
            ),
        }
    if spec.task == "image-classification" and spec.image is not None:
        img = spec.image
        return {
            "image-preprocessing.jsonl": _jsonl(_image_records(img.width, img.height, img.channels, img.mean, img.std)),
            "labels.jsonl": _jsonl({"index": i, "label": label} for i, label in enumerate(spec.labels)),
            "top-k.jsonl": _jsonl(_top_k_records(len(spec.labels))),
        }
    if spec.task == "text-classification" and tok is not None and tok.kind == "wordpiece":
        return {
            "labels.jsonl": _jsonl({"index": i, "label": label} for i, label in enumerate(spec.labels)),
            "top-k.jsonl": _jsonl(_top_k_records(len(spec.labels))),
            "wordpiece-tokenizer.jsonl": _jsonl(
                _wordpiece_records(files[tok.file], tok.lowercase, tok.max_length, tok.pad_id)
            ),
        }
    return {}


#: Characters some readers take for line breaks (Python's ``str.splitlines``, editors), escaped like JSON's own.
_LINE_BREAKS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"})


def _jsonl(records: Any) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False) for r in records]
    return "".join(line.translate(_LINE_BREAKS) + "\n" for line in lines).encode("utf-8")


def _f32(x: float) -> float:
    """``x`` rounded to float32, as a Python float."""
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def _bpe_records(tokenizer_json: Path) -> list[dict[str, Any]]:
    from tokenizers import Tokenizer

    from sdkgen.sdk.corpus.bpe import corpus

    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    texts = [t for t in corpus() if len(t) <= MAX_TEXT_CHARS]
    assert len(texts) >= MIN_STRINGS, len(texts)
    records = []
    for text, enc in zip(texts, tokenizer.encode_batch(texts, add_special_tokens=False), strict=True):
        record: dict[str, Any] = {"text": text, "ids": enc.ids}
        decoded = tokenizer.decode(enc.ids, skip_special_tokens=False)
        skipped = tokenizer.decode(enc.ids, skip_special_tokens=True)
        if decoded != text:
            record["decoded"] = decoded
        if skipped != decoded:
            record["decoded_skip_special"] = skipped
        records.append(record)
    return records


def _wordpiece_records(vocab_txt: Path, lowercase: bool, max_length: int, pad_id: int) -> list[dict[str, Any]]:
    from tokenizers.implementations import BertWordPieceTokenizer

    from sdkgen.sdk.corpus.wordpiece import corpus

    # BERT's pipeline over the shipped vocab.txt: clean text, CJK split, NFD + lowercase + accent stripping
    # when lowercase, [CLS] text [SEP], truncated.
    tokenizer = BertWordPieceTokenizer(str(vocab_txt), lowercase=lowercase)
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()
    texts = [t for t in corpus() if len(t) <= MAX_TEXT_CHARS]
    assert len(texts) >= MIN_STRINGS, len(texts)
    return [
        {"text": text, "ids": enc.ids, "max_length": max_length, "pad_id": pad_id}
        for text, enc in zip(texts, tokenizer.encode_batch(texts), strict=True)
    ]


def _cosine(a: list[float], b: list[float]) -> float:
    dot = na = nb = 0.0
    for x, y in zip(a, b, strict=True):
        dot += x * y
        na += x * x
        nb += y * y
    norm = na**0.5 * nb**0.5
    return 0.0 if norm == 0.0 else _f32(dot / norm)


def _cosine_records() -> list[dict[str, Any]]:
    rng = random.Random(_SEED)
    pairs: list[tuple[list[float], list[float]]] = []
    for dim in (1, 2, 3, 8, 16, 48):
        a = [_f32(rng.uniform(-1, 1)) for _ in range(dim)]
        b = [_f32(rng.uniform(-1, 1)) for _ in range(dim)]
        pairs += [(a, b), (a, a), (a, [-x for x in a]), (a, [_f32(x * 1000) for x in a]), (a, [0.0] * dim)]
    for _ in range(20):
        dim = rng.randint(1, 48)
        pairs.append(([_f32(rng.gauss(0, 10)) for _ in range(dim)], [_f32(rng.gauss(0, 1e-3)) for _ in range(dim)]))
    return [{"a": a, "b": b, "cosine": _cosine(a, b)} for a, b in pairs]


def _images(width: int, height: int) -> list[tuple[str, list[tuple[int, int, int, int]]]]:
    """(name, RGBA pixels row by row)."""
    rng = random.Random(_SEED)
    n = width * height
    gradient = [
        ((x * 255) // max(1, width - 1), (y * 255) // max(1, height - 1), (x + y) * 7 % 256, 255)
        for y in range(height)
        for x in range(width)
    ]
    colours = [(rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(n)]
    if n > LARGE_IMAGE_PIXELS:
        return [("gradient", gradient), ("random", colours)]
    gray = [(v, v, v, 255) for v in (rng.randrange(256) for _ in range(n))]
    return [
        ("black", [(0, 0, 0, 255)] * n),
        ("white", [(255, 255, 255, 255)] * n),
        ("gradient", gradient),
        ("random-gray", gray),
        ("random-colour-and-alpha", colours),
    ]


def _image_records(
    width: int, height: int, channels: int, mean: tuple[float, ...], std: tuple[float, ...]
) -> list[dict[str, Any]]:
    import numpy as np

    from sdkgen.models.image import normalize

    records = []
    for name, pixels in _images(width, height):
        rgba = np.asarray(pixels, dtype=np.uint8).reshape(1, height, width, 4)
        rgb = rgba[..., :3].astype(np.float32)
        # One channel: the mean of red, green and blue, in float32 like the cores (sums of bytes are exact).
        x = rgb if channels == 3 else (rgb[..., 0:1] + rgb[..., 1:2] + rgb[..., 2:3]) / np.float32(3)
        expected = normalize(x, mean, std)
        argb = [((a << 24) | (r << 16) | (g << 8) | b) - ((a >> 7) << 32) for r, g, b, a in pixels]
        records.append(
            {
                "name": name,
                "width": width,
                "height": height,
                "argb": argb,
                "rgba": [int(v) for p in pixels for v in p],
                "expected": [float(v) for v in expected.reshape(-1)],
            }
        )
    return records


def _top_k_records(count: int) -> list[dict[str, Any]]:
    if count == 0:
        return []
    rng = random.Random(_SEED)
    records = []
    for i in range(8):
        # Some with ties (a few distinct values), which must keep label order.
        levels = [_f32(rng.random()) for _ in range(3)] if i % 2 else None
        scores = [rng.choice(levels) if levels else _f32(rng.random()) for _ in range(count)]
        k = min(count, [1, 3, 5, count][i % 4])
        order = sorted(range(count), key=lambda j: (-scores[j], j))
        records.append({"scores": scores, "k": k, "indices": order[:k]})
    return records
