"""`manage.py import_factory_data FILE`: factories and their chart history, all or nothing, idempotent."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sprockets.importers import ImportFileError, import_factory_data

from ._progress import add_import_arguments, progress_for


class Command(BaseCommand):
    help = (
        'Import factories and their production charts from {"factories": [{"factory": {"name"?, "chart_data": '
        '{"sprocket_production_actual": [...], "sprocket_production_goal": [...], "time": [unix seconds...]}}}]}. '
        "A factory is matched by name (a nameless one gets a name from a hash of its chart data); chart points "
        "keep their times and a point already recorded at the same time is skipped, so running twice creates "
        "nothing new. Each factory ends with the goal and actual of its newest point. All or nothing: a malformed "
        "file imports nothing and the error names the item and field. Prints a summary (factories created and "
        "already present, chart points created) on stdout; -v 0 prints only errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, sample="sprockets/samples/seed_factory_data.json")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = progress_for(self, "chart points", options)
        started = time.monotonic()
        try:
            result = import_factory_data(options["file"], progress=progress)
        except ImportFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        finally:
            progress.close()
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{options['file']}: factories: {result.created} created, {result.existing} already present; "
                    f"chart points: {result.points_created} created ({time.monotonic() - started:.1f} s)."
                )
            )
