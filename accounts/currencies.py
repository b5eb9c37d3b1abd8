"""Currencies: an account's currency is an ISO 4217 alphabetic code, stored upper case (`USD`).

The list is pycountry's (kept current with ISO 4217: XCG replaced ANG in 2025), not typed by hand.
"""

import pycountry
from django.core.exceptions import ValidationError

CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)


def normalize_currency_code(value: str) -> str:
    """The ISO 4217 code `value` names, in upper case; `value` may be in any letter case.

    Raises ValidationError (code `invalid`) for anything else, quoting `value` as it was written.
    Surrounding spaces are not trimmed: `" usd"` is not a code.
    """
    currency = pycountry.currencies.get(alpha_3=value) if value else None
    if currency is None:
        raise ValidationError("'%(value)s' is not an ISO 4217 currency code.", code="invalid", params={"value": value})
    return str(currency.alpha_3)
