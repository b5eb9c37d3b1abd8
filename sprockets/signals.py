"""Chart entries: one point each time a factory's goal or actual changes, in the same transaction.

Two signals feed the chart:

- `post_save` of a new Factory records its first point (its goal, actual 0). Bulk creates
  (the importer) skip it on purpose: imported history brings its own points.
- `production_changed` is sent by sprockets.services after it changed a factory's goal or its
  actual counter, with the values re-read inside the transaction (what will be committed).
  A rename sends nothing, so it records nothing.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import Signal

from .models import Factory, FactoryChartEntry

# kwargs: factory_id (int), goal (int), actual (int)
production_changed = Signal()


def record_chart_entry(*, factory_id: int, goal: int, actual: int, **_: Any) -> FactoryChartEntry:
    return FactoryChartEntry.objects.create(
        factory_id=factory_id, sprocket_production_goal=goal, sprocket_production_actual=actual
    )


def on_production_changed(sender: Any, *, factory_id: int, goal: int, actual: int, **kwargs: Any) -> None:
    record_chart_entry(factory_id=factory_id, goal=goal, actual=actual)


def on_factory_saved(sender: type[Factory], instance: Factory, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        record_chart_entry(
            factory_id=instance.pk,
            goal=instance.sprocket_production_goal,
            actual=instance.sprocket_production_actual,
        )


def connect() -> None:
    """Called from SprocketsConfig.ready(); dispatch_uid keeps it idempotent."""
    production_changed.connect(on_production_changed, dispatch_uid="sprockets.chart.production_changed")
    post_save.connect(on_factory_saved, sender=Factory, dispatch_uid="sprockets.chart.factory_created")
