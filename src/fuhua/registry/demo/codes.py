"""Identifiers: unified social credit codes (GB 32100-2015), certificate numbers.

Codes are unique by construction: a serial is spread over the 31⁶ bodies by multiplying with a
number prime to 31⁶, so no set of issued codes has to be kept in memory.
"""

from __future__ import annotations

from fuhua.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

_SPACE = 31**6
_MULTIPLIER = 387_420_489  # 3¹⁸: prime to 31, so serial → body is a bijection on [0, 31⁶)
_OFFSET = 123_456_789
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code check

# Registration authority + kind (first two characters) by organisation kind.
KIND_PREFIX = {"university": "12", "institute": "12", "public_institution": "12", "government": "11",
               "association": "51"}


def _org_check(body8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


class CodeMaker:
    def __init__(self) -> None:
        self.serial = 0

    def credit_code(self, region: str, kind: str = "enterprise") -> str:
        self.serial += 1
        n = (self.serial * _MULTIPLIER + _OFFSET) % _SPACE
        tail = ""
        for _ in range(6):
            n, digit = divmod(n, 31)
            tail = CREDIT_CODE_ALPHABET[digit] + tail
        body8 = "MA" + tail  # "MA…" is how post-2015 registrations' organisation codes begin
        first17 = KIND_PREFIX.get(kind, "91") + region + body8 + _org_check(body8)
        return first17 + credit_code_check_char(first17)

    def certificate(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial % 1_000_000:06d}"
