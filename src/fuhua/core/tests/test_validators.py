import pytest
from django.core.exceptions import ValidationError

from fuhua.core.validators import credit_code_check_char, validate_credit_code, validate_region_code

# A published code of a real organisation.
REAL_CODES = ["91110000100006485K"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code):
    validate_credit_code(code)


def test_lower_case_is_accepted_as_the_same_code():
    validate_credit_code(REAL_CODES[0].lower())


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("9132050", "length"),
        ("91320500MA1234567I", "alphabet"),  # I is not in the GB 32100 alphabet
        ("91ABCDEFMA12345670", "region"),
        (REAL_CODES[0][:-1] + "J", "check_character"),
    ],
)
def test_bad_codes_say_what_is_wrong(code, error_code):
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    assert err.value.code == error_code


def test_check_character_detects_every_single_substitution():
    body = REAL_CODES[0][:17]
    check = credit_code_check_char(body)
    for i in range(17):
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if c != body[i]:
                assert credit_code_check_char(body[:i] + c + body[i + 1 :]) != check


@pytest.mark.parametrize("code", ["32050", "3205000", "32O500", "000000", ""])
def test_region_codes(code):
    with pytest.raises(ValidationError):
        validate_region_code(code)
    validate_region_code("320500")
