"""Messages are immutable: staff can add, look up and delete them, never edit.

Adding and deleting go through messaging.services (config.api.admin.ServiceAdmin): a number that
is not a phone number is a form error on that field.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from config.api.admin import ServiceAdmin

from . import services
from .models import PHONE_NUMBER_FIELDS, WRITTEN_NUMBER_MAX_LENGTH, Message
from .phone import normalize_phone_number


@admin.register(Message)
class MessageAdmin(ServiceAdmin):
    list_display = ["created_at", "account", "sender_number", "receiver_number", "body"]
    list_select_related = ["account"]
    list_filter = ["account"]
    search_fields = ["sender_number", "receiver_number"]
    autocomplete_fields = ["account"]
    readonly_fields = ["id", "created_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False  # counting millions of rows is the slow part of the changelist

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The form takes a number as written ("+1 (415) 555-0123"); the model stores its E.164 form.
        if db_field.name in PHONE_NUMBER_FIELDS:
            kwargs["max_length"] = WRITTEN_NUMBER_MAX_LENGTH
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def service_save(self, request: HttpRequest, form: forms.ModelForm, stored: Any) -> Message:
        message: Message = form.instance  # its numbers already normalised by the model's clean_fields()
        return services.message_create(
            actor=request.user,  # type: ignore[arg-type]
            account_id=message.account_id,
            sender_number=message.sender_number,
            receiver_number=message.receiver_number,
            body=message.body,
        )

    def service_delete(self, request: HttpRequest, obj: Message) -> None:
        services.message_delete(message=obj)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        """A number in any form ("(415) 555-0123") finds its E.164 form, by index, exactly."""
        try:
            number = normalize_phone_number(search_term.strip())
        except ValidationError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(Q(sender_number=number) | Q(receiver_number=number)), False
