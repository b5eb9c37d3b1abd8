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
        if password is None or not (username or email):
            return None
        candidates = self._candidates(username=username, email=email)
        if not candidates:
            # Hash anyway so an unknown user costs as long as a wrong password (no enumeration by timing).
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    @staticmethod
    def _candidates(*, username: str | None, email: str | None) -> list[User]:
        """Who the identifier may name, most likely first.

        `username` may be a username or an email: the user with that username comes first, then
        the user with that email (a username may look like someone else's email, and that must
        not lock the email's owner out). `email` names an email only. Each candidate's password
        is checked in turn, so the right one signs in whoever else the identifier matches.
        """
        alive = User.objects.alive()
        if username:
            matches = alive.filter(Q(username__iexact=username) | Q(email__iexact=username))
        else:
            matches = alive.filter(email__iexact=email)
        return sorted(
            matches.order_by("date_joined", "id")[:2],
            key=lambda user: user.username.lower() != (username or "").lower(),
        )

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "deleted_at", None) is None

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.alive().filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None
