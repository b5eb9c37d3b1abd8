"""`manage.py import_factory_data FILE`: factories and their chart history, all or nothing, idempotent."""

from pathlib import Path

from sprockets.importers import ImportResult, Progress, import_factory_data

from ._progress import ImportCommand


class Command(ImportCommand):
    help = (
        'Import factories and their production charts from {"factories": [{"factory": {"name"?, "chart_data": '
        '{"sprocket_production_actual": [...], "sprocket_production_goal": [...], "time": [unix seconds...]}}}]}. '
        "A factory is matched by name (a nameless one gets a name from a hash of its chart data); chart points "
        "keep their times and a point already recorded at the same time is skipped, so running twice creates "
        "nothing new. Each factory ends with the goal and actual of its newest point. All or nothing: a malformed "
        "file imports nothing and the error names the item and field. Prints a summary (factories created and "
        "already present, chart points created) on stdout; -v 0 prints only errors."
    )

    sample = "sprockets/samples/seed_factory_data.json"
    unit = "chart points"

    def run_import(self, path: str | Path, *, progress: Progress) -> ImportResult:
        return import_factory_data(path, progress=progress)

    def summary(self, result: ImportResult) -> str:
        return (
            f"factories: {result.created} created, {result.existing} already present; "
            f"chart points: {result.points_created} created"
        )
