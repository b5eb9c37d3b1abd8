"""Sign in with a username or an email, both case-insensitive; soft-deleted users never match."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        identifier = username or email
        if not identifier or password is None:
            return None
        candidates = list(
            User.objects.alive()
            .filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
            .order_by("date_joined")[:2]
        )
        # A username that looks like someone else's email: the username wins.
        candidates.sort(key=lambda user: user.username.lower() != identifier.lower())
        if not candidates:
            # Hash anyway so an unknown user costs as long as a wrong password (no enumeration by timing).
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "deleted_at", None) is None

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.alive().filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None
