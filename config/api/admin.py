"""The admin's write path shared by every app (`ServiceAdmin`), and the read-only admin of idempotency keys.

The admin enforces the same rules as the API because it writes through the same services:

- **Add and change.** The admin's form ends its validation (`_post_clean`, after the model's own
  checks pass) by calling the app's service, `ServiceAdmin.service_save(request, form, stored)`,
  inside the transaction the admin view opens. A `ValidationError` from the service (a taken SKU,
  the last active admin, ...) becomes a form error beside the field it names (at the top when the
  form has no such field), the page is shown again and nothing is written; the check and the write
  are one call, so nothing can slip between them. `save_model` then has nothing left to do.
  `stored` is the object as the admin read it, before the form wrote the posted values into it:
  the service compares against it (`user_update` asks whether the *stored* user is the last admin).
- **Delete** (the delete page and the "delete selected" action): `service_delete` for each object,
  all in one transaction. A `ValidationError` (or a `ProtectedError`) becomes an error message and
  nothing is deleted.
- A row deleted meanwhile makes the service raise `ObjectNotFound`: a 404 page
  (`ObjectNotFoundMiddleware`); a `PermissionDenied` is a 403 page. What the API answers with a
  409 (a concurrent write past the service's check stopped by a database constraint, a row still
  in use) is a form error or an error message here, not a 500: save or delete again.

These admins have no inlines: an inline formset found invalid after the main form's service call
would otherwise be redisplayed over a write already made.
"""

import copy
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .models import IdempotencyKey

CONFLICT = "A change made at the same moment conflicts with this one; nothing was saved. Check and save again."
# What a delete is refused with: a service's rule, or a row still in use (created meanwhile).
DELETE_REFUSALS = (ValidationError, ProtectedError, RestrictedError)


def refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return f"it is still in use ({exc.args[0]})"


class ServiceFormMixin(forms.ModelForm):
    """Runs the admin's `service_save` as the last step of validation; see the module docstring."""

    service_save: Callable[[forms.ModelForm, Any], Model]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # construct_instance() writes the posted values into self.instance: keep the stored object.
        self.stored = None if self.instance._state.adding else copy.copy(self.instance)

    def _post_clean(self) -> None:
        # The model's validation as the service runs it (validate_and_save): without the
        # constraints, whose checks are the service's ensure_unique(), naming the field (a form's
        # own check of `(owner, name)` would be an error about the whole form), and the database's.
        instance = self.instance
        instance.full_clean = functools.partial(type(instance).full_clean, instance, validate_constraints=False)  # type: ignore[method-assign]
        try:
            super()._post_clean()  # type: ignore[misc]  # BaseModelForm's, which the stubs do not declare
        finally:
            del instance.full_clean
        if self._errors:  # type: ignore[attr-defined]
            return
        try:
            self.instance = type(self).service_save(self, self.stored)
        except ValidationError as exc:
            self._add_service_errors(exc)
        except IntegrityError:
            # The service's savepoint rolled back; the admin's transaction goes on (the API's 409).
            self.add_error(None, CONFLICT)

    def _add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


def _refusal_as_message(action: Callable[..., HttpResponse | None]) -> Callable[..., HttpResponse | None]:
    """ "Delete selected" in one transaction; a service's ValidationError is a message and deletes nothing."""

    @functools.wraps(action)
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        try:
            with transaction.atomic(using=router.db_for_write(modeladmin.model)):
                return action(modeladmin, request, queryset)
        except DELETE_REFUSALS as exc:
            modeladmin.message_user(request, f"Nothing was deleted: {refusal_text(exc)}", messages.ERROR)
            return None

    return run


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every write is a call to the app's service (module docstring)."""

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Model:
        """Create (`stored` is None) or update `stored` from `form.instance`; returns the saved object."""
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    @staticmethod
    def posted(form: forms.ModelForm, fields: Sequence[str]) -> dict[str, Any]:
        """The values the form set on its instance, for those of `fields` that the form shows."""
        return {name: getattr(form.instance, name) for name in fields if name in form.fields}

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        def save(form: forms.ModelForm, stored: Any) -> Model:
            return self.service_save(request, form, stored)

        metaclass: Any = type(form)  # ModelFormMetaclass, as modelform_factory() does
        return metaclass(form.__name__, (ServiceFormMixin, form), {"service_save": staticmethod(save)})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The form's validation already saved it through the service.
        if obj._state.adding:
            raise RuntimeError(f"{type(self).__name__}: the form did not save through the service.")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self.service_delete(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            # The admin's own transaction rolls back the deletion's log entry too.
            return super().delete_view(request, object_id, extra_context)
        except DELETE_REFUSALS as exc:
            self.message_user(request, f"Not deleted: {refusal_text(exc)}", messages.ERROR)
            opts = self.model._meta
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id], current_app=self.admin_site.name
            )
            return HttpResponseRedirect(url)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, description = actions["delete_selected"]
            actions[name] = (_refusal_as_message(func), name, description)
        return actions


class SoftDeleteAdminMixin:
    """The delete pages of a soft delete list only the objects themselves: nothing cascades."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list[str], dict[str, int], set, list]:
        objs = list(objs)
        opts = self.model._meta  # type: ignore[attr-defined]
        name = opts.verbose_name if len(objs) == 1 else opts.verbose_name_plural
        return [str(obj) for obj in objs], {str(name): len(objs)}, set(), []


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the application records and the admin only reads: no add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Recorded by config.api.idempotency; staff look keys up, nobody edits them."""

    list_display = ["key", "scope", "user", "status_code", "created_at", "completed_at"]
    list_filter = ["scope", "status_code"]
    list_select_related = ["user"]
    search_fields = ["key", "user__username"]
    autocomplete_fields = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in IdempotencyKey._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
