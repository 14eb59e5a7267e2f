"""统一社会信用代码 (PRC unified social credit code) validation per GB 32100-2015.

Eighteen characters from a 31-character alphabet (no I, O, S, V, Z): registration
authority, entity type, six-digit administrative division, nine-character organisation
code, and a final check character. A typo in a credit code puts the wrong company on a
contract, so a code whose check character does not match is refused.
"""

from __future__ import annotations

import re
import unicodedata

from contractctl.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(rf"^[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}$")


def normalize(code: str) -> str:
    """Upper-case, half-width, without spaces or dashes: how codes are stored."""
    text = unicodedata.normalize("NFKC", code)
    return re.sub(r"[\s\-]", "", text).upper()


def check_char(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def complete(first17: str) -> str:
    """A full valid code from its first 17 characters (for tests, demos and samples)."""
    first17 = normalize(first17)
    if len(first17) != 17 or any(c not in ALPHABET for c in first17):
        raise InvalidInput(f"{first17!r}: need 17 characters from {ALPHABET}")
    return first17 + check_char(first17)


def validate(code: str) -> str:
    """Return the normalised code, or raise InvalidInput saying what is wrong with it."""
    norm = normalize(code)
    if len(norm) != 18:
        raise InvalidInput(
            f"credit code {code!r} has {len(norm)} characters; a unified social credit code has 18"
        )
    bad = sorted({c for c in norm if c not in ALPHABET})
    if bad:
        raise InvalidInput(
            f"credit code {code!r} contains {''.join(bad)!r}, which no credit code uses "
            "(I, O, S, V and Z never occur)"
        )
    if not _SHAPE.match(norm):
        raise InvalidInput(
            f"credit code {code!r}: characters 3-8 must be the digits of an administrative division"
        )
    expected = check_char(norm[:17])
    if norm[17] != expected:
        raise InvalidInput(
            f"credit code {code!r} fails its check character: the 18th character "
            f"should be {expected!r}; the code has a typo"
        )
    return norm
