"""Messaging endpoints: thin; rules are in messaging/services.py, reads in messaging/selectors.py."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, mixins, permissions

from config.api.filters import PhraseSearchFilter, StrictFilterBackend, StrictOrderingFilter
from config.api.idempotency import IdempotentCreateMixin
from config.api.openapi import documented
from config.api.pagination import CursorPagination
from config.api.permissions import signed_in_user
from config.api.viewsets import ScopedGenericViewSet, ScopedModelViewSet
from messaging import selectors, services
from messaging.filters import MessageFilter
from messaging.models import Message

from . import schema
from .permissions import OnlyAdminDeletes
from .serializers import MessageSerializer


class _MessageListSettings(generics.GenericAPIView):
    """What `/messages/` and `/accounts/{id}/messages/` share: same shape, filters, order and pages."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    pagination_class = CursorPagination
    # Newest first by default; `?ordering=created_at` reads oldest first. The cursor takes its
    # order from this filter (ties by id in the same direction); any other field is a 400 naming
    # the allowed one, as on every other list.
    filter_backends = [StrictFilterBackend, StrictOrderingFilter, PhraseSearchFilter]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    search_fields = ["body"]


@documented("Messages", **schema.MESSAGES)
class MessageViewSet(IdempotentCreateMixin, _MessageListSettings, ScopedModelViewSet):
    """Messages sent from your accounts: read and send them; they are immutable. An admin reads all and may delete."""

    created_model = Message

    permission_classes = [permissions.IsAuthenticated, OnlyAdminDeletes]
    http_method_names = ["get", "post", "delete", "head", "options"]
    idempotency_scope = "messages.create"

    def scoped_queryset(self, user: Any) -> QuerySet[Message]:
        return selectors.message_list(user=user)

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.message_create(
            actor=signed_in_user(self.request),
            account_id=data["account_id"],
            sender_number=data["sender_number"],
            receiver_number=data["receiver_number"],
            body=data["body"],
        )

    def perform_destroy(self, instance: Message) -> None:
        services.message_delete(message=instance)


@documented("Messages", **schema.ACCOUNT_MESSAGES)
class AccountMessageViewSet(_MessageListSettings, mixins.ListModelMixin, ScopedGenericViewSet):
    """The messages of one of your accounts: the same list as `/messages/?account={id}`, but a 404 if not yours."""

    def scoped_queryset(self, user: Any) -> QuerySet[Message]:
        return selectors.account_message_list(user=user, account_id=self.kwargs.get("account_id"))
