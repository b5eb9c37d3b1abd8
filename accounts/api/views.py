"""Auth, users and customer accounts endpoints: thin, rules are in accounts/services.py."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.views import TokenRefreshView

from accounts import selectors, services
from accounts.filters import AccountFilter, UserFilter
from accounts.models import Account, User
from config.api.openapi import documented
from config.api.permissions import IsAdmin, signed_in_user
from config.api.ratelimit import LOGIN_RATE_LIMITS, REGISTER_RATE_LIMITS, PasswordChangeRateLimit
from config.api.viewsets import ScopedGenericViewSet, ScopedModelViewSet

from . import schema
from .serializers import (
    AccountSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    RefreshTokenSerializer,
    RegisterResponseSerializer,
    RegisterSerializer,
    RoleSerializer,
    TokenPairSerializer,
    UserSerializer,
)


class _BearerChallengeMixin:
    """Keep a refused credential a 401 on views that authenticate nobody.

    DRF turns a 401 into a 403 when the view has no authenticator to name in
    `WWW-Authenticate`; a bad password or refresh token is still a 401 (API.md).
    """

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class _PublicAuthView(_BearerChallengeMixin, APIView):
    """Anonymous endpoints: a stale `Authorization` header must not turn them into a 401."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]


@documented("Auth", post=schema.REGISTER)
class RegisterView(_PublicAuthView):
    """Create a user and get a token pair."""

    throttle_classes = REGISTER_RATE_LIMITS
    rate_limit_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: RegisterResponseSerializer})
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        tokens = services.tokens_for_user(user=user)
        body = {"user": UserSerializer(user).data, "access": tokens["access"], "refresh": tokens["refresh"]}
        return Response(body, status=status.HTTP_201_CREATED)


@documented("Auth", post=schema.LOGIN)
class LoginView(_PublicAuthView):
    """Log in with a username (or an email) and a password; the answer is a token pair."""

    throttle_classes = LOGIN_RATE_LIMITS
    rate_limit_scope = "login"
    error_statuses = {"401": True}  # wrong credentials (config/api/openapi.py)

    @extend_schema(request=LoginSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tokens = services.auth_login(request=request._request, **serializer.validated_data)
        except services.InvalidCredentials as exc:
            raise AuthenticationFailed(str(exc), code="not_authenticated") from exc
        return Response(tokens)


@documented("Auth", post=schema.REFRESH_TOKENS)
class RefreshView(_BearerChallengeMixin, TokenRefreshView):
    """Exchange a refresh token for a new pair; the one sent is revoked (rotation)."""

    authentication_classes = ()
    error_statuses = {"401": True}  # an invalid, expired or blacklisted refresh token

    # simplejwt's serializer still describes the operation (drf-spectacular's extension for it);
    # the rotation is the service's, which spends the token under a row lock.
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            tokens = services.auth_refresh(refresh=serializer.validated_data["refresh"])
        except TokenError as exc:
            raise AuthenticationFailed(str(exc), code="token_not_valid") from exc
        return Response(tokens)


@documented("Auth", post=schema.LOGOUT)
class LogoutView(_PublicAuthView):
    """Revoke a refresh token. The token itself is the credential: no access token needed."""

    error_statuses = {"401": True}

    @extend_schema(request=RefreshTokenSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.auth_logout(refresh=serializer.validated_data["refresh"])
        except TokenError as exc:
            raise AuthenticationFailed(str(exc), code="token_not_valid") from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


@documented("Auth", **schema.ME)
class MeView(generics.GenericAPIView):
    """Your own profile: read it, change it."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    def patch(self, request: Request) -> Response:
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        me = signed_in_user(request)
        user = services.user_update(actor=me, user=me, data=serializer.validated_data)
        return Response(UserSerializer(user).data)


@documented("Auth", post=schema.PASSWORD_CHANGE)
class PasswordChangeView(APIView):
    """Change your password; every refresh token of yours is revoked."""

    # Every attempt counts, the right one too: after the limit, a guess that happens to be right
    # is refused like the others until the window ends.
    throttle_classes = [*APIView.throttle_classes, PasswordChangeRateLimit]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_change_password(user=signed_in_user(request), **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@documented("Users", **schema.USERS)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """Users. An admin sees and manages everyone; any other user sees only themself (anyone else is a 404)."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    search_fields = ["email", "username"]
    ordering_fields = ["date_joined", "email", "username"]
    ordering = ["date_joined"]

    def scoped_queryset(self, user: Any) -> QuerySet[User]:
        return selectors.user_list(user=user)

    def get_permissions(self) -> Any:
        if self.action in ("list", "destroy", "role"):
            return [permissions.IsAuthenticated(), IsAdmin()]
        return super().get_permissions()

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.user_update(
            actor=signed_in_user(self.request), user=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: User) -> None:
        services.user_soft_delete(user=instance)

    @extend_schema(request=RoleSerializer, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def role(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_set_role(actor=signed_in_user(request), user=user, role=serializer.validated_data["role"])
        return Response(UserSerializer(user).data)


@documented("Accounts", **schema.ACCOUNTS)
class AccountViewSet(ScopedModelViewSet):
    """Customer accounts. You see and manage your own; an admin sees and manages everyone's."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "balance"]
    ordering = ["name"]

    def scoped_queryset(self, user: Any) -> QuerySet[Account]:
        return selectors.account_list(user=user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.account_create(actor=signed_in_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.account_update(
            actor=signed_in_user(self.request), account=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: Account) -> None:
        services.account_delete(account=instance)
