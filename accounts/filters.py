"""Query filters for users and customer accounts.

Booleans are read as API clients send them: `true`/`false` in any case, `1`/`0`, `yes`/`no`,
`on`/`off`. A false or zero value is applied, not ignored (API.md), and anything else is a 400
naming the parameter rather than a silently unfiltered list.
"""

from typing import Any

import django_filters
from django import forms
from django_filters import rest_framework as filters

from .models import Account, Role, User

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class StrictBooleanField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    # The plain filter, not the rest_framework one: that one's widget turns junk into "no filter".
    field_class = StrictBooleanField


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]


class AccountFilter(filters.FilterSet):
    active = StrictBooleanFilter()

    class Meta:
        model = Account
        fields = ["active"]
