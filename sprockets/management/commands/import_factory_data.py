"""Import factories and their production charts from {"factories": [{"factory": {"name"?, "chart_data":
{"sprocket_production_actual": [...], "sprocket_production_goal": [...], "time": [unix
seconds...]}}}]}. A factory is matched by name (a nameless one gets a name from a hash of its chart
data); chart points keep their times and a point already recorded at the same time is skipped, so
running twice creates nothing new. Each factory ends with the goal and actual of its newest point.
All or nothing: a malformed file imports nothing and the error names the item and field. Prints a
summary (factories created and already present, chart points created) on stdout; -v 0 prints only
errors."""

from sprockets.importers import import_factory_data

from ._import_command import ImportCommand


class Command(ImportCommand):
    help = __doc__
    sample = "sprockets/samples/seed_factory_data.json"
    unit = "chart points"
    importer = staticmethod(import_factory_data)
    summary = "factories: {created} created, {existing} already present; chart points: {points_created} created"
