"""Numbers are normalised to E.164 with phonenumbers; bad ones are refused."""

import pytest
from django.core.exceptions import ValidationError

from messaging.phone import normalize_phone_number


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("(415) 555-0123", "+14155550123"),
        ("415.555.0123", "+14155550123"),
        ("+1 415 555 0123", "+14155550123"),
        ("+14155550123", "+14155550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_numbers_are_normalised_to_e164(settings, given, expected):
    settings.PHONE_DEFAULT_REGION = "US"
    assert normalize_phone_number(given) == expected


def test_a_number_without_plus_is_read_in_the_default_region(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert normalize_phone_number("020 7946 0958") == "+442079460958"
    assert normalize_phone_number("+1 415 555 0123") == "+14155550123"


@pytest.mark.parametrize("given", ["12", "not a number", "", "+", "+999 123", "415 555 0123 ext. 7", "1" * 300])
def test_bad_numbers_are_refused(settings, given):
    settings.PHONE_DEFAULT_REGION = "US"
    with pytest.raises(ValidationError) as caught:
        normalize_phone_number(given)
    assert caught.value.code == "invalid_phone_number"
