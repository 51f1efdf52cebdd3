"""The reference of the SDK cores' token sampler (``Sampling`` in Kotlin and Swift), and its golden vectors.

The generated SDKs sample next tokens in Kotlin and Swift; for a given seed the three implementations
(this module, ``Sampling.kt``, ``Sampling.swift``) must choose bitwise the same tokens. So every step is
defined in IEEE double arithmetic (``+ - * /`` and comparisons, which all three evaluate alike) and
nothing else, not even the platform's ``exp``:

1. ``temperature == 0``: the first largest logit (greedy); no random number is drawn. The same when the
   largest logit is not finite (all ``-inf``/NaN, or a ``+inf``).
2. Else each logit ``l`` (float32, widened exactly) gets the weight ``exp((l - max) / temperature)``
   with :func:`exp_nonpositive`; ``-inf`` and NaN logits get 0. ``total`` sums all weights in token-id order.
3. The tokens of positive weight are ranked by logit, highest first, ties by the lower id.
4. ``top_k > 0`` keeps the first ``top_k`` of them. ``top_p < 1`` then keeps the shortest prefix whose
   probabilities ``weight / total``, summed in rank order, reach ``top_p`` (at least one token).
5. The kept weights are renormalised (``weight / kept``, ``kept`` summed in rank order) and one draw
   ``u`` in [0, 1) from :class:`SplitMix64` picks the first token whose running sum in rank order exceeds
   ``u`` (the last kept token if rounding leaves ``u`` above them all).

``temperature`` and ``top_p`` enter as float32 values widened to double (Kotlin's settings hold
``Float``; Swift rounds its ``Double`` settings to ``Float``), so both SDKs agree for the same settings.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
TWO_POW_M53 = 2.0**-53


def _f64(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", bits))[0])


def f32(x: float) -> float:
    """``x`` rounded to float32 (round to nearest even), as a Python float."""
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


def f32_bits(x: float) -> int:
    """The IEEE bits of ``x`` as float32 (``x`` must be representable or is rounded)."""
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def f32_from_bits(bits: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", bits))[0])


# fdlibm's e_exp.c constants, by their bits so that every language reads the same doubles.
LN2_HI = _f64(0x3FE62E42FEE00000)
LN2_LO = _f64(0x3DEA39EF35793C76)
INV_LN2 = _f64(0x3FF71547652B82FE)
P1 = _f64(0x3FC555555555553E)
P2 = _f64(0xBF66C16C16BEBD93)
P3 = _f64(0x3F11566AAF25DE2C)
P4 = _f64(0xBEBBBD41C5D26BF1)
P5 = _f64(0x3E66376972BEA4D0)
UNDERFLOW = _f64(0xC0874910D52D3051)  # below this exp(x) rounds to 0
TINY = 2.0**-28  # above -TINY exp(x) is 1 + x
TWO_POW_M1000 = 2.0**-1000


def exp_nonpositive(x: float) -> float:
    """``exp(x)`` for ``x <= 0`` (or ``-inf``) in plain double arithmetic: fdlibm's algorithm (error below
    one ulp), portable bit for bit, unlike each platform's ``exp``."""
    if x < UNDERFLOW:
        return 0.0
    if x > -TINY:
        return 1.0 + x
    k = int(x * INV_LN2 - 0.5)  # round to nearest, halves away from zero (x < 0)
    hi = x - k * LN2_HI  # exact: LN2_HI has 21 trailing zero bits
    lo = k * LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    if k >= -1021:
        return y * _pow2(k)
    return y * _pow2(k + 1000) * TWO_POW_M1000


def _pow2(k: int) -> float:
    return _f64((k + 1023) << 52)


