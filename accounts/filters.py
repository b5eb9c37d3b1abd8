"""Query filters for users and customer accounts.

Booleans are read as API clients send them: `true`/`false` in any case, `1`/`0`, `yes`/`no`,
`on`/`off`. A false or zero value is applied, not ignored (API.md), and anything else is a 400
naming the parameter rather than a silently unfiltered list.
"""

from django_filters import rest_framework as filters

from config.api.filters import StrictBooleanFilter

from .models import Account, Role, User


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
