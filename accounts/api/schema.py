"""OpenAPI for the accounts app: the bearer scheme, and each operation's tag, summary, description
and examples (applied in views.py with `config.api.openapi.documented`)."""

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiExample, extend_schema

# The OpenAPI tags of this app's operations, in order (collected by config.api.openapi.postprocess_tags).
TAGS = [
    {
        "name": "Auth",
        "description": "Register, log in, refresh and revoke tokens; your own profile and password.",
    },
    {
        "name": "Users",
        "description": "User administration: admins see and manage everyone; a user sees only themself.",
    },
    {
        "name": "Accounts",
        "description": "Customer accounts: each user has their own; messages are sent from them.",
    },
]


class ActiveUserJWTScheme(SimpleJWTScheme):
    """Describe our JWT authenticator as the bearer scheme, so Swagger's Authorize takes a token.

    It is listed first (config.api.openapi.postprocess_security_schemes): Swagger's Authorize dialog
    shows the schemes in that order, and a token pasted into the cookie box was sent as a cookie."""

    target_class = "accounts.authentication.ActiveUserJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> Any:
        return {
            **super().get_security_definition(auto_schema),
            "description": "Paste the `access` token from `POST /auth/login/` (or `POST /auth/register/`); "
            "it is sent as `Authorization: Bearer <access>` and lives 15 minutes by default "
            "(`POST /auth/refresh/` gives a new pair).",
        }


class BrowserSessionScheme(SessionScheme):
    """DRF's session authentication, described for what it is: the browser's sign-in, not an API credential."""

    priority = 1  # before drf-spectacular's own SessionScheme

    def get_security_definition(self, auto_schema: Any) -> Any:
        return {
            **super().get_security_definition(auto_schema),
            "description": "Browser sessions only (the browsable API and the admin).",
        }


# Example values. Tokens are shortened: real ones are three dot-separated base64url parts.
ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…access"
REFRESH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…refresh"
USER = {
    "id": "3f9c2b1e-8d4a-4c7e-9b21-5a6f0e7d1c42",
    "email": "ada@example.com",
    "username": "ada",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "role": "user",
    "is_active": True,
    "date_joined": "2025-03-14T09:26:53Z",
}
ACCOUNT = {
    "id": "7b1d3e5f-2a4c-4e6b-8d0f-1a2b3c4d5e6f",
    "owner": USER["id"],
    "name": "Savings",
    "description": "Rainy-day money",
    "balance": "250.00",
    "currency": "EUR",
    "active": True,
    "created_at": "2025-03-14T09:30:00Z",
    "updated_at": "2025-03-14T09:30:00Z",
}

