"""`manage.py import_factory_data FILE`: factories and their chart history, all or nothing, idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sprockets.importers import ImportFileError, import_factory_data

from ._progress import ProgressBar


class Command(BaseCommand):
    help = (
        'Import {"factories": [{"factory": {"name"?, "chart_data": {...}}}]}. A factory is matched by name '
        "(a nameless one gets a name from a hash of its chart data); chart points keep their times and a "
        "point already recorded at the same time is skipped, so running twice creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = ProgressBar(self.stderr, "chart points")
        try:
            result = import_factory_data(options["file"], progress=progress)
        except ImportFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        finally:
            progress.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Factories: {result.created} created, {result.existing} already present; "
                f"chart points: {result.points_created} created."
            )
        )
