"""Users (who signs in) and customer accounts (what owns messages)."""

import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from config.api.fields import UpperCaseCodeField
from config.api.models import TimestampedModel
from config.api.validators import DESCRIPTION_MAX_LENGTH, validate_no_control_characters

from .currencies import normalize_currency_code


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    USER = "user", "User"


class UserQuerySet(models.QuerySet["User"]):
    def alive(self) -> "UserQuerySet":
        return self.filter(deleted_at__isnull=True)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """`createsuperuser` makes an admin; lookups by natural key ignore soft-deleted users."""

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(username__iexact=username, deleted_at__isnull=True)

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Emails are stored exactly as given (API.md); Django's version lower-cases the domain.
        return (email or "").strip()

    def _create_user(self, username, email, password, **extra_fields):  # type: ignore[no-untyped-def]
        user = self._create_user_object(username, email, password, **extra_fields)
        # A taken username or email (any case) is a ValidationError naming it, which
        # `createsuperuser` prints as a one-line error, not an IntegrityError traceback.
        user.validate_constraints()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[no-untyped-def, override]
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Soft-deleted users keep their row but free their email and username."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Uniqueness is enforced by the conditional constraints below (alive users only).
    username = models.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator(), MinLengthValidator(3)],
        help_text="3 to 150 characters: letters, digits and @/./+/-/_ only.",
    )
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["date_joined", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(deleted_at__isnull=True),
                name="accounts_user_email_ci_unique_alive",
                violation_error_message="A user with this email already exists.",
            ),
            models.UniqueConstraint(
                Lower("username"),
                condition=Q(deleted_at__isnull=True),
                name="accounts_user_username_ci_unique_alive",
                violation_error_message="A user with this username already exists.",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="accounts_user_role_valid"),
        ]
        indexes = [models.Index(fields=["role", "is_active"])]

    def clean(self) -> None:
        # AbstractUser.clean() lower-cases the email's domain; the contract stores it exactly as given.
        email = self.email
        super().clean()
        self.email = email

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # `is_staff` (the admin site's gate) always follows the role.
        self.is_staff = self.role == Role.ADMIN or self.is_superuser
        if self.is_superuser:
            self.role = Role.ADMIN
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # The `admin` role is what grants access (API.md, Roles): an active admin may use every
        # page of /admin/ without per-model permissions being handed out one by one.
        return (self.is_active and self.role == Role.ADMIN) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return (self.is_active and self.role == Role.ADMIN) or super().has_module_perms(app_label)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def validate_currency(value: str) -> None:
    """An ISO 4217 code in any letter case (the currency field's validator; migration 0001 names it)."""
    normalize_currency_code(value)


class CurrencyCodeField(UpperCaseCodeField):
    """An ISO 4217 currency code in any letter case, stored upper case."""

    code_length = 3
    default_validators = [validate_currency]


# Balances are below 10^12 (14 digits, 2 after the point): the one spelling of the bound, read by
# the field's validator, the database constraint and the API's serializer.
BALANCE_LIMIT = Decimal("1000000000000")
BALANCE_MAX = BALANCE_LIMIT - Decimal("0.01")


class Account(TimestampedModel):
    """A customer account; it owns messages."""

    BALANCE_LIMIT = BALANCE_LIMIT
    DEFAULT_BALANCE = Decimal("0.00")
    DEFAULT_CURRENCY = "USD"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(max_length=120)
    description = models.TextField(
        blank=True,
        default="",
        validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH), validate_no_control_characters],
    )
    balance = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=DEFAULT_BALANCE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(BALANCE_MAX)],
    )
    currency = CurrencyCodeField(default=DEFAULT_CURRENCY)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="accounts_account_owner_name_unique",
                violation_error_message="You already have an account with this name.",
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lt=BALANCE_LIMIT),
                name="accounts_account_balance_range",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="accounts_account_name_not_blank"),
        ]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class RotatedRefreshToken(models.Model):
    """A refresh token spent by rotation: presenting it again is reuse (accounts.services.auth_refresh).

    simplejwt's blacklist cannot tell a token spent by rotation from one logged out or revoked,
    and only the first is evidence of theft (two parties hold it). Deleted with its outstanding
    token (simplejwt's `flushexpiredtokens`).
    """

    token = models.OneToOneField(
        "token_blacklist.OutstandingToken", on_delete=models.CASCADE, primary_key=True, related_name="rotation"
    )
    rotated_at = models.DateTimeField()
    # When its reuse revoked the user's refresh tokens: a later replay of it revokes nothing more.
    reuse_detected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token {self.token_id} rotated at {self.rotated_at:%Y-%m-%d %H:%M:%S}"
