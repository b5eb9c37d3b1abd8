"""A throwaway endpoint that creates customer accounts idempotently, for tests/test_idempotency.py."""

from django.urls import re_path

from accounts.api.views import AccountViewSet
from accounts.models import Account
from config.api.idempotency import IdempotentCreateMixin


class IdempotentAccountViewSet(IdempotentCreateMixin, AccountViewSet):
    created_model = Account
    idempotency_scope = "test-accounts.create"


urlpatterns = [
    re_path(r"^accounts/?$", IdempotentAccountViewSet.as_view({"post": "create"})),
]
