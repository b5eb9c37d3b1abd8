"""One rule for every date-time the API reads, in a body or a query parameter.

A date-time is stored and compared in UTC. Its offset must be one that exists on Earth,
-12:00 to +14:00: PostgreSQL refuses larger ones ("time zone displacement out of range",
which was a 500), and a value whose UTC equivalent leaves years 1..9999 cannot be represented.
Both are a 400 naming the field or parameter. A value without an offset is UTC.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError

MIN_UTC_OFFSET = timedelta(hours=-12)
MAX_UTC_OFFSET = timedelta(hours=14)
OFFSET_RULE = "UTC offsets from -12:00 to +14:00; no offset means UTC."


def to_utc(value: datetime) -> datetime:
    """`value` in UTC; a ValidationError (code `invalid`) if its offset or its UTC year is out of range."""
    offset = value.utcoffset()
    if offset is None:
        return value.replace(tzinfo=UTC)
    if not MIN_UTC_OFFSET <= offset <= MAX_UTC_OFFSET:
        raise ValidationError("The UTC offset must be between -12:00 and +14:00.", code="invalid")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationError("Date-time out of range (years 1 to 9999 in UTC).", code="invalid") from None
