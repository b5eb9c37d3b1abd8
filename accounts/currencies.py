"""Currencies: an account's currency is an ISO 4217 alphabetic code, stored upper case (`USD`).

The list is pycountry's (kept current with ISO 4217: XCG replaced ANG in 2025), not typed by hand;
countries are checked the same way (sprockets.countries).
"""

import pycountry
from django.core.exceptions import ValidationError

from config.api.fields import upper_case

CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)


def normalize_currency_code(value: str) -> str:
    """The ISO 4217 code `value` names, in upper case; `value` may be in any letter case.

    Raises ValidationError (code `invalid`) for anything else, quoting `value` as it was written.
    Surrounding spaces are not trimmed: `" usd"` is not a code.
    """
    currency = pycountry.currencies.get(alpha_3=value) if isinstance(value, str) and value else None
    # As for countries (sprockets.countries): pycountry's lower-cased lookup finds KES for "\u212aES"
    # (Kelvin sign), which upper-cases to itself and is no code.
    if currency is None or currency.alpha_3 != upper_case(value):
        raise ValidationError("'%(value)s' is not an ISO 4217 currency code.", code="invalid", params={"value": value})
    return str(currency.alpha_3)
