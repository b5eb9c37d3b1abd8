"""Admin of users and customer accounts; every write goes through accounts.services.

The form's validation ends with the service call (config.api.admin.ServiceAdmin), so the API's
rules hold here too and their refusals are form errors beside the field: the last active admin
cannot be demoted or deactivated (`user_update`) or deleted (`user_soft_delete`: an error message,
nothing deleted); a taken email/username or account name is an error on that field. Deactivating a
user revokes their refresh tokens; deleting one is the API's soft delete (the row stays with
`deleted_at`, every token stops working); a deleted user is shown read-only. A password set here
(`user_set_password`) also revokes the user's refresh tokens. `is_superuser` is read-only: the
role is the privilege staff change (a superuser comes from `createsuperuser`).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoOwnPasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from config.api.admin import ServiceAdmin, SoftDeleteAdminMixin

from . import services
from .models import Account, User


class PasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        self.user = services.user_set_password(user=self.user, password=password)
        return self.user


class OwnPasswordChangeForm(DjangoOwnPasswordChangeForm):
    """The admin site's "Change password" (a staff member's own, `/admin/password_change/`): the
    API's `user_change_password`, so every refresh token of the user stops working, as after
    `POST /auth/password/` (the form already checked the current password; the service checks it
    again under the row lock)."""

    required_css_class = "required"  # as django.contrib.admin.forms.AdminPasswordChangeForm

    def save(self, commit: bool = True) -> Any:
        services.user_change_password(
            user=self.user,
            old_password=self.cleaned_data["old_password"],
            new_password=self.cleaned_data["new_password1"],
        )
        self.user.refresh_from_db(fields=["password"])
        return self.user


@admin.register(User)
class UserAdmin(SoftDeleteAdminMixin, ServiceAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "role", "is_active", "date_joined", "deleted_at"]
    list_filter = ["role", "is_active", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["-date_joined"]
    readonly_fields = ["id", "date_joined", "last_login", "deleted_at", "is_staff", "is_superuser"]
    change_password_form = PasswordChangeForm
    fieldsets = (
        (None, {"fields": ("id", "username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "role", "password1", "password2")}),)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A soft-deleted user is history: shown, not edited (user_update would answer 404).
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_deleted)

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> User:
        actor: User = request.user  # type: ignore[assignment]
        user: User = form.instance
        if stored is None:
            data = form.cleaned_data
            usable = data.get("set_usable_password", True)
            return services.user_create(
                actor=actor,
                email=user.email,
                username=user.username,
                role=user.role,
                password=data["password1"] if usable else None,
            )
        try:
            return services.user_update(
                actor=actor, user=stored, data=self.posted(form, services.ADMIN_EDITABLE_FIELDS)
            )
        except ValidationError as exc:
            # The last admin's refusal names `role` (the API's field); when only "active" was
            # unticked, staff should see it beside that box.
            errors = getattr(exc, "error_dict", {})
            if "role" in errors and "role" not in form.changed_data and "is_active" in form.changed_data:
                raise ValidationError({"is_active": errors["role"]}) from exc
            raise

    def service_delete(self, request: HttpRequest, obj: User) -> None:
        # Deleting an already deleted user again keeps its deletion time (as for products).
        if not obj.is_deleted:
            services.user_soft_delete(user=obj)


@admin.register(Account)
class AccountAdmin(ServiceAdmin):
    list_display = ["name", "owner", "balance", "currency", "active", "created_at"]
    list_filter = ["active", "currency"]
    search_fields = ["name", "description", "owner__username", "owner__email"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["id", "created_at", "updated_at"]
    date_hierarchy = "created_at"

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Account:
        actor: User = request.user  # type: ignore[assignment]
        if stored is None:
            return services.account_create(
                actor=actor, owner=form.instance.owner, **self.posted(form, services.ACCOUNT_EDITABLE_FIELDS)
            )
        data = self.posted(form, (*services.ACCOUNT_EDITABLE_FIELDS, "owner"))
        return services.account_update(actor=actor, account=stored, data=data)

    def service_delete(self, request: HttpRequest, obj: Account) -> None:
        services.account_delete(account=obj)
