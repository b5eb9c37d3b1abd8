"""Messaging endpoints: thin; rules are in messaging/services.py, reads in messaging/selectors.py."""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, mixins, permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from config.api.filters import PhraseSearchFilter, StrictOrderingFilter
from config.api.idempotency import IdempotentCreateMixin
from config.api.pagination import CursorPagination
from config.api.permissions import is_admin
from config.api.viewsets import OwnedModelViewSet
from messaging import selectors, services
from messaging.filters import MessageFilter
from messaging.models import Message

from .serializers import MessageSerializer

ACCOUNT_NOT_FOUND = "No such account, or it is not yours."


class OnlyAdminDeletes(permissions.BasePermission):
    """Checked on the object, so a message the caller cannot see is a 404 before this 403."""

    message = "Only an admin may delete a message."

    def has_object_permission(self, request: Request, view: Any, obj: Message) -> bool:
        return request.method != "DELETE" or is_admin(request.user)


class _MessageListSettings(generics.GenericAPIView):
    """What `/messages/` and `/accounts/{id}/messages/` share: same shape, filters, order and pages."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    pagination_class = CursorPagination
    # Newest first by default; `?ordering=created_at` reads oldest first. The cursor takes its
    # order from this filter (ties by id in the same direction); any other field is a 400 naming
    # the allowed one, as on every other list.
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter, PhraseSearchFilter]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    search_fields = ["body"]


class MessageViewSet(IdempotentCreateMixin, _MessageListSettings, OwnedModelViewSet):
    """Messages of your accounts: read and create. An admin reads all and may delete. Immutable."""

    permission_classes = [permissions.IsAuthenticated, OnlyAdminDeletes]
    http_method_names = ["get", "post", "delete", "head", "options"]
    owner_lookup = "account__owner"
    idempotency_scope = "messages.create"

    def base_queryset(self) -> QuerySet[Message]:
        return selectors.message_list()

    def get_queryset(self) -> QuerySet[Message]:
        queryset = super().get_queryset()  # the ownership scope (a join on the account's owner)
        user = self.request.user
        if user.is_authenticated and not is_admin(user):
            queryset = selectors.narrow_to_account_ids(queryset, user=user)
        return queryset

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        account = selectors.account_for_messaging(user=self.request.user, account_id=data["account_id"])
        if account is None:
            raise NotFound(ACCOUNT_NOT_FOUND)
        serializer.instance = services.message_create(
            account=account,
            sender_number=data["sender_number"],
            receiver_number=data["receiver_number"],
            body=data["body"],
        )

    def perform_destroy(self, instance: Message) -> None:
        services.message_delete(message=instance)


class AccountMessageViewSet(_MessageListSettings, mixins.ListModelMixin, viewsets.GenericViewSet):
    """`/accounts/{id}/messages/`: the same list as `/messages/?account={id}`, but 404 if not yours."""

    def get_queryset(self) -> QuerySet[Message]:
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        account = selectors.account_for_messaging(user=self.request.user, account_id=self.kwargs["account_id"])
        if account is None:
            raise NotFound(ACCOUNT_NOT_FOUND)
        return selectors.message_list().filter(account=account)
