"""The admin site: Django's, named for the service, its login and "Change password" forms under the
API's rate limits, and a staff member's own password change written through the accounts service.

Installed as the default site by `config.api.apps.ServiceAdminConfig` (in INSTALLED_APPS in place
of `django.contrib.admin`), so `admin.site` everywhere is this one and `get_urls()` wraps its views
as usual (staff only, CSRF, never cached).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse

from .ratelimit import login_form_refusal, password_change_refusal


class ServiceAdminSite(admin.AdminSite):
    site_header = "Unified service administration"
    site_title = "Unified service admin"
    index_title = "Unified service"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The API login's per-IP (a bucket of the admin's own) and per-account limits."""
        return login_form_refusal(request, ip_bucket="admin-login") or super().login(request, extra_context)

    # The stubs say TemplateResponse; Django's own returns the view's response, a redirect on success.
    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        """Django's page with the API's password-change limit, and the form that writes through
        `accounts.services.user_change_password` (every refresh token of the user stops working)."""
        from django.contrib.auth.views import PasswordChangeView

        from accounts.admin import OwnPasswordChangeForm

        if (refusal := password_change_refusal(request)) is not None:
            return refusal
        request.current_app = self.name  # type: ignore[attr-defined]
        view = PasswordChangeView.as_view(
            form_class=OwnPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **({"template_name": self.password_change_template} if self.password_change_template else {}),
        )
        response: HttpResponseBase = view(request)
        return response
