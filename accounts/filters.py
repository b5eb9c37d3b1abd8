"""Query filters for users and customer accounts.

The rest_framework flavour of django-filter reads booleans as API clients send them:
`true`/`false` in any case and `1`/`0` (the plain one ignores `0`, and the contract wants a
false or zero value applied, not ignored).
"""

from django_filters import rest_framework as filters

from .models import Account, Role, User


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]


class AccountFilter(filters.FilterSet):
    active = filters.BooleanFilter()

    class Meta:
        model = Account
        fields = ["active"]
