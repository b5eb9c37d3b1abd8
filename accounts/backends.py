"""Sign in with a username or an email, both case-insensitive; soft-deleted users never match."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User
from .selectors import login_candidates


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
        candidates = login_candidates(username=username, email=email)
        if not candidates:
            # Hash anyway so an unknown user costs as long as a wrong password (no enumeration by timing).
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "deleted_at", None) is None

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.alive().filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None