REGISTER = extend_schema(
    summary="Register a user",
    description=(
        "Creates a user with role `user` (a `role` or `is_staff` in the body is ignored) and answers with "
        "the user and a token pair, so there is no need to log in afterwards. The email and username "
        "must be free; the password must pass the password rules. Rate limited per client IP and per username."
    ),
    examples=[
        OpenApiExample(
            "Register",
            request_only=True,
            value={
                "email": "ada@example.com",
                "username": "ada",
                "password": "analytical-engine-1843",  # pragma: allowlist secret
                "first_name": "Ada",
                "last_name": "Lovelace",
            },
        ),
        OpenApiExample(
            "Registered",
            response_only=True,
            status_codes=["201"],
            value={"user": USER, "access": ACCESS, "refresh": REFRESH},
        ),
    ],
)
LOGIN = extend_schema(
    summary="Log in",
    description=(
        "Exchanges a username (or an email) and a password for a token pair: send `access` as "
        "`Authorization: Bearer <access>`; when it expires (`expires_in` seconds), get a new pair from "
        "`/auth/refresh/` with `refresh`. Unknown user, wrong password and inactive user all get the same "
        "401. Rate limited per client IP and per account: its username and its email count together, "
        "and the browsable API's and the admin's login forms count in the same buckets. (An HTML form "
        "body is accepted too.)"
    ),
    examples=[
        OpenApiExample(
            "By username",
            request_only=True,
            value={"username": "ada", "password": "analytical-engine-1843"},  # pragma: allowlist secret
        ),
        OpenApiExample(
            "By email",
            request_only=True,
            value={"email": "ada@example.com", "password": "analytical-engine-1843"},  # pragma: allowlist secret
        ),
        OpenApiExample(
            "Tokens",
            response_only=True,
            status_codes=["200"],
            value={"access": ACCESS, "refresh": REFRESH, "token_type": "Bearer", "expires_in": 900},
        ),
    ],
)
REFRESH_TOKENS = extend_schema(
    summary="Refresh the tokens",
    description=(
        "Exchanges a refresh token for a new access token and a new refresh token. The refresh token "
        "sent is revoked: use the new one next time. An invalid, expired or revoked one is a 401. Of "
        "concurrent uses of one refresh token exactly one succeeds. Sending a refresh token that was "
        "already exchanged is taken as theft (someone else holds a copy): every refresh token of the "
        "user is revoked, the new one included, and everyone logs in again. So never send one twice: "
        "a client that refreshes from several tabs or threads must let one of them do it."
    ),
    examples=[
        OpenApiExample("Refresh", request_only=True, value={"refresh": REFRESH}),
        OpenApiExample(
            "New pair", response_only=True, status_codes=["200"], value={"access": ACCESS, "refresh": REFRESH}
        ),
    ],
)
LOGOUT = extend_schema(
    summary="Log out",
    description=(
        "Revokes the refresh token sent, which is the credential here (no access token needed). "
        "Access tokens already issued stay valid until they expire. A refresh token already exchanged "
        "at `/auth/refresh/` is a 401 and, as there, revokes every refresh token of the user."
    ),
    examples=[OpenApiExample("Log out", request_only=True, value={"refresh": REFRESH})],
)
ME = {
    "get": extend_schema(summary="Get your profile", description="The signed-in user."),
    "patch": extend_schema(
        summary="Update your profile",
        description="Changes the fields sent (`email`, `username`, `first_name`, `last_name`); a change of "
        "your own `role` or `is_active` is a 403.",
    ),
}
PASSWORD_CHANGE = extend_schema(
    summary="Change your password",
    description=(
        "Needs the current password (a wrong one is a 400 on `old_password`). Every refresh token of "
        "yours is revoked, so other sessions end when their access token expires; log in again. "
        "Rate limited per user (5 a minute by default): every attempt counts, so after the limit even "
        "the right current password is a 429 until the window ends."
    ),
)

USERS = {
    "list": extend_schema(
        description="Every user, for an admin (anyone else gets a 403). Filter by `role` and `is_active`, "
        "search email and username."
    ),
    "retrieve": extend_schema(description="A user: yourself, or anyone for an admin; another user is a 404."),
    "update": extend_schema(
        description="Replaces the profile: `first_name` or `last_name` left out goes back to empty. `role` "
        "and `is_active` change only when sent, and only an admin may change them (403 otherwise)."
    ),
    "partial_update": extend_schema(
        description="Changes the fields sent. Only an admin may change `role` or `is_active` (403 otherwise)."
    ),
    "destroy": extend_schema(
        summary="Deactivate a user",
        description="Admin only. A soft delete: the user can no longer log in, their tokens stop working, and "
        "their email and username are free again. The last active admin cannot be deleted (400 on `role`).",
    ),
    "role": extend_schema(
        summary="Set a user's role",
        description="Admin only: makes the user an `admin` or a `user`. The last active admin cannot be "
        "demoted (400 on `role`).",
    ),
}

ACCOUNTS = {
    "list": extend_schema(
        description="Your customer accounts (an admin: everyone's). Filter by `active`, search the name."
    ),
    "create": extend_schema(
        description="Creates a customer account owned by you (an admin may set `owner`). The name must be "
        "unique among the owner's accounts; `balance` defaults to `0.00` and `currency` to `USD`.",
        examples=[
            OpenApiExample(
                "Savings account",
                request_only=True,
                value={"name": "Savings", "description": "Rainy-day money", "balance": "250.00", "currency": "eur"},
            ),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value=ACCOUNT),
        ],
    ),
    "destroy": extend_schema(description="Deletes the account and every message sent from it."),
}
