"""Trigram GIN indexes for the catalog's substring searches (PostgreSQL only; SQLite skips them).

`?search=` and `?name=` are `icontains`, which PostgreSQL runs as `UPPER(col::text) LIKE
UPPER('%...%')`: a B-tree cannot help, every miss scanned all the living rows. pg_trgm's GIN
operator class answers LIKE with a leading wildcard, on the same `UPPER(...)` expression.

The indexes are not in `Product.Meta.indexes` (Django would create them on SQLite too, which has
no GIN); this migration owns them, on PostgreSQL only.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("name", "description", "sku")


def _index(column: str) -> str:
    return f"catalog_prod_alive_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(column)} ON catalog_product "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops) WHERE deleted_at IS NULL"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(column)}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
