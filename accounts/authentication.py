"""Bearer JWT authentication that also refuses tokens of deactivated or deleted users."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from config.db_router import identify

from .models import User


class ActiveUserJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Any) -> User:  # type: ignore[override]
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken("Token contained no recognizable user identification") from exc
        try:
            # Always on the primary (with read replicas too): a deactivated user is refused at once,
            # a user who has just registered is found at once (config/db_router.py).
            user = User.objects.using(DEFAULT_DB_ALIAS).filter(pk=user_id).first()
        except (ValueError, TypeError, DjangoValidationError):
            user = None  # a signed token with a malformed id: as bad as an unknown user
        if user is None or not user.is_active or user.deleted_at is not None:
            # One answer for every case, so a token does not reveal what happened to its user.
            raise AuthenticationFailed("Token is no longer valid.", code="token_not_valid")
        identify(user.pk)  # with read replicas: whether this user's reads are pinned to the primary
        return user
