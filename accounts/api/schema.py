"""OpenAPI: describe our JWT authenticator as the bearer scheme, so Swagger's Authorize takes a token."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class ActiveUserJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.ActiveUserJWTAuthentication"
    name = "jwtAuth"
