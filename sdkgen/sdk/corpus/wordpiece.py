"""A deterministic corpus of varied strings for WordPiece (BERT) tokenizers: accents, emoji, CJK, scripts,
combining marks, control characters, whitespace runs, code, punctuation, special tokens, long words.

:func:`corpus` returns the same list on every call and machine (fixed pools, then strings drawn from fixed seeds).
The tokenizer conformance tests and the golden vectors shipped with each SDK both use it.
"""

from __future__ import annotations

import random
import unicodedata

WORDS = (  # noqa: SIM905 (a word list reads better as text)
    "the quick brown fox jumps over a lazy dog while embedding models map every sentence to one vector "
    "search query document tokenizer unbelievable unaffable internationalization running runner played "
    "xylophone quizzical zephyr supercalifragilistic transformers attention pooling normalize cosine "
    "similarity Hello World OpenAI GitHub iPhone McDonald's don't can't it's U.S.A. e.g. etc"
).split()
ACCENTED = [
    "café",
    "naïve",
    "résumé",
    "Ångström",
    "niño",
    "Señor",
    "Zürich",
    "façade",
    "crème brûlée",
    "São Paulo",
    "Dvořák",
    "Øresund",
    "Łódź",
    "İstanbul",
    "straße",
    "STRASSE",
    "ẞ",
    "Ελληνικά",
    "ΟΔΥΣΣΕΥΣ",
    "Москва",
    "Київ",
    "Ỳ",
    "ǅungla",
    "Ǆ",
    "ǈ",
    "Ꭰꭰ",
    "ＡＢＣａｂｃ",
    "ⒶⓐⅫⅻ",
    "𝐀𝐁𝐂",
    "Ა",
    "ᲀ",
    "Ⱥ",
    "K Å Ω",  # Kelvin, Angstrom and Ohm signs: NFD singletons
    "ﬁﬂ",
]
EMOJI = [
    "😀",
    "👍",
    "👍🏽",
    "❤️",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇫🇷🇺🇸",
    "🥰",
    "🫠",
    "🧑🏾‍💻",
    "☺",
    "✨",
    "🙂‍↕️",
    "#️⃣",
    "1️⃣",
    "©®™",
]
CJK = [
    "你好世界",
    "中文，标点。",
    "日本語のテキストです",
    "カタカナ",
    "ひらがな",
    "한국어 문장입니다",
    "𠀀𠮷𪜀",
    "㐀㐁",
    "豈更",
    "々〆〇",
    "漢字かな交じり文",
    "ｶﾀｶﾅ",
]
SCRIPTS = [
    "مرحبا بالعالم",
    "مَرْحَبًا",
    "العربية\u200f",
    "שָׁלוֹם עולם",
    "हिन्दी भाषा",
    "ภาษาไทย",
    "ქართული",
    "Հայերեն",
    "ⴰⵣⵓⵍ",
    "ᠮᠣᠩᠭᠣᠯ",
    "ꦗꦮ",
    "𐌰𐌱",
]
COMBINING = [
    "e\u0301\u0301",
    "a\u0308\u0304",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "\u0301start",
    "x\u20dd",
    "\u0e31",
    "a\u0316\u0301",
    "ḍ̇",
    "q\u0307\u0323",
    "\u1734x",
]
CONTROLS = [
    "\x00",
    "\x01",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1f",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u2060",
    "\ufeff",
    "\ufffd",
    "\u00ad",
    "\u061c",
    "\u180e",
    "\U000e0041",
    "\ue000",
    "\U000f0000",
]
WHITESPACE = [
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u00a0",
    "\u3000",
    "\u2003",
    "\u2009",
    "\u2028",
    "\u2029",
    "\u202f",
    "\u205f",
    "\u1680",
    " \t\n ",
]
CODE = [
    "def f(x): return x**2 + 1",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    '<div class="note">Hi &amp; bye</div>',
    '{"key": [1, 2.5e-3, null, true]}',
    "SELECT * FROM users WHERE id = 42;",
    "https://example.com/path?q=a+b&x=1#frag",
    "user.name+tag@example.co.uk",
    "C:\\Users\\me\\file.txt",
    "xs.map { y -> y * 2 }.filter(::isOdd)",
    "#include <stdio.h>\nint main(void) {\n\treturn 0;\n}",
    "$HOME/.config && echo $? || exit 1",
    "snake_case_name camelCaseName PascalCase SCREAMING_CASE kebab-case",
    "0x1F600 0b1010 1e-9 3.14159 1,000,000 2024-01-01T10:30:00Z",
]
PUNCTUATION = [
    "!!!",
    "???",
    "...",
    "…",
    "—–-",
    "«»",
    "“quoted”",
    "‘single’",
    "¿Qué?",
    "¡Hola!",
    "@#$%^&*()",
    "[]{}<>",
    "、。・",
    "「」『』",
    "•·",
    "§¶",
    "¥€£₹",
    "±×÷",
    "~`|\\",
    "½¾①②Ⅻ²³٣٤",
    "\u166d\u111c9\u2e52",  # P* in one Unicode version and not in another
]
SPECIAL = [
    "[MASK]",
    "[CLS]",
    "[SEP]",
    "[PAD]",
    "[UNK]",
    "[mask]",
    "[MASK",
    "MASK]",
    "[[MASK]]",
    "[MA SK]",
    "x[MASK]y",
    "[MA\x00SK]",
    "[MASK]\u0301",
    "[CLS][SEP][PAD]",
]
LONG_WORDS = [
    "a" * 99,
    "a" * 100,
    "a" * 101,
    "é" * 100,  # 200 code points after NFD, 100 after stripping the accents
    "é" * 101,
    "ab" * 60,
    "supercalifragilisticexpialidocious" * 3,
    "x" * 99 + "\u0301",
    "😀" * 101,
    "你" * 150,
    "İ" * 60,
    "unbelievable" * 8 + "ness",
]
POOLS = [WORDS, ACCENTED, EMOJI, CJK, SCRIPTS, COMBINING, CONTROLS, WHITESPACE, CODE, PUNCTUATION, SPECIAL]
#: Code point ranges for random strings: scripts, symbols, marks, private use, unassigned, planes 1-2, 14-16.
RANDOM_RANGES = [
    (0x20, 0x7E),
    (0x00, 0x1F),
    (0x80, 0x24F),
    (0x250, 0x2FF),
    (0x300, 0x36F),
    (0x370, 0x52F),
    (0x590, 0x6FF),
    (0x900, 0xDFF),
    (0xE00, 0xFFF),
    (0x1000, 0x1FFF),
    (0x2000, 0x2BFF),
    (0x2C00, 0x2FFF),
    (0x3000, 0x33FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xABFF),
    (0xAC00, 0xD7FF),
    (0xE000, 0xF8FF),
    (0xF900, 0xFFFF),
    (0x10000, 0x1FFFF),
    (0x1F300, 0x1FAFF),
    (0x20000, 0x2FFFF),
    (0x30000, 0xDFFFF),
    (0xE0000, 0x10FFFF),
]


