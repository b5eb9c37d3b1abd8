"""catalog 0001 to 0003, squashed: the product table with its bounded description, then the trigram
GIN indexes for the substring searches (PostgreSQL only; SQLite skips them; see `create`).

The squash of 0001_initial, 0002_product_trigram_search and 0003_description_bounded (Django
5.2.19, 2026-12-06); the replaced files are gone, see docs/ARCHITECTURE.md "Migrations".
"""

import config.api.validators
import django.core.validators
import django.db.models.functions.text
import uuid
from decimal import Decimal
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


COLUMNS = ("name", "description", "sku")


def _index(column: str) -> str:
    return f"catalog_prod_alive_{column}_trgm"


def create(apps, schema_editor):
    """`?search=` and `?name=` are `icontains`, which PostgreSQL runs as `UPPER(col::text) LIKE
    UPPER('%...%')`: a B-tree cannot help. pg_trgm's GIN operator class answers LIKE with a leading
    wildcard, on the same `UPPER(...)` expression. Not in `Product.Meta.indexes`: Django would create
    them on SQLite too, which has no GIN; this migration owns them, on PostgreSQL only."""
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

    replaces = [
        ('catalog', '0001_initial'),
        ('catalog', '0002_product_trigram_search'),
        ('catalog', '0003_description_bounded'),
    ]

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=255, validators=[django.core.validators.MinLengthValidator(1)])),
                ('description', models.TextField(blank=True, default='', validators=[django.core.validators.MaxLengthValidator(10000), config.api.validators.validate_no_control_characters])),
                ('price', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                ('stock', models.IntegerField(default=0, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(2147483647)])),
                ('category', models.CharField(blank=True, default='', max_length=100)),
                ('sku', models.CharField(max_length=50, validators=[django.core.validators.MinLengthValidator(1)], verbose_name='SKU')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('deleted_at', models.DateTimeField(blank=True, editable=False, null=True)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['-created_at', '-id'], name='catalog_prod_alive_created'), models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['price', 'id'], name='catalog_prod_alive_price'), models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['name', 'id'], name='catalog_prod_alive_name'), models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['stock', 'id'], name='catalog_prod_alive_stock'), models.Index(django.db.models.functions.text.Upper('category'), condition=models.Q(('deleted_at__isnull', True)), name='catalog_prod_alive_category_ci')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('deleted_at__isnull', True)), fields=('sku',), name='catalog_product_sku_unique_alive', violation_error_message='A product with this SKU already exists.'), models.CheckConstraint(condition=models.Q(('price__gte', 0)), name='catalog_product_price_non_negative'), models.CheckConstraint(condition=models.Q(('stock__gte', 0)), name='catalog_product_stock_non_negative'), models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='catalog_product_name_not_blank'), models.CheckConstraint(condition=models.Q(('sku', ''), _negated=True), name='catalog_product_sku_not_blank')],
            },
        ),
        TrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
