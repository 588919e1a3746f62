"""Writes the golden token ids the Go tokenizer is tested against.

For every CLINC150 test utterance and a list of hard cases, records the ids the
Hugging Face `tokenizers` library gives with runtime/testdata/minilm/tokenizer.json,
untruncated and truncated to 16 tokens, no padding.

Run: .venv/bin/python scripts/edge/gen_golden_tokens.py
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
from pathlib import Path

import tokenizers

ROOT = Path(__file__).resolve().parents[2]
TESTDATA = ROOT / "runtime" / "testdata"
TOKENIZER = TESTDATA / "minilm" / "tokenizer.json"
CLINC = TESTDATA / "clinc150" / "test.json"
OUT = TESTDATA / "golden_tokens.json"
TRUNCATE = 16

HARD_CASES = [
    "",
    " ",
    "\t\n\r ",
    "Café naïve façade résumé Ångström",
    "ÀÉÎÕÜ àéîõü ÇÑ çñ",
    "İstanbul ΟΔΟΣ straße ǅungla",
    "e\u0301 a\u0308 combining marks",
    "hello 😀 world 🥰 🧑‍🚀 👍🏽",
    "I ❤️ NY ☕",
    "我想订一张去北京的机票",
    "東京の天気はどうですか",
    "서울 날씨 어때요",
    "中文English混合mixed",
    "\u3400\U00020000\uf900 cjk extension and compatibility",
    "control\x00chars\x01here\x7f and\u200bzero\u200dwidth\ufeffbom",
    "tab\tnew\nline\rreturn\u00a0nbsp\u2003em\u3000ideographic",
    "soft\u00adhyphen and bidi \u202eoverride\u202c",
    "private \ue000 use \U000f0000 plane",
    "unassigned \u0378 code point",
    "what's the weather? (today!) -- yes/no; 50% off: $3.50 & more...",
    "«quotes» “smart” ‘single’ „low“ ¿qué? ¡sí!",
    "hello [MASK] world [CLS] [SEP] [PAD] [UNK] [cls] [mask",
    "[MASK][MASK]x[SEP]",
    "https://example.com/path?q=1&x=y#frag user@example.com",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ ０１２３",
    "ﬁne ﬂow ǆ Ǆ ℌ ℍ Ⅻ ①②",
    "Ελληνικά Кириллица עברית العربية हिन्दी ไทย",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a" * 99,
    "b" * 100,
    "c" * 101,
    "pneumonoultramicroscopicsilicovolcanoconiosis " * 3,
    " ".join(["token"] * 300),
    "what is my balance " * 40,
    "ÅÅÅ" * 50,
    "x" + "\u0301" * 120,
    "ǅ",
    "12345678901234567890 3.14159 1,000,000",
    "\u2028line separator\u2029paragraph",
    "emoji flags 🇫🇷🇯🇵 keycap 1️⃣ tag 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
]


def random_cases(n: int, seed: int = 150) -> list[str]:
    """Seeded strings of random code points from all planes, mixed with words, spaces and marks."""
    rng = random.Random(seed)
    pools = [
        (0x20, 0x7E),
        (0x80, 0x2FF),
        (0x300, 0x36F),
        (0x370, 0x1FFF),
        (0x2000, 0x2BFF),
        (0x3000, 0x9FFF),
        (0xAC00, 0xD7A3),
        (0xE000, 0xFFFD),
        (0x10000, 0x1FFFF),
        (0x20000, 0x2FFFF),
        (0xE0000, 0x10FFFF),
    ]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 24)):
            lo, hi = rng.choice(pools)
            c = rng.randint(lo, hi)
            if 0xD800 <= c <= 0xDFFF:
                continue
            parts.append(chr(c))
            if rng.random() < 0.2:
                parts.append(rng.choice([" ", "hello", "Ä", "\u0301", "[MASK]", "\t"]))
        out.append("".join(parts))
    return out


def main() -> None:
    tok = tokenizers.Tokenizer.from_file(str(TOKENIZER))
    tok.no_padding()
    tok.no_truncation()
    short = tokenizers.Tokenizer.from_file(str(TOKENIZER))
    short.no_padding()
    short.enable_truncation(max_length=TRUNCATE)
    rows = json.loads(CLINC.read_text(encoding="utf-8"))
    texts = [t for t, _ in rows] + HARD_CASES + random_cases(500)
    cases = []
    for text in texts:
        full = tok.encode(text)
        cut = short.encode(text)
        for enc in (full, cut):
            if any(enc.type_ids) or not all(enc.attention_mask):
                raise SystemExit(f"unexpected type ids or mask for {text!r}")
        cases.append({"text": text, "ids": full.ids, "ids16": cut.ids})
    digest = hashlib.sha256(TOKENIZER.read_bytes()).hexdigest()
    doc = {
        "generator": "scripts/edge/gen_golden_tokens.py",
        "tokenizers_version": tokenizers.__version__,
        "tokenizer_sha256": digest,
        "truncate": TRUNCATE,
        "cases": cases,
    }
    lines = [
        json.dumps(
            {k: v for k, v in doc.items() if k != "cases"},
            ensure_ascii=False,
            sort_keys=True,
        )
    ]
    body = ",\n".join(json.dumps(c, ensure_ascii=False, sort_keys=True) for c in cases)
    text = '{"meta": ' + lines[0] + ',\n"cases": [\n' + body + "\n]}\n"
    fd, tmp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, OUT)
    print(
        f"{OUT}: {len(cases)} cases ({len(rows)} CLINC150, {len(HARD_CASES)} hard, 500 random)"
    )


if __name__ == "__main__":
    main()
