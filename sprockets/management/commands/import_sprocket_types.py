"""`manage.py import_sprocket_types FILE`: sprocket types, all or nothing, idempotent."""

from pathlib import Path

from sprockets.importers import ImportResult, Progress, import_sprocket_types

from ._progress import ImportCommand


class Command(ImportCommand):
    help = (
        'Import sprocket types from {"sprockets": [{"teeth", "pitch_diameter", "outside_diameter", "pitch"}]}. '
        "A type is matched by its four dimensions, so running twice (or repeating a type in the file) creates "
        "nothing new. All or nothing: a malformed file imports nothing and the error names the item and field. "
        "Prints a summary (created, already present) on stdout; -v 0 prints only errors."
    )

    sample = "sprockets/samples/seed_sprocket_types.json"
    unit = "sprocket types"

    def run_import(self, path: str | Path, *, progress: Progress) -> ImportResult:
        return import_sprocket_types(path, progress=progress)

    def summary(self, result: ImportResult) -> str:
        return f"sprocket types: {result.created} created, {result.existing} already present"
