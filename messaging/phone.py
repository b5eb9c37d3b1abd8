"""Phone numbers: everything stored or compared is E.164 (`+14155550123`)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError


def normalize_phone_number(value: str) -> str:
    """The E.164 form of `value`; a number without `+` is read in PHONE_DEFAULT_REGION.

    Raises ValidationError (code `invalid_phone_number`) for anything that is not a valid,
    dialable number: a string that does not parse, a number too short for its region, or one
    with an extension (E.164 has no place for it, and an SMS cannot reach one).
    """
    try:
        number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "'%(value)s' is not a phone number.", code="invalid_phone_number", params={"value": value}
        ) from exc
    if number.extension or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "'%(value)s' is not a valid phone number (E.164, e.g. +14155550123).",
            code="invalid_phone_number",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
