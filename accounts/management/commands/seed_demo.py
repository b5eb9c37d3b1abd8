"""`manage.py seed_demo`: idempotent demo data for every app.

Each app may have a `demo.py` with `seed(*, stdout, users)`; accounts' comes first and
provides the users. Running twice creates nothing new.
"""

from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

APPS_AFTER_ACCOUNTS = ["catalog", "sprockets", "posts", "messaging"]


class Command(BaseCommand):
    help = "Create demo data (an admin, a demo user and sample data for every app). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from accounts import demo as accounts_demo

        with transaction.atomic():
            self.stdout.write("Demo users:")
            users = accounts_demo.seed(stdout=self.stdout)
            for app in APPS_AFTER_ACCOUNTS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(stdout=self.stdout, users=users)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
