import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()

# The serving secrets `check --deploy` requires (METRICS_TOKEN in production): refuse to start without them.
from config.api.checks import refuse_to_serve_if_misconfigured  # noqa: E402 - needs the apps loaded

refuse_to_serve_if_misconfigured()
