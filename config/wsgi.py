import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

# What django.core.wsgi.get_wsgi_application() does, with the handler that remembers resolutions.
django.setup(set_prefix=False)
from config.resolution import RememberingWSGIHandler  # noqa: E402 - needs the apps loaded

application = RememberingWSGIHandler()

# The serving secrets `check --deploy` requires (METRICS_TOKEN in production): refuse to start without them.
from config.api.checks import refuse_to_serve_if_misconfigured  # noqa: E402 - needs the apps loaded

refuse_to_serve_if_misconfigured()
