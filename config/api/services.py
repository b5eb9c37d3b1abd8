"""Helpers shared by the apps' write services: locking, validating, uniqueness, partial updates.

Services raise domain errors only — Django's `ValidationError` (a 400 naming the field),
`PermissionDenied` (a 403), `ObjectNotFound` (a 404) — never `Http404` or a DRF exception, so
the admin, the management commands and the API can all call them. `config/api/exceptions.py`
turns them into the API's error format.
"""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet

from .exceptions import ObjectNotFound, field_errors

M = TypeVar("M", bound=Model)


def lock_for_update(queryset: QuerySet[M], pk: Any) -> M:
    """The row `pk` of `queryset`, re-read and locked until the transaction ends; `ObjectNotFound` if gone.

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
        # The same words as the view's own lookup, so a 404 reads the same whichever caught it.
        raise ObjectNotFound(f"No {queryset.model._meta.object_name} matches the given query.") from None


def validate_and_save(instance: M, *, exclude: Iterable[str] = (), update_fields: Iterable[str] | None = None) -> M:
    """Validate the instance with its model's rules (`full_clean`), then save it; returns it.

    `update_fields` is passed to `save()`: an edit of a few columns writes only those (and its
    `pre_save`/`post_save` receivers can tell what changed).

    Field validators and `clean()` run here and answer 400s naming the field. Constraints are left
    to the database (`validate_constraints=False`): a CheckConstraint whose rule users can break
    is also stated in `clean()` with a readable message, and uniqueness is checked first by
    `ensure_unique` (which knows about soft-deleted rows and letter case), so Django's own
    constraint queries would only repeat them. A race past both is an IntegrityError: a 409.
    """
    instance.full_clean(exclude=list(exclude) or None, validate_constraints=False)
    instance.save(update_fields=update_fields)
    return instance


def ensure_unique(instance: Model, *, among: QuerySet, messages: Mapping[str, str], ignore_case: bool = False) -> None:
    """A 400 naming every field of `messages` whose value another row of `among` already has.

    `among` is what counts as a rival (`User.objects.alive()`: a deleted user's email is free
    again; `Account.objects.filter(owner=...)`: names are unique per owner). Empty values are not
    checked. A concurrent insert that slips past this check is stopped by the unique constraint.
    """
    rivals = among.exclude(pk=instance.pk) if instance.pk is not None else among
    lookup = "iexact" if ignore_case else "exact"
    taken = {
        field: message
        for field, message in messages.items()
        if getattr(instance, field) not in (None, "")
        and rivals.filter(**{f"{field}__{lookup}": getattr(instance, field)}).exists()
    }
    if taken:
        raise field_errors("unique", **taken)


def assign_fields(instance: Any, data: dict[str, Any], allowed: tuple[str, ...]) -> list[str]:
    """Set on `instance` the `allowed` fields present in `data`; returns their names.

    PATCH passes only the fields it changes and PUT all of them, so what is absent stays as is.
    """
    changed = [field for field in allowed if field in data]
    for field in changed:
        setattr(instance, field, data[field])
    return changed
