"""`manage.py import_sprocket_types FILE`: sprocket types, all or nothing, idempotent."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sprockets.importers import ImportFileError, import_sprocket_types

from ._progress import add_import_arguments, progress_for


class Command(BaseCommand):
    help = (
        'Import sprocket types from {"sprockets": [{"teeth", "pitch_diameter", "outside_diameter", "pitch"}]}. '
        "A type is matched by its four dimensions, so running twice (or repeating a type in the file) creates "
        "nothing new. All or nothing: a malformed file imports nothing and the error names the item and field. "
        "Prints a summary (created, already present) on stdout; -v 0 prints only errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, sample="sprockets/samples/seed_sprocket_types.json")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = progress_for(self, "sprocket types", options)
        started = time.monotonic()
        try:
            result = import_sprocket_types(options["file"], progress=progress)
        except ImportFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        finally:
            progress.close()
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{options['file']}: sprocket types: {result.created} created, "
                    f"{result.existing} already present ({time.monotonic() - started:.1f} s)."
                )
            )
