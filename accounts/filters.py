import django_filters

from .models import Account, Role, User


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]


class AccountFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()

    class Meta:
        model = Account
        fields = ["active"]
