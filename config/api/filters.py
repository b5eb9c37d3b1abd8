"""Filters shared by every app: strict booleans, date-times in UTC, ordering that rejects
unknown fields and always breaks ties by id, and no single-valued parameter given twice.

Each backend also says its own canonical parameters (`canonical_parameters(request, view)`): the
query pairs it reads, each value spelled as it reads it, so that every spelling of one answer is one
key of a cached list (config/api/cached_views.py) and its page links carry only those pairs.
"""

import datetime
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms import MultiWidget
from django.http import QueryDict
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, serializers
from rest_framework.exceptions import ValidationError

from .datetimes import OFFSET_RULE, to_utc
from .search import WalkFirstQuerySet

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


BOOLEAN_ERROR = "Must be true or false."


def parse_boolean(value: Any) -> bool | None:
    """`true`/`false` (also 1/0, yes/no, on/off; any case); None when absent; ValueError for junk."""
    if value in (None, ""):
        return None
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(value)


class StrictBooleanField(forms.Field):
    """A boolean filter's form field: anything but the words of parse_boolean() is an error, not "no filter"."""

    def to_python(self, value: Any) -> bool | None:
        try:
            return parse_boolean(value)
        except ValueError:
            raise forms.ValidationError(BOOLEAN_ERROR, code="invalid") from None


def refuse_repeated(params: QueryDict, names: Iterable[str]) -> None:
    """A single-valued parameter given more than once is a 400 naming it.

    Otherwise only the last value would count, silently: `?teeth=junk&teeth=3` would filter by 3.
    Unknown parameters are not named here: they are ignored however often they come.
    """
    repeated = sorted({name for name in names if len(params.getlist(name)) > 1})
    if repeated:
        raise ValidationError({name: [f"Give `{name}` once."] for name in repeated})


def widget_parameter_names(name: str, widget: Any) -> list[str]:
    """The query parameters a form field's widget reads: one, or one per sub-widget."""
    if isinstance(widget, MultiWidget):
        suffixes = getattr(widget, "suffixes", None)
        if suffixes is not None:  # django-filter's SuffixedMultiWidget
            return [widget.suffixed(name, suffix) for suffix in suffixes]  # type: ignore[attr-defined]
        return [name + suffix for suffix in widget.widgets_names]  # type: ignore[attr-defined]
    return [name]


def single_valued_parameters(form: forms.Form) -> list[str]:
    """The query parameters of a filterset's form that take one value each (not a multiple choice)."""
    return [
        parameter
        for name, field in form.fields.items()
        if not getattr(field.widget, "allow_multiple_selected", False)
        for parameter in widget_parameter_names(name, field.widget)
    ]


Pairs = list[tuple[str, str]]


def given_pairs(params: QueryDict, names: Iterable[str]) -> Pairs:
    """`(name, value)` for each of `names` given with a value, as sent (the last one if repeated)."""
    return [(name, str(params[name])) for name in names if params.get(name) not in (None, "")]


_UNSUPPORTED = object()


