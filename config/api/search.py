"""A page of a search read from the newest rows first: exact, and bounded on a big table.

`?search=` is a substring in any of several fields (config/api/filters.py PhraseSearchFilter). On
PostgreSQL the trigram GIN indexes find the matching rows, but a page in the list's order needs
*every* match collected and sorted before the first 20 are known: at a million products, a
common phrase ("vintage", 92,852 matches) is a 200-700 ms bitmap heap scan, a sort, for 20 rows.

`WalkFirstQuerySet` reads such a page in two steps (`_fetch_all` of a sliced, searched queryset):

1. **the walk** — one query over a derived table: the first `WALK_ROWS` rows of the list *without*
   the phrase, in the list's order (an index scan that stops), and on those the whole query as
   it is (phrase, filters, order, offset and limit):

       SELECT cols FROM (SELECT cols FROM t WHERE <filters> ORDER BY o LIMIT 5000) "t"
       WHERE <filters AND phrase> ORDER BY o LIMIT n OFFSET k

2. **the fallback** — if the walk did not fill the slice, the query as it is.

Why the walk is exact when it fills the slice: the order is total (every ordering ends in `id`),
and every row of the answer matches the walk's conditions (they are the query's own, less the
phrase). So a matching row outside the walk comes after the walk's last row, hence after all the
walk found: the first `k + n` matches are all inside the walk. If fewer than `n` rows come back,
the slice may still have rows beyond the walk: the plain query decides (the fallback).

It is used only where it cannot be slow: the list's order is one an index gives (the model's
two-field indexes, either direction: an index scan that stops after `WALK_ROWS` rows), the
slice ends within the walk, and the query is a plain one on one table (no join, annotation,
distinct or extra). Anything else is the plain query. The count is not touched: it is
`bounded_count()`'s, capped at LIST_COUNT_LIMIT.
"""

from typing import TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode

# Rows of the list the walk reads before giving up. A phrase matching one row in 250 fills a
# page of 20 within it; a rarer one costs this walk (a few ms) and then the plain query.
WALK_ROWS = 5000

_M = TypeVar("_M", bound=Model)


def indexed_orderings(model: type[Model]) -> frozenset[tuple[str, ...]]:
    """The orderings an index of `model` gives as a scan: its fields in order, or all reversed."""
    orderings: set[tuple[str, ...]] = set()
    for index in model._meta.indexes:
        if not index.fields or index.expressions:
            continue
        forward = tuple(index.fields)
        orderings.add(forward)
        orderings.add(tuple(field[1:] if field.startswith("-") else f"-{field}" for field in forward))
    return frozenset(orderings)


class WalkFirstQuerySet(QuerySet[_M]):
    """A queryset whose searched slices are read from the newest rows first (the module's docstring)."""

    def walk_first(self, base: QuerySet[_M]) -> "WalkFirstQuerySet[_M]":
        """This queryset (`base` with a phrase filter added), marked to read its slices by the walk."""
        # On the Query: it is copied with every clone (order_by(), slicing), as its where is.
        self.query.walk_base_where = base.query.where.clone()  # type: ignore[attr-defined]
        return self

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            walked = self._walk()
            if walked is not None:
                self._result_cache = walked
        super()._fetch_all()  # type: ignore[misc]

    def _walk(self) -> list[_M] | None:
        """The slice's rows when the walk fills it; None: read it the plain way."""
        query = self.query
        base_where: WhereNode | None = getattr(query, "walk_base_where", None)
        if (
            base_where is None
            or self._iterable_class is not ModelIterable
            or self.__dict__.get("_prefetch_related_lookups")
        ):
            return None
        low, high = query.low_mark, query.high_mark
        if high is None or high > WALK_ROWS or high <= low:
            return None
        if (
            len(query.alias_map) != 1
            or query.annotations
            or query.extra
            or query.distinct
            or query.combinator
            or query.select_for_update
            or tuple(query.order_by) not in indexed_orderings(self.model)
        ):
            return None
        inner = query.chain()
        inner.where = base_where.clone()
        inner.clear_limits()
        inner.set_limits(0, WALK_ROWS)
        using = self.db
        connection = connections[using]
        inner_sql, inner_params = inner.get_compiler(using).as_sql()
        outer_sql, outer_params = query.get_compiler(using).as_sql()
        table = connection.ops.quote_name(self.model._meta.db_table)
        source = f" FROM {table} "
        if outer_sql.count(source) != 1:
            return None
        sql = outer_sql.replace(source, f" FROM ({inner_sql}) {table} ", 1)
        rows = list(self.model._default_manager.db_manager(using).raw(sql, [*inner_params, *outer_params]))
        return rows if len(rows) == high - low else None
