"""Word's symbol-font check boxes as the characters they show.

Word inserts a check box as a symbol (``Insert > Symbol``, a ``w:sym`` element) of the
Wingdings or Wingdings 2 font: a code in the private use area that means nothing
without the font (U+F0FE is Wingdings' ☑, U+F052 Wingdings 2's ☑, U+F0A3 its □), and
LibreOffice's PDF of the file keeps the same code in its text layer. Read as they are,
a box ticked in one version and not in the other is a change nobody can read, and the
metadata's tick-box rule cannot tell the chosen option. One table, used by the DOCX
reader, the PDF text and the compare engine's folding alike, so a DOCX and its PDF
still read the same: the codes of both fonts' boxes and ticks. The two fonts put other
pictures at a few of these codes (Wingdings' R is a sun); a contract's symbol there
is a check box far more often than a sun.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["BOXES", "readable", "symbol"]

#: Private-use code (the font's byte + U+F000) -> the character it shows.
BOXES: Final[dict[int, str]] = {
    # Wingdings
    0xF06F: "□", 0xF0A8: "□", 0xF071: "❑", 0xF06E: "■", 0xF078: "☒",
    0xF0FE: "☑", 0xF0FD: "☒", 0xF0FC: "✓", 0xF0FB: "✗",
    # Wingdings 2
    0xF0A3: "□", 0xF052: "☑", 0xF053: "☒", 0xF054: "☒", 0xF050: "✓", 0xF04F: "✗",
}  # fmt: skip
_TABLE: Final = {code: char for code, char in BOXES.items()}
_PRIVATE: Final = re.compile("[\uf000-\uf0ff]")


def readable(text: str) -> str:
    """``text`` with symbol-font check boxes as the characters they show."""
    return text.translate(_TABLE) if _PRIVATE.search(text) else text


def symbol(char: str | None) -> str:
    """The text of a ``w:sym`` element from its ``w:char`` (hex, ``F0FE`` or ``00FE``):
    a check box as what it shows, any other symbol as its private-use code, as
    LibreOffice's PDF has it."""
    try:
        code = int(char or "", 16)
    except ValueError:
        return ""
    if code < 0x100:
        code += 0xF000
    if not 0 < code < 0x110000:
        return ""
    return BOXES.get(code, chr(code))
