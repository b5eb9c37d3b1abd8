"""`manage.py import_legacy SOURCE --from URL_OR_FILE [--owner USERNAME] [--dry-run] [--report FILE]`."""

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from legacy.importers import IMPORTERS
from legacy.importing import BATCH_SIZE, LegacyImportError
from legacy.services import legacy_import


class Command(BaseCommand):
    help = (
        "Import a predecessor service's data (docs/MIGRATING.md). Safe to run twice: what was "
        "imported before is not imported again, and rows changed in the source since are reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=sorted(IMPORTERS))
        parser.add_argument(
            "--from",
            dest="location",
            required=True,
            help="postgres://... or mysql://... (the service's database), or the accounts service's JSON file",
        )
        parser.add_argument("--owner", default="", help="username owning imported customer accounts")
        parser.add_argument("--dry-run", action="store_true", help="read and validate everything, write nothing")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="after an import: write nothing; report what is new, changed or skipped in the source "
            "and which imported rows are no longer here",
        )
        parser.add_argument("--report", default="", help="also write the report to this file as JSON")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = legacy_import(
                source_name=options["source"],
                location=options["location"],
                owner_username=options["owner"],
                dry_run=options["dry_run"],
                verify=options["verify"],
                batch_size=max(1, options["batch_size"]),
                # The raw stream: a progress bar redraws its line with "\r", which OutputWrapper would end.
                stdout=cast(TextIO, getattr(self.stdout, "_out", self.stdout)),
            )
        except LegacyImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.render())
        if options["report"]:
            with Path(options["report"]).open("w", encoding="utf-8") as out:
                report.write_json(out)