def _query_value(value: Any) -> Any:
    """A cleaned filter value written back as a query value the filter reads the same way.

    None for "not given" (None or empty); `_UNSUPPORTED` for a type not handled here (the raw
    value is kept then: still correct, only not normalised).
    """
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (int, str, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return _UNSUPPORTED


def detached_filterset(filterset_class: type, data: QueryDict | None = None) -> Any:
    """A filterset of `filterset_class` bound to `data` (none given: empty) over no rows: its form alone."""
    model = filterset_class._meta.model  # type: ignore[attr-defined]
    return filterset_class(data=QueryDict() if data is None else data, queryset=model._default_manager.none())


@cache
def filterset_parameters(filterset_class: type) -> frozenset[str] | None:
    """The query parameter names `filterset_class` reads (once per class); None if its empty form is invalid."""
    form = detached_filterset(filterset_class).form
    names = {
        widget_name for name, field in form.fields.items() for widget_name in widget_parameter_names(name, field.widget)
    }
    return frozenset(names) if form.is_valid() else None


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a single-valued filter parameter given more than once."""

    def get_filterset(self, request: Any, queryset: QuerySet, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            refuse_repeated(request.query_params, single_valued_parameters(filterset.form))
        return filterset

    def canonical_parameters(self, request: Any, view: Any) -> Pairs:
        """The filterset's parameters with their values as the filter sees them (`in_stock=1` is `true`,
        `min_price=10.0` is `10`, text trimmed); an empty one is not given.

        If a value does not validate, the pairs are the ones given, as sent: the filtering refuses
        them (a 400, never cached).
        """
        params = request.query_params
        filterset_class = getattr(view, "filterset_class", None)
        names = filterset_parameters(filterset_class) if filterset_class else None
        if names is not None and not any(name in params for name in names):
            # Building a filterset and validating its form is most of what a cache hit costs
            # (django-filter builds a form class per instance); without a parameter of its own
            # the answer is known: no pairs.
            return []
        if names is not None and validates_alone(filterset_class):
            refuse_repeated(params, single_valued_filterset_parameters(filterset_class))
            given = tuple((name, tuple(params.getlist(name))) for name in sorted(names) if name in params)
            if sum(len(value) for _, values in given for value in values) <= REMEMBERED_VALUES_MAX_CHARS:
                return list(_remembered_pairs(filterset_class, given))
        filterset = self.get_filterset(request, view.get_queryset(), view)
        return [] if filterset is None else _canonical_pairs(filterset)


# The canonical pairs of a filterset whose form validates alone are remembered per (class, the
# values given for its parameters): a filtered cache hit (`?in_stock=true`) cost twice an
# unfiltered one in-process (1,700 µs of CPU against 820) building and validating a filterset
# whose answer only those values decide. Bounded: at most this many entries per process, each
# of at most REMEMBERED_VALUES_MAX_CHARS of values (longer ones are computed every time).
REMEMBERED_FILTERSETS_MAX = 2048
REMEMBERED_VALUES_MAX_CHARS = 512
GivenValues = tuple[tuple[str, tuple[str, ...]], ...]  # each parameter given, with its values as sent


@cache
def validates_alone(filterset_class: type) -> bool:
    """Whether the filterset's form gives the same verdict for the same values, for any request, at any time.

    So when no field asks the database (a model choice: the object may come or go) and the form
    is Django's plain one, or a form of the app's that says `validates_alone = True` (its
    `clean()` compares its own cleaned values and reads nothing else, as catalog's price range).
    """
    form = detached_filterset(filterset_class).form
    form_class = filterset_class._meta.form  # type: ignore[attr-defined]
    return (form_class is forms.Form or getattr(form_class, "validates_alone", False) is True) and not any(
        isinstance(field, forms.ModelChoiceField) for field in form.fields.values()
    )


@cache
def single_valued_filterset_parameters(filterset_class: type) -> list[str]:
    return single_valued_parameters(detached_filterset(filterset_class).form)


@lru_cache(maxsize=REMEMBERED_FILTERSETS_MAX)
def _remembered_pairs(filterset_class: type, given: GivenValues) -> tuple[tuple[str, str], ...]:
    data = QueryDict(mutable=True)
    for name, values in given:
        data.setlist(name, list(values))
    return tuple(_canonical_pairs(detached_filterset(filterset_class, data)))


def _canonical_pairs(filterset: Any) -> Pairs:
    """A bound filterset's parameters, each value as its form cleans it (see canonical_parameters)."""
    params = filterset.data
    form = filterset.form
    valid = form.is_valid()
    pairs: Pairs = []
    for name, field in form.fields.items():
        widget_names = widget_parameter_names(name, field.widget)
        value = _query_value(form.cleaned_data.get(name)) if valid and widget_names == [name] else _UNSUPPORTED
        if value is _UNSUPPORTED:
            pairs += given_pairs(params, widget_names)
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


@cache
def _field_names(serializer_class: type[serializers.Serializer]) -> frozenset[str]:
    """A query serializer's field names, once per class (not a serializer built per request for them)."""
    return frozenset(serializer_class().fields)


def given_parameters(request: Any, serializer_class: type[serializers.Serializer]) -> QueryDict:
    """The query parameters with a value, for `serializer_class` that reads them (not a FilterSet).

    An empty one is one not given, as django-filter treats it for every filter (`?chart_points=`);
    one of the serializer's fields given twice is a 400 (refuse_repeated).
    """
    refuse_repeated(request.query_params, _field_names(serializer_class))
    given = request.query_params.copy()
    for name in [name for name, value in given.items() if value == ""]:
        del given[name]
    return given


class StrictBooleanQueryField(serializers.Field):
    """The same booleans for a query parameter read by a serializer (not a filter)."""

    default_error_messages = {"invalid": BOOLEAN_ERROR}

    def to_internal_value(self, data: Any) -> bool:
        try:
            return bool(parse_boolean(data))  # an empty value is absent: false
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: Any) -> bool:
        return bool(value)


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A false or zero value is applied (API.md); junk is a 400 naming the parameter.

    Built on the plain BooleanFilter: the rest_framework one's widget turns junk into "no filter".
    """

    field_class = StrictBooleanField


class UTCDateTimeField(IsoDateTimeField):
    """ISO 8601, converted to UTC; an offset or a year out of range is an error (config/api/datetimes.py)."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        return None if moment is None else to_utc(moment)


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The date-time filter of every app: `2024-05-01T10:00:00+02:00` is compared as 08:00 UTC."""

    field_class = UTCDateTimeField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"ISO 8601 date-time; {OFFSET_RULE}")
        super().__init__(*args, **kwargs)


class StrictOrderingFilter(filters.OrderingFilter):
    """`?ordering=a,-b` over the view's `ordering_fields`; anything else is a 400.

    The view's `ordering` is the default. The final tie-breaker is `id` in the direction of
    the last term, so equal values never shuffle between pages.
    """

    def _given(self, request: Any) -> str | None:
        given = request.query_params.getlist(self.ordering_param)
        if len(given) > 1:
            # Only the last would count, so `?ordering=junk&ordering=` would quietly sort by default.
            raise ValidationError({self.ordering_param: ["Give `ordering` once; separate several fields with commas."]})
        return given[0] if given else None

    @staticmethod
    def _terms(value: str) -> list[str]:
        """The terms trimmed, each field once: its first term decides, a later one changes no order.

        So `price,price,-price` orders (and is keyed) as `price`, ties included. Only an exact field
        repeats: `--price` stays, to be refused.
        """
        terms: list[str] = []
        seen: set[str] = set()
        for term in (term.strip() for term in value.split(",")):
            field = term.removeprefix("-")
            if term and field not in seen:
                seen.add(field)
                terms.append(term)
        return terms

    def canonical_parameters(self, request: Any, view: Any) -> Pairs:
        """`ordering` as its terms (trimmed, each field once); an unknown field stays, to be refused."""
        value = self._given(request)
        if not value or not self._reads_ordering(view):
            return []
        return [(self.ordering_param, ",".join(self._terms(value)) or value)]

    def get_ordering(self, request: Any, queryset: QuerySet, view: Any) -> list[str]:
        params = self._given(request)
        if params:
            requested = self._terms(params)
            allowed = self._allowed_fields(view)
            # One leading "-" at most: lstrip("-") would let "--price" through to order_by() (a 500).
            unknown = [term for term in requested if term.removeprefix("-") not in allowed]
            if unknown or not requested:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Unknown ordering field(s): {', '.join(unknown) or params!r}. "
                            f"Allowed: {', '.join(sorted(allowed))}, each optionally prefixed with '-'."
                        ]
                    }
                )
            return self._with_tiebreaker(requested)
        default = self.get_default_ordering(view)
        return self._with_tiebreaker(list(default) if default else ["-id"])

    def _allowed_fields(self, view: Any) -> set[str]:
        return set(getattr(view, "ordering_fields", None) or [])

    @staticmethod
    def _with_tiebreaker(ordering: list[str]) -> list[str]:
        if any(term.lstrip("-") in ("id", "pk") for term in ordering):
            return ordering
        descending = ordering[-1].startswith("-")
        return [*ordering, "-id" if descending else "id"]

    @staticmethod
    def _reads_ordering(view: Any) -> bool:
        return bool(getattr(view, "ordering_fields", None) or getattr(view, "ordering", None))

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        if not self._reads_ordering(view):
            return queryset
        return queryset.order_by(*self.get_ordering(request, queryset, view))

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if not getattr(view, "ordering_fields", None):
            return []
        parameters = super().get_schema_operation_parameters(view)
        allowed = sorted(self._allowed_fields(view))
        for parameter in parameters:
            parameter["description"] = (
                f"Comma-separated fields, each optionally prefixed with `-` (descending): {', '.join(allowed)}."
            )
            parameter["schema"] = {"type": "string", "pattern": ordering_pattern(allowed)}
        return parameters


# What str.strip() removes around a term, as a regex class (wider than \s: it has \x1c-\x1f, \x85).
_SPACE = r"[\s\x1c-\x1f\x85]"


def ordering_pattern(allowed: list[str]) -> str:
    """Exactly the `ordering` values StrictOrderingFilter accepts: terms split on commas and
    trimmed, empty terms skipped, at least one term, each a known field with at most one `-`."""
    term = f"{_SPACE}*-?(?:{'|'.join(re.escape(name) for name in allowed)}){_SPACE}*"
    return f"^(?:{_SPACE}*,)*{term}(?:,(?:{term}|{_SPACE}*))*$"


class PhraseSearchFilter(filters.SearchFilter):
    """`?search=` is one case-insensitive substring: the whole phrase, in any one of `search_fields`.

    DRF's own splits the phrase into words that may each match a different field, so
    `search=b product` would find anything with a "b" somewhere and "product" elsewhere.
    `%` and `_` stay literal (icontains escapes them).
    """

    def get_search_terms(self, request: Any) -> list[str]:
        refuse_repeated(request.query_params, [self.search_param])
        # DRF's CharField refuses a NUL byte (a 400), as it does for the words it would split.
        phrase = serializers.CharField(trim_whitespace=False, allow_blank=True).run_validation(
            request.query_params.get(self.search_param, "")
        )
        phrase = phrase.strip()
        return [phrase] if phrase else []

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        """DRF's search; on a WalkFirstQuerySet its pages are read from the list's first rows (config/api/search.py)."""
        searched = super().filter_queryset(request, queryset, view)
        if searched is not queryset and isinstance(searched, WalkFirstQuerySet):
            return searched.walk_first(queryset)
        return searched

    def canonical_parameters(self, request: Any, view: Any) -> Pairs:
        """`search` as the one trimmed phrase, on a view with `search_fields` (a NUL byte: the 400 here too)."""
        if not getattr(view, "search_fields", None):
            return []
        terms = self.get_search_terms(request)
        return [(self.search_param, " ".join(terms))] if terms else []
