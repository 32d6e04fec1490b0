"""Characters and text a reader does not see, and how they are reported.

Zero-width and bidirectional control characters are invisible or reorder what is shown, and
Unicode "tag" characters (U+E0000..U+E007F) can smuggle whole ASCII sentences past a human
reader while a model still reads them. All are removed from the searchable text and counted
in a flag; tag characters are decoded into the flag so a recruiter sees what was hidden.
"""

from __future__ import annotations

import re
import unicodedata

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f")
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_TAG_FIRST, _TAG_LAST = 0xE0000, 0xE007F
# A soft hyphen is a legitimate typesetting hint, not hidden content: dropped without a flag.
_SOFT_HYPHEN = "\u00ad"
FLAG_CLIP = 80


def clip(text: str, limit: int = FLAG_CLIP) -> str:
    """Collapse whitespace and cut a text to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def hidden_flag(kind: str, text: str) -> str:
    """The flag for hidden text: ``hidden-text: white text (123 chars): 'ignore all…'``."""
    flat = " ".join(text.split())
    return f"hidden-text: {kind} ({len(flat)} chars): '{clip(flat)}'"


def strip_invisible(text: str) -> tuple[str, list[str]]:
    """Remove zero-width, bidi-control and tag characters; return the text and its flags.

    Args:
        text: any extracted text.

    Returns:
        The text without those characters, and one flag per kind found, with counts.
    """
    zero_width = bidi = 0
    tags: list[str] = []
    kept: list[str] = []
    for ch in text:
        if ch in ZERO_WIDTH:
            zero_width += 1
        elif ch in BIDI_CONTROLS:
            bidi += 1
        elif _TAG_FIRST <= ord(ch) <= _TAG_LAST:
            # Tag characters mirror ASCII at U+E0020..U+E007E: decode them for the flag.
            code = ord(ch) - _TAG_FIRST
            tags.append(chr(code) if 0x20 <= code <= 0x7E else "")
        elif ch != _SOFT_HYPHEN:
            kept.append(ch)
    flags: list[str] = []
    if tags:
        flags.append(hidden_flag("Unicode tag characters", "".join(tags)))
    if zero_width:
        flags.append(f"zero-width characters removed ({zero_width})")
    if bidi:
        flags.append(f"bidi control characters removed ({bidi})")
    return "".join(kept), flags


_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb06": "st",
    }
)


def tidy_text(text: str) -> str:
    """Normalise layout only: one space between words, no trailing spaces, at most one blank line.

    Words and their order are left as extracted, so quotes taken from the result are verbatim.
    """
    # NFC plus the Latin ligatures PDF fonts emit ("ﬁ" for "fi"), not NFKC: that would also
    # rewrite fractions and superscripts the resume really contains.
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
