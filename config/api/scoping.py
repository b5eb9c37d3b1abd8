"""Who sees which rows: the selectors' one helper for "your own rows; an admin sees all"."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from .permissions import is_admin

M = TypeVar("M", bound=Model)


def owned_by(queryset: QuerySet[M], *, user: Any, owner_lookup: str, admin_sees_all: bool = True) -> QuerySet[M]:
    """`queryset` narrowed to the rows `user` owns (`owner_lookup` is the ORM path to the owner,
    `"pk"` for the users themselves).

    Anonymous callers see nothing. An admin sees every row unless `admin_sees_all` is false.
    Another user's row is then simply not there: a detail URL answers 404, never 403, so the API
    does not tell whether it exists.
    """
    if not (user and user.is_authenticated):
        return queryset.none()
    if admin_sees_all and is_admin(user):
        return queryset
    # By primary key, which a relation accepts as well as the row: `owner_lookup="pk"` also works.
    return queryset.filter(**{owner_lookup: user.pk})
