"""Countries: a location's country is an ISO 3166-1 alpha-2 code, stored upper case (`DE`).

The list is pycountry's, not typed by hand; checked like currencies (accounts.currencies).
"""

import pycountry
from django.core.exceptions import ValidationError

from config.api.fields import upper_case

# Officially assigned codes. The database constraint lists them: a pycountry upgrade that changes
# the list needs a migration, which `makemigrations --check` (CI) asks for.
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def normalize_country_code(value: str) -> str:
    """The ISO 3166-1 alpha-2 code `value` names, in upper case; `value` may be in any letter case.

    Raises ValidationError (code `invalid_country`) for anything else, quoting `value` as written.
    Surrounding spaces are not trimmed: `" us"` is not a code.
    """
    country = pycountry.countries.get(alpha_2=value) if isinstance(value, str) and value else None
    # pycountry looks codes up lower-cased: "\u212aE" (Kelvin sign) would find KE, yet upper-cases
    # to itself, so it must not pass as a code that the database constraint would then refuse.
    if country is None or country.alpha_2 != upper_case(value):
        raise ValidationError(f"'{value}' is not an ISO 3166-1 alpha-2 country code.", code="invalid_country")
    return str(country.alpha_2)
