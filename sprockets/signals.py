"""Cache invalidation for the factory list: any factory, location or chart write drops every cached list.

A factory's answer carries its counter, its nested location and (`?with_chart_data=true`) its
newest chart points, so a write to any of the three must drop the cached lists. Every change of
a counter records a chart entry (sprockets.charts), so the entry's `post_save` covers sprockets
created, moved and deleted. Bulk writes send no signal: their callers (the importer, the scale
seed, the demo seed's history and retimed points) call `factory_cache_invalidate()`
(sprockets.caching, with the namespace). There is no receiver on a chart entry's delete: it would
stop Django from deleting a factory's history in one query (entries go only with their factory,
whose own `post_delete` invalidates).
"""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .caching import factory_cache_invalidate
from .models import Factory, FactoryChartEntry, Location


@receiver(post_save, sender=Factory, dispatch_uid="sprockets_factory_cache_on_factory_save")
@receiver(post_delete, sender=Factory, dispatch_uid="sprockets_factory_cache_on_factory_delete")
@receiver(post_save, sender=Location, dispatch_uid="sprockets_factory_cache_on_location_save")
@receiver(post_delete, sender=Location, dispatch_uid="sprockets_factory_cache_on_location_delete")
@receiver(post_save, sender=FactoryChartEntry, dispatch_uid="sprockets_factory_cache_on_chart_entry")
def invalidate_factory_lists(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    factory_cache_invalidate()
