"""Helpers shared by the apps' write services."""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def lock_or_404(queryset: QuerySet[M], pk: Any) -> M:
    """The row `pk` of `queryset`, re-read and locked until the transaction ends; a 404 if it is gone.

    Every write service takes this first. Its caller (a view, the admin) read the object before the
    service's transaction began, so a concurrent DELETE may have committed since: the object is
    then a 404, exactly as if the request had come after the DELETE, instead of a `DoesNotExist`
    (500) or a `save()` that re-inserts the deleted row. Once the lock is held nobody can delete
    the row before this transaction commits, so the service's own `save()` is a plain UPDATE.

    `queryset` says what counts as existing: `Product.objects.alive()` for a soft-deleted model.
    Only its own rows are locked (`of=self`), never those of a joined table. Call it inside
    `transaction.atomic`.
    """
    try:
        return queryset.select_for_update(of=("self",)).get(pk=pk)
    except ObjectDoesNotExist:  # queryset.model.DoesNotExist, which the stubs cannot name
        # The same answer as the view's own lookup (Http404 is a 404 in the API, and in the admin).
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.") from None


def assign_fields(instance: Any, data: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set on `instance` the `allowed` fields present in `data`; returns their names.

    PATCH passes only the fields it changes and PUT all of them, so what is absent stays as is.
    """
    changed = [field for field in allowed if field in data]
    for field in changed:
        setattr(instance, field, data[field])
    return changed
