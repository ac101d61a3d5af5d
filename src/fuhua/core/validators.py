"""Validators for Chinese identifiers, each raising a message that says what is wrong."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z), the last a mod-31 check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="length",
            params={"n": len(code)},
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("Characters not allowed in a unified social credit code: %(chars)s."),
            code="alphabet",
            params={"chars": " ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3–8 of a unified social credit code are the 6-digit region code."), code="region"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character is %(got)s but should be %(want)s (GB 32100-2015): the code is mistyped."),
            code="check_character",
            params={"got": code[17], "want": expected},
        )


def validate_region_code(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 6 and value.isdigit() and value[:2] != "00"):
        raise ValidationError(
            _("A region code (GB/T 2260) is 6 digits, e.g. 320500."), code="region_code"
        )


def validate_not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(_("Must not be negative."), code="negative")
