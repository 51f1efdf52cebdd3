"""A deterministic corpus of varied strings for byte-level BPE tokenizers: prose, code, whitespace runs, emoji and
ZWJ sequences, CJK, Arabic, combining marks, numbers, contractions, special tokens written in the text.

:func:`corpus` returns the same list on every call and machine (fixed pools, then strings drawn from a fixed seed).
The tokenizer conformance tests and the golden vectors shipped with each SDK both use it.
"""

from __future__ import annotations

import random
import unicodedata

WORDS = (  # noqa: SIM905 (a word list reads better as text)
    "the quick brown fox jumps over a lazy dog while language models predict every next token from the text "
    "so far generation sampling temperature tokenizer merges vocabulary unbelievable internationalization "
    "running runner played xylophone quizzical zephyr rhythm Hello World OpenAI GitHub iPhone McDonald "
    "Python Kotlin Swift Android iOS function return value string number list dictionary class object "
    "byte pair encoding decoder stream chunk"
).split()
CONTRACTIONS = [
    "I'm",
    "you're",
    "YOU'RE",
    "it's",
    "IT'S",
    "it'S",
    "We'Ve",
    "they'LL",
    "THEY'll",
    "she'd",
    "She'D",
    "don't",
    "DON'T",
    "can't",
    "won'T",
    "'s",
    "'S",
    "''s",
    "'''",
    "x'ſ",  # LONG S: Oniguruma's case-insensitive 's also matches it
    "x'ſt",
    "x'ſthe",  # (with the whole-word tokens of the Llama 3 style tokenizer, the contraction split shows in the ids)
    "IT'Sthe",
    "THEY'LLthe",
    "x'Kthe",
    "'K",
    "o'clock",
    "rock'n'roll",
    "'tis",
    "'Twas",
    "y'all'd've",
    "ma'am",
    "l'amour",
    "'re'RE're",
    "it' s",
    "it ’s",
    "it’s",
    "'\u017f'\u212a",
]
EMOJI = [
    "😀",
    "👍🏽",
    "❤️",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇫🇷🇺🇸",
    "🧑🏾‍💻",
    "🙂‍↕️",
    "#️⃣",
    "1️⃣",
    "©®™",
    "🫠🥹",
    "👩‍❤️‍💋‍👨",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "☺︎",
    "✨🎉🔥",
]
CJK = [
    "你好世界",
    "中文，标点。",
    "日本語のテキストです",
    "カタカナ",
    "ひらがな",
    "한국어 문장입니다",
    "𠀀𠮷𪜀",
    "漢字かな交じり文",
    "ｶﾀｶﾅ",
    "今天是2024年1月1日",
    "「引用」『二重』",
]
SCRIPTS = [
    "مرحبا بالعالم",
    "مَرْحَبًا",
    "العربية\u200f",
    "١٢٣ ٤٥٦",
    "שָׁלוֹם עולם",
    "हिन्दी भाषा",
    "ภาษาไทย",
    "ქართული",
    "Русский текст",
    "Ελληνικά",
    "Tiếng Việt có dấu",
    "ᠮᠣᠩᠭᠣᠯ",
    "𐌰𐌱",
]
ACCENTS = [
    "café",
    "naïve",
    "résumé",
    "Ångström",
    "niño",
    "Zürich",
    "façade",
    "crème brûlée",
    "São Paulo",
    "Dvořák",
    "Łódź",
    "İstanbul",
    "straße",
    "ẞ",
    "e\u0301\u0301",
    "a\u0308\u0304",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "\u0301start",
    "x\u20dd",
    "ḍ̇",
    "q\u0307\u0323",
    "\u1112\u1161\u11ab",  # a Hangul syllable as conjoining jamo
    "Å Ω K",  # Angstrom, Ohm and Kelvin signs (NFC changes them)
    "ﬁﬂ",
]
WHITESPACE = [
    " ",
    "  ",
    "   ",
    "\t",
    "\t\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u00a0",
    "\u00a0\u00a0",
    "\u3000",
    "\u2003",
    "\u2009",
    "\u2028",
    "\u202f",
    "\u1680",
    "\x0b",
    "\x0c",
    "\x85",
    " \t\n ",
    "\n \n",
    " \u00a0 ",
    "\u200b",  # not white space
]
CODE = [
    "def f(x):\n    return x**2 + 1\n",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    '<div class="note">Hi &amp; bye</div>',
    '{"key": [1, 2.5e-3, null, true]}',
    "SELECT * FROM users WHERE id = 42;",
    "https://example.com/path?q=a+b&x=1#frag",
    "user.name+tag@example.co.uk",
    "C:\\Users\\me\\file.txt",
    "xs.map { y -> y * 2 }.filter(::isOdd)",
    "#include <stdio.h>\nint main(void) {\n\treturn 0;\n}\n",
    "$HOME/.config && echo $? || exit 1",
    "snake_case_name camelCaseName PascalCase SCREAMING_CASE kebab-case",
    "if x != y:\r\n        pass  # comment\r\n",
    "    \n    \n\tindented\n",
    "a = [1,2,3];;b = {'k': \"v\"}",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "// TODO: fix\n/* block */",
]
NUMBERS = [
    "0",
    "7",
    "42",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "3.14159",
    "-273.15",
    "1,000,000",
    "1e-9",
    "0x1F600",
    "2024-01-01T10:30:00Z",
    "+1 (555) 123-4567",
    "v1.2.3",
    "abc123def",
    "½¾①②Ⅻ²³",
    "٣٤٥",
    "१२३",
    "𝟘𝟙𝟚",
    "\U00011de0\U00016ff4",  # numeric for Rust (Unicode 17), not yet for Oniguruma
]
SPECIAL = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|begin_of_text|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<mask>",
    "<sep>",
    "§§",
    "[[tool]]",
    "Café <b>",
    "Cafe\u0301 <b>",
    "<|im_sta",
    "<|endoftext|",
    "|>",
    "<<|im_end|>>",
    "<|<|im_end|>|>",
]
POOLS = [WORDS, CONTRACTIONS, EMOJI, CJK, SCRIPTS, ACCENTS, WHITESPACE, CODE, NUMBERS, SPECIAL]
#: Code point ranges for random strings: scripts, symbols, marks, private use, unassigned, planes 1-2, 14-16.
RANDOM_RANGES = [
    (0x20, 0x7E),
    (0x00, 0x1F),
    (0x80, 0x24F),
    (0x300, 0x36F),
    (0x370, 0x52F),
    (0x590, 0x6FF),
    (0x900, 0xDFF),
    (0x1000, 0x1FFF),
    (0x2000, 0x2BFF),
    (0x3000, 0x33FF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7FF),
    (0xE000, 0xF8FF),
    (0xF900, 0xFFFF),
    (0x10000, 0x1FFFF),
    (0x1F300, 0x1FAFF),
    (0x20000, 0x2FFFF),
    (0xE0000, 0x10FFFF),
]


