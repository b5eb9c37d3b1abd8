"""`manage.py import_sprocket_types FILE`: sprocket types, all or nothing, idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sprockets.importers import ImportFileError, import_sprocket_types

from ._progress import ProgressBar


class Command(BaseCommand):
    help = (
        'Import {"sprockets": [{"teeth", "pitch_diameter", "outside_diameter", "pitch"}]}. A type is matched '
        "by its four dimensions, so running twice (or repeating a type in the file) creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = ProgressBar(self.stderr, "sprocket types")
        try:
            result = import_sprocket_types(options["file"], progress=progress)
        except ImportFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        finally:
            progress.close()
        self.stdout.write(
            self.style.SUCCESS(f"Sprocket types: {result.created} created, {result.existing} already present.")
        )
