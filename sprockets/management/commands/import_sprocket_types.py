"""Import sprocket types from {"sprockets": [{"teeth", "pitch_diameter", "outside_diameter",
"pitch"}]}. A type is matched by its four dimensions, so running twice (or repeating a type in the
file) creates nothing new. All or nothing: a malformed file imports nothing and the error names the
item and field. Prints a summary (created, already present) on stdout; -v 0 prints only errors."""

from sprockets.importers import import_sprocket_types

from ._import_command import ImportCommand


class Command(ImportCommand):
    help = __doc__
    sample = "sprockets/samples/seed_sprocket_types.json"
    unit = "sprocket types"
    importer = staticmethod(import_sprocket_types)
    summary = "sprocket types: {created} created, {existing} already present"