def vary_case(rng: random.Random, s: str) -> str:
    return rng.choice([s, s, s.lower(), s.upper(), s.title(), s.swapcase()])


def random_char(rng: random.Random) -> str:
    lo, hi = rng.choice(RANDOM_RANGES)
    while True:
        cp = rng.randint(lo, hi)
        if not 0xD800 <= cp <= 0xDFFF:
            return chr(cp)


def sentence(rng: random.Random, n: int) -> str:
    words = [vary_case(rng, rng.choice(WORDS + CONTRACTIONS)) for _ in range(n)]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + rng.choice([".", "!", "?", "", "...", ";", ",\n"])


def number(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 40)))
    return rng.choice([digits, "-" + digits, digits[:3] + "." + digits[3:], "x" + digits, digits + "th", f"${digits}"])


def corpus() -> list[str]:
    """Deterministic, varied strings: fixed edge cases, then random ones from a fixed seed."""
    fixed = ["", " ", "a", "A", ".", "Hello, World!", "\x00", "\x7f", "\ufffd", "\U0010ffff", "\ue000"]
    for pool in [CONTRACTIONS, EMOJI, CJK, SCRIPTS, ACCENTS, WHITESPACE, CODE, NUMBERS, SPECIAL]:
        fixed += pool
    fixed += [f"a{w}b" for w in WHITESPACE] + [f"word{w}" for w in WHITESPACE] + [f"{w}word" for w in WHITESPACE]
    fixed += [unicodedata.normalize("NFD", s) for s in ACCENTS + SCRIPTS + CJK]
    fixed += ["".join(chr(b) for b in range(i, i + 32)) for i in range(0, 256, 32)]  # every Latin-1 character
    fixed += ["".join(pool) for pool in POOLS]
    fixed += [
        "<|im_start|>user\nHi there!<|im_end|>\n<|im_start|>assistant\n",
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>",
        "text<|endoftext|>more text<|endoftext|><|endoftext|>",
        "a <mask> b  <mask>  c<mask>d\t<mask>",
        "x [[tool]] y[[tool]]z [[tool]]\n",
        "§§ a§§ §§b a§§b\u00a0§§\u00a0 _§§_ 1§§ é§§",
        "a<sep>  b <sep>\n<sep>",
        "<|im_start|><|im_end|><|im_start|>",
        " <|endoftext|> ",
    ]

    rng = random.Random(20260623)
    generated: list[str] = []
    for _ in range(200):  # prose, some of it long
        generated.append(sentence(rng, rng.choice([1, 2, 5, 10, 20, 40, 120])))
    for _ in range(120):  # numbers of many lengths in text
        generated.append(" ".join(number(rng) if rng.random() < 0.6 else rng.choice(WORDS) for _ in range(5)))
    for _ in range(120):  # whitespace runs between words
        parts = [rng.choice(WORDS + CJK + EMOJI)]
        for _ in range(rng.randint(1, 6)):
            parts.append("".join(rng.choice(WHITESPACE) for _ in range(rng.randint(1, 4))))
            parts.append(rng.choice(WORDS + NUMBERS + CONTRACTIONS))
        generated.append("".join(parts))
    for _ in range(120):  # special tokens written in text
        parts = []
        for _ in range(rng.randint(1, 6)):
            parts.append(rng.choice(SPECIAL + SPECIAL[:6]))
            parts.append(rng.choice(["", " ", "  ", "\n", "\t", "x", " hi ", "é", "_", "1"]))
        generated.append("".join(parts))
    for _ in range(200):  # fragments of every kind, glued with whitespace, punctuation or nothing
        glue = rng.choice(["", " ", "  ", "\n", "\t", ", ", "-", "'", "\u00a0"])
        generated.append(glue.join(vary_case(rng, rng.choice(rng.choice(POOLS))) for _ in range(rng.randint(2, 8))))
    for _ in range(120):  # random code points
        generated.append("".join(random_char(rng) for _ in range(rng.randint(1, 40))))
    for _ in range(40):  # emoji and ZWJ sequences, CJK and Arabic runs
        pool = rng.choice([EMOJI, CJK, SCRIPTS])
        generated.append("".join(rng.choice(pool) for _ in range(rng.randint(2, 10))))
    generated += [" " * 1000, "\n" * 300, "a" + " " * 500 + "b", "\u00a0" * 400 + "x", "\t \n" * 200, "1" * 500]
    for _ in range(10):  # long texts, with pieces longer than the cache takes
        generated.append(sentence(rng, 400) + "\n" + "x" * rng.randint(250, 600) + " " + "😀" * 70)
    return fixed + generated
