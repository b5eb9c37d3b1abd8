"""Shapes of users, tokens and customer accounts. Rules live in accounts/services.py."""

from typing import Any

from django.conf import settings
from rest_framework import serializers

from accounts.currencies import CURRENCY_CODES, normalize_currency_code
from accounts.models import BALANCE_MAX, Account, Role, User
from config.api.permissions import is_admin
from config.api.serializers import CodeField, DecimalField, FullReplacementMixin


def _password_min_length() -> int:
    validators: list[dict[str, Any]] = list(settings.AUTH_PASSWORD_VALIDATORS)
    for validator in validators:
        if validator["NAME"].endswith(".MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 1


class NewPasswordField(serializers.CharField):
    """A password being set. Django's validators (AUTH_PASSWORD_VALIDATORS) judge it in the service;
    the schema states the checkable part of them: the minimum length and not entirely numeric."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", 4096)
        kwargs.setdefault(
            "help_text",
            f"At least {_password_min_length()} characters, not entirely numeric, not a common password, "
            "not too similar to the username, email or name.",
        )
        super().__init__(**kwargs)
        self.schema_extra = {"minLength": _password_min_length(), "pattern": "\\D"}


class UserSerializer(FullReplacementMixin):
    """PUT replaces the profile: `first_name` or `last_name` left out goes back to `""`.

    `role` and `is_active` are permissions, not profile: they change only when sent, so a PUT
    that leaves them out never demotes or deactivates anyone.
    """

    PERMISSION_FIELDS = ("role", "is_active")

    class Meta:
        model = User
        fields = ["id", "email", "username", "first_name", "last_name", "role", "is_active", "date_joined"]
        read_only_fields = ["id", "date_joined"]
        extra_kwargs = {"email": {"required": True, "allow_blank": False}}

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)
        for field in self.PERMISSION_FIELDS:
            if field not in data:
                validated.pop(field, None)
        return validated


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = serializers.RegexField(r"^[\w.@+-]+\Z", min_length=3, max_length=150)
    password = NewPasswordField(write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class LoginSerializer(serializers.Serializer):
    """`username` (a username or an email) or `email`, and `password`."""

    # Blank is allowed so an HTML form with both inputs can leave one empty; `validate` needs one.
    username = serializers.CharField(required=False, allow_blank=True, max_length=254)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    password = serializers.CharField(trim_whitespace=False, max_length=4096)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("username") and not attrs.get("email"):
            raise serializers.ValidationError(
                {"username": "This field is required (a username or an email), or give `email`."},
                code="required",
            )
        return attrs


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField(default="Bearer")
    expires_in = serializers.IntegerField(help_text="Access token lifetime in seconds.")


class RegisterResponseSerializer(serializers.Serializer):
    user = UserSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False, max_length=4096)
    new_password = NewPasswordField()


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class AccountSerializer(FullReplacementMixin):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.alive(),
        required=False,
        help_text="Set to the caller; only an admin may give another user.",
    )
    name = serializers.CharField(min_length=1, max_length=120, allow_blank=False)
    currency = CodeField(
        codes=CURRENCY_CODES,
        normalize=normalize_currency_code,
        min_length=3,
        max_length=3,
        required=False,
        help_text="ISO 4217 currency, any letter case (stored upper case).",
    )
    # `initial` pre-fills the browsable API's form (an empty form field is a malformed number).
    balance = DecimalField(max_digits=14, decimal_places=2, max_value=BALANCE_MAX, required=False, initial="0.00")

    class Meta:
        model = Account
        fields = ["id", "owner", "name", "description", "balance", "currency", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # (owner, name) uniqueness is checked by accounts.services, where the owner is known.
        validators: list = []

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not is_admin(request.user):
            # Ignored for a non-admin, so not validated either: an "unknown user" error
            # would tell them which user ids exist.
            fields["owner"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields
