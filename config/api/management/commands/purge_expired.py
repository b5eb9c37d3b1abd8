"""`manage.py purge_expired`: remove what has outlived its use, so no table grows without bound.

- idempotency keys past `IDEMPOTENCY_KEY_TTL` (24 h): a retry after that is a new request anyway;
- refresh tokens past their expiry, outstanding and blacklisted (simplejwt's `flushexpiredtokens`):
  an expired token is refused by its signature alone;
- expired sessions (Django's `clearsessions`).

Safe to run at any time and on several instances at once (each is a plain DELETE of expired rows).
Schedule it daily: the Kubernetes CronJob in deploy/k8s/purge-cronjob.yaml, or cron elsewhere.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.api.models import IdempotencyKey


class Command(BaseCommand):
    help = "Delete expired idempotency keys, refresh tokens (outstanding and blacklisted) and sessions."

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
        keys, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"idempotency keys older than {settings.IDEMPOTENCY_KEY_TTL}: {keys} deleted")
        call_command("flushexpiredtokens", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("expired refresh tokens (outstanding and blacklisted): deleted")
        call_command("clearsessions", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("expired sessions: deleted")
