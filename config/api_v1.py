"""Version 1 of the API: one router, every app registers its viewsets here.

The router's `/?` suffix makes every route answer with and without the slash, for every method,
without a redirect.
"""

from django.urls import re_path
from rest_framework import permissions, routers

from accounts.api import views as accounts_views
from catalog.api import views as catalog_views
from messaging.api import views as messaging_views
from posts.api import views as posts_views
from sprockets.api import views as sprockets_views


class PublicAPIRootView(routers.APIRootView):
    """The list of resources is public: an anonymous visitor of the browsable API starts here."""

    permission_classes = [permissions.AllowAny]


class OptionalSlashRouter(routers.DefaultRouter):
    """Routes match with or without the trailing slash (DRF only offers one or the other)."""

    APIRootView = PublicAPIRootView

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()

# accounts
router.register("users", accounts_views.UserViewSet, basename="user")
router.register("accounts", accounts_views.AccountViewSet, basename="account")
# catalog
router.register("products", catalog_views.ProductViewSet, basename="product")
# sprockets
router.register("locations", sprockets_views.LocationViewSet, basename="location")
router.register("sprocket-types", sprockets_views.SprocketTypeViewSet, basename="sprocket-type")
router.register("factories", sprockets_views.FactoryViewSet, basename="factory")
router.register("sprockets", sprockets_views.SprocketViewSet, basename="sprocket")
# posts
router.register("posts", posts_views.PostViewSet, basename="post")
# messaging
router.register("messages", messaging_views.MessageViewSet, basename="message")
router.register(
    r"accounts/(?P<account_id>[^/.]+)/messages", messaging_views.AccountMessageViewSet, basename="account-messages"
)

auth_urlpatterns = [
    re_path(r"^auth/register/?$", accounts_views.RegisterView.as_view(), name="auth-register"),
    re_path(r"^auth/login/?$", accounts_views.LoginView.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", accounts_views.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^auth/logout/?$", accounts_views.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^auth/me/?$", accounts_views.MeView.as_view(), name="auth-me"),
    re_path(r"^auth/password/?$", accounts_views.PasswordChangeView.as_view(), name="auth-password"),
]

urlpatterns = [*auth_urlpatterns, *router.urls]
