"""Model field validators shared by the apps."""

import re

from django.core.exceptions import ValidationError

# Unicode's control characters (C0, DEL, C1) but tab, newline and carriage return: they are no
# text, and JSON writes each C0 one as six bytes (`\u0001`), so text of them grew sixfold in an
# answer (API.md: no answer exceeds 8 MiB).
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Free text beside a name (an account's or a product's description): at most this many characters.
DESCRIPTION_MAX_LENGTH = 10_000


def validate_no_control_characters(text: str) -> None:
    found = _CONTROL_CHARACTER.search(text) if isinstance(text, str) else None
    if found:
        raise ValidationError(
            "The text contains the control character U+%(code)04X at position %(position)s; only tab, "
            "newline and carriage return are allowed.",
            code="control_characters_not_allowed",
            params={"code": ord(found.group()), "position": found.start()},
        )
