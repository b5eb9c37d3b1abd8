"""`manage.py seed_demo`: idempotent demo data for every app; `--scale` adds data at scale.

Each installed app may have a `demo.py` with `seed(*, stdout, users)`, found through the app
registry (config.api.registry); accounts' runs first and provides the users. Running twice
creates nothing new.

`--scale tiny|small|large` then fills the database (PostgreSQL only) for the benchmarks
(config/scale_seed.py): at large 1,000,000 messages over 1,000 accounts, 1,000,000 products,
1,000 factories x 1,000 chart entries, 100,000 sprockets, 100,000 posts; small is 1/100.
"""

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from config.api.registry import app_submodules


class Command(BaseCommand):
    help = (
        "Create demo data (an admin, a demo user and sample data for every app). Idempotent. "
        "With --scale, also fill a fresh PostgreSQL database with benchmark data at that scale."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from config.scale_seed import SCALES

        described = "; ".join(
            f"{name}: {s.products:,} products, {s.messages:,} messages over {s.accounts:,} accounts, "
            f"{s.factories:,} factories x {s.chart_entries_per_factory:,} chart entries, {s.sprockets:,} sprockets, "
            f"{s.posts:,} posts, {s.users:,} users"
            for name, s in SCALES.items()
        )
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            help=f"Also generate benchmark data (PostgreSQL only, into a database without scale data yet). "
            f"{described}.",
        )
        parser.add_argument(
            "--password",
            default="",
            help="With --scale: the password of every scale user (scale-user-0001, ...); "
            "by default a random one, printed in the summary.",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=50_000,
            help="With --scale: rows generated per INSERT statement (default 50,000); "
            "each chunk commits and moves the progress bar.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from accounts import demo as accounts_demo

        with transaction.atomic():
            self.stdout.write("Demo users:")
            users = accounts_demo.seed(stdout=self.stdout)
            for _, module in app_submodules("demo"):
                if module is not accounts_demo:
                    module.seed(stdout=self.stdout, users=users)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if options["scale"]:
            self._seed_scale(options)

    def _seed_scale(self, options: dict[str, Any]) -> None:
        from config.scale_seed import seed_scale

        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        password = options["password"] or secrets.token_urlsafe(12)
        self.stdout.write(f"Data at scale {options['scale']}:")
        try:
            summary = seed_scale(
                scale_name=options["scale"], password=password, chunk=options["chunk_size"], stdout=self.stdout
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Summary:")
        self.stdout.write(f"  {'table':<14} {'rows':>10} {'seconds':>8}")
        for label, rows, seconds in summary["tables"]:
            self.stdout.write(f"  {label:<14} {rows:>10,} {seconds:>8.1f}")
        users = summary["users"]
        self.stdout.write(
            f"  users {users[0]} .. {users[-1]}, password: {password if not options['password'] else '(as given)'}"
        )
        self.stdout.write(self.style.SUCCESS(f"Scale {options['scale']} ready in {summary['seconds']:.1f} s."))