def vary_case(rng: random.Random, s: str) -> str:
    return rng.choice([s, s.lower(), s.upper(), s.title(), s.swapcase()])


def random_char(rng: random.Random) -> str:
    lo, hi = rng.choice(RANDOM_RANGES)
    while True:
        cp = rng.randint(lo, hi)
        if not 0xD800 <= cp <= 0xDFFF:
            return chr(cp)


def sentence(rng: random.Random, n: int) -> str:
    words = [vary_case(rng, rng.choice(WORDS)) for _ in range(n)]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + rng.choice([".", "!", "?", "", "...", ";"])


def corpus() -> list[str]:
    """Deterministic, varied strings: fixed edge cases, then random ones from fixed seeds."""
    fixed = ["", " ", "\n", "\t\t", "\x00", "\ufffd", "a", "A", ".", "Hello, World!"]
    for pool in [ACCENTED, EMOJI, CJK, SCRIPTS, COMBINING, CODE, PUNCTUATION, SPECIAL, LONG_WORDS]:
        fixed += pool
    fixed += [f"a{c}b" for c in CONTROLS + WHITESPACE]
    fixed += [unicodedata.normalize("NFD", s) for s in ACCENTED]
    fixed += ["".join(CONTROLS), "".join(WHITESPACE), "".join(PUNCTUATION), "".join(EMOJI), "".join(COMBINING)]

    rng = random.Random(20240611)
    generated: list[str] = []
    for _ in range(250):  # plain sentences, some longer than 128 tokens
        generated.append(sentence(rng, rng.choice([1, 3, 8, 15, 30, 60, 150])))
    for _ in range(350):  # fragments of every kind, glued with whitespace, punctuation or nothing
        parts = [vary_case(rng, rng.choice(rng.choice(POOLS))) for _ in range(rng.randint(1, 10))]
        seps = ["", " ", " ", "\n", "\t", "\u00a0", "\u3000", ", ", "-", "\x00", "\u200d"]
        generated.append("".join(p + rng.choice(seps) for p in parts))
    for _ in range(300):  # random code points from many blocks
        generated.append("".join(random_char(rng) for _ in range(rng.randint(1, 40))))
    for _ in range(100):  # random code points inside words, which WordPiece must then split or reject
        word = rng.choice(WORDS)
        at = rng.randint(0, len(word))
        generated.append(word[:at] + "".join(random_char(rng) for _ in range(rng.randint(1, 3))) + word[at:])
    for _ in range(100):  # long texts of mixed fragments (truncated to 126 pieces)
        generated.append(" ".join(rng.choice(rng.choice(POOLS)) for _ in range(rng.randint(40, 200))))
    for _ in range(50):  # words around the 100-character limit
        n = rng.randint(95, 105)
        generated.append("".join(rng.choice("abcdeé€😀你") for _ in range(n)))
    return fixed + generated
