"""Model fields shared by the apps."""

from typing import Any

from django.db import models


def upper_case(value: Any) -> Any:
    """The stored form of a code: upper case. Anything else (None) is left to the checks."""
    return value.upper() if isinstance(value, str) else value


class UpperCaseCodeField(models.CharField):
    """A code from a standard, accepted in any letter case and always stored upper case.

    The one normalising field for codes (ISO 3166-1 countries, ISO 4217 currencies), at every way
    in: `clean()` (full_clean: the services, the admin's forms) runs the validators on the value
    as written, so an error quotes the caller's own text, then hands back the upper-case form,
    which the constraint checks see; `pre_save` upper-cases whatever is saved without validation
    (`objects.create`, `bulk_create`); `get_prep_value` does the same for `update()` and lookups
    (`filter(country_code="de")` finds "DE"). Subclasses set `default_validators` and `max_length`.
    """

    code_length: int = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.code_length)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        return upper_case(super().clean(value, model_instance))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = upper_case(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        return upper_case(super().get_prep_value(value))