class SplitMix64:
    """Steele, Lea and Flood's SplitMix64 (as in ``java.util.SplittableRandom``): 64-bit state, one output
    per call. :meth:`next_double` maps the top 53 bits into [0, 1)."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK64

    def next_u64(self) -> int:
        self.state = (self.state + GOLDEN) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_double(self) -> float:
        return (self.next_u64() >> 11) * TWO_POW_M53


def argmax(logits: Sequence[float]) -> int:
    """The index of the first largest logit (NaN never wins); 0 for an empty or all-NaN list."""
    best = 0
    for i in range(1, len(logits)):
        if logits[i] > logits[best]:
            best = i
    return best


def sample(logits: Sequence[float], temperature: float, top_k: int, top_p: float, rng: SplitMix64) -> int:
    """One token id from float32 ``logits`` (see the module docstring); ``temperature`` and ``top_p`` are
    float32 values. Draws one number from ``rng`` unless the choice is greedy."""
    if temperature == 0.0:
        return argmax(logits)
    top = -math.inf
    for v in logits:
        if v > top:
            top = v
    if not math.isfinite(top):
        return argmax(logits)
    weights = [exp_nonpositive((v - top) / temperature) if v > -math.inf else 0.0 for v in logits]
    total = 0.0
    for w in weights:
        total += w
    ranked = sorted((i for i, w in enumerate(weights) if w > 0.0), key=lambda i: (-logits[i], i))
    if top_k > 0:
        ranked = ranked[:top_k]
    if top_p < 1.0:
        mass = 0.0
        for n, i in enumerate(ranked):
            mass += weights[i] / total
            if mass >= top_p:
                ranked = ranked[: n + 1]
                break
    kept = 0.0
    for i in ranked:
        kept += weights[i]
    u = rng.next_double()
    running = 0.0
    for i in ranked:
        running += weights[i] / kept
        if u < running:
            return i
    return ranked[-1]


def settings_error(max_new_tokens: int, temperature: float, top_k: int, top_p: float) -> str | None:
    """The setting that ``GenerationSettings`` refuses (its name starts the SDK's message), or None when all
    are in range: ``maxNewTokens >= 1``, finite ``temperature >= 0``, ``topK >= 0``, ``0 < topP <= 1``."""
    if max_new_tokens < 1:
        return "maxNewTokens"
    if not (temperature >= 0.0 and math.isfinite(temperature)):
        return "temperature"
    if top_k < 0:
        return "topK"
    if not (0.0 < top_p <= 1.0):
        return "topP"
    return None


@dataclass(frozen=True)
class SamplerCase:
    """One golden vector: ``draws`` tokens sampled in a row from one generator seeded with ``seed``."""

    logits: tuple[float, ...]  # float32 values
    temperature: float  # float32
    top_k: int
    top_p: float  # float32
    seed: int  # unsigned 64-bit
    draws: int
    ids: tuple[int, ...]

    def line(self) -> str:
        """The case for the drivers: ``vocab temperature topK topP seed draws logits...``, floats as the hex
        bits of their float32, the seed unsigned decimal."""
        head = [
            str(len(self.logits)),
            f"{f32_bits(self.temperature):08x}",
            str(self.top_k),
            f"{f32_bits(self.top_p):08x}",
            str(self.seed),
            str(self.draws),
        ]
        return " ".join(head + [f"{f32_bits(v):08x}" for v in self.logits])


def run_case(
    logits: Sequence[float], temperature: float, top_k: int, top_p: float, seed: int, draws: int
) -> SamplerCase:
    """Samples ``draws`` ids with the reference and returns the case with its expected ids."""
    logits = tuple(f32(v) for v in logits)
    temperature, top_p = f32(temperature), f32(top_p)
    rng = SplitMix64(seed)
    ids = tuple(sample(logits, temperature, top_k, top_p, rng) for _ in range(draws))
    return SamplerCase(logits, temperature, top_k, top_p, seed & MASK64, draws, ids)


#: (temperature, top_k, top_p): greedy, plain temperatures, top-k alone, top-p alone, both, extremes.
SETTINGS: tuple[tuple[float, int, float], ...] = (
    (0.0, 0, 1.0),
    (1.0, 0, 1.0),
    (0.7, 0, 1.0),
    (1.8, 0, 1.0),
    (1e-4, 0, 1.0),
    (1.0, 1, 1.0),
    (0.8, 5, 1.0),
    (1.0, 40, 1.0),
    (1.0, 0, 0.9),
    (0.6, 0, 0.5),
    (1.3, 0, 0.05),
    (0.9, 20, 0.8),
    (2.5, 3, 0.99),
    (1.0, 100000, 0.999),
)
SEEDS: tuple[int, ...] = (0, 1, 42, 0xDEADBEEF, (1 << 63) + 12345, MASK64)
VOCAB_SIZES: tuple[int, ...] = (1, 2, 3, 7, 32, 100, 257, 1000)
DRAWS = 8


def _logit_rows(rnd: random.Random) -> list[list[float]]:
    """Random logits per vocabulary size in three flavours: Gaussian; coarse (many ties, some ``-inf``);
    peaked (one dominant token, a masked block)."""
    rows = []
    for n in VOCAB_SIZES:
        rows.append([rnd.gauss(0.0, 3.0) for _ in range(n)])
        coarse = [float(rnd.randint(-4, 4)) for _ in range(n)]
        for i in range(n):
            if n > 1 and rnd.random() < 0.2:
                coarse[i] = -math.inf
        if all(v == -math.inf for v in coarse):
            coarse[0] = 0.0
        rows.append(coarse)
        peaked = [rnd.uniform(-2.0, 2.0) for _ in range(n)]
        peaked[rnd.randrange(n)] = 12.0
        for i in range(0, n, 5):
            if peaked[i] != 12.0 and n > 2:
                peaked[i] = -math.inf
        rows.append(peaked)
    rows.append([-math.inf] * 5)  # nothing finite: greedy
    rows.append([0.0, -0.0, 0.0, -0.0])  # signed zeros tie
    rows.append([1e30, -1e30, 3.4e38, -3.4e38, 1e-40])  # extremes of float32
    return rows


def golden_vectors(rng_seed: int = 5) -> list[SamplerCase]:
    """Every logit row x :data:`SETTINGS` x :data:`SEEDS`, :data:`DRAWS` tokens each; deterministic."""
    rnd = random.Random(rng_seed)
    return [run_case(row, t, k, p, seed, DRAWS) for row in _logit_rows(rnd) for t, k, p in SETTINGS for seed in SEEDS]


def write_vectors(cases: Sequence[SamplerCase], path: Path) -> None:
    """Writes :meth:`SamplerCase.line` for each case, one per line."""
    path.write_text("".join(c.line() + "\n" for c in cases), encoding="utf-8")
