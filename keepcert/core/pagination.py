"""One way to cut a list into pages, for the web pages and the API alike.

Keyset ("seek") pagination: a list has a total order that ends in the primary key
(activities: latest end date first, then latest start, then newest row), a page is the
first `limit` rows of that order, and the next page starts strictly after the last row
shown. Unlike an offset, a row recorded or deleted meanwhile never shifts the rows after
it: nothing older is shown twice or skipped.

The `next` cursor is the last row's ordering values, signed with `django.core.signing`
(base64 JSON plus an HMAC, salted with the list's name): opaque to clients, and a cursor
that was altered, truncated or taken from another list is refused with `InvalidCursor`
(the API answers 422 naming `cursor`; a web page starts again from the first page).

`limit` defaults to `DEFAULT_LIMIT` (50) and may not pass `MAX_LIMIT` (200): a larger or
non-positive one is refused with `InvalidLimit` (the API declares the bounds on its
`limit` parameter, so they appear in the OpenAPI document), never silently changed.

`paginate` seeks in the database (`WHERE (end_date, start_date, id) < …`, then
`LIMIT limit + 1` to learn whether a next page exists, so no count query).
`paginate_rows` applies the same order and cursor to rows already in memory: a cycle's
activity lines, which the rules core must count all together before any can be shown.
Ordering fields must be non-null (a related one, `credential__code`, is selected with
the rows, or costs a query each).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from keepcert.core.errors import DomainError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

_SALT = "keepcert.pagination."

type Ordering = tuple[str, ...]
"""Field names as for `order_by`, `-` for descending; the last is `pk` or `-pk`."""


class InvalidCursor(DomainError):
    """The cursor was not one this site issued for this list."""

    def __init__(self) -> None:
        message = _("This page link is not valid (it was changed or is out of date).")
        super().__init__(message, field_errors={"cursor": [message]}, code="invalid_cursor")


class InvalidLimit(DomainError):
    def __init__(self) -> None:
        message = _("Ask for between 1 and %(max)s items a page.") % {"max": MAX_LIMIT}
        super().__init__(message, field_errors={"limit": [message]}, code="invalid")


@dataclass(frozen=True, slots=True)
class Page[T]:
    """One page: its rows in order, and the cursor of the following page (None on the last)."""

    items: list[T]
    next_cursor: str | None


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidLimit
    return limit


def _fields(ordering: Ordering) -> list[tuple[str, bool]]:
    """(attribute, descending) per field; refuses an order that is not total."""
    if not ordering or ordering[-1].lstrip("-") not in ("pk", "id"):
        raise ValueError(f"A page order must end in the primary key: {ordering!r}")
    return [(name.lstrip("-"), name.startswith("-")) for name in ordering]


def _plain(value: Any) -> Any:
    """A JSON value that the ORM reads back as the same field value."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _native(value: Any, like: Any) -> Any:
    """The cursor's JSON value in the type of the row value `like` (for comparing in memory)."""
    if isinstance(like, datetime.datetime):
        return datetime.datetime.fromisoformat(value)
    if isinstance(like, datetime.date):
        return datetime.date.fromisoformat(value)
    if isinstance(like, Decimal):
        return Decimal(value)
    return value


def _encode(values: Sequence[Any], *, name: str) -> str:
    return signing.dumps([_plain(v) for v in values], salt=_SALT + name)


def _decode(cursor: str, *, name: str, width: int) -> list[Any]:
    try:
        values = signing.loads(cursor, salt=_SALT + name)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidCursor from None
    if not isinstance(values, list) or len(values) != width:
        raise InvalidCursor
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        raise InvalidCursor
    return values


def _after(fields: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order: (a, b, c) > (x, y, z) spelt out, as
    `(a > x) OR (a = x AND b > y) OR (a = x AND b = y AND c > z)`, each with its direction."""
    condition = Q()
    equal = Q()
    for (attribute, descending), value in zip(fields, values, strict=True):
        step = Q(**{f"{attribute}__{'lt' if descending else 'gt'}": value})
        condition |= equal & step
        equal &= Q(**{attribute: value})
    return condition


def _value(row: Any, attribute: str) -> Any:
    for step in attribute.split("__"):  # a related field, as in `order_by`
        row = getattr(row, step)
    return row


def _values_of(row: Any, fields: list[tuple[str, bool]]) -> list[Any]:
    return [_value(row, attribute) for attribute, _descending in fields]


def paginate[M: Model](
    queryset: QuerySet[M],
    *,
    ordering: Ordering,
    name: str,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[M]:
    """The page of `queryset` in `ordering` that follows `cursor` (the first without one).

    `name` names the list (e.g. "activities"): a cursor is valid only for the list it
    came from. Raises InvalidCursor or InvalidLimit. One query (plus the queryset's
    prefetches, run for this page's rows only).
    """
    size = check_limit(limit)
    fields = _fields(ordering)
    rows = queryset.order_by(*ordering)
    if cursor:
        try:
            rows = rows.filter(_after(fields, _decode(cursor, name=name, width=len(fields))))
        except (ValidationError, ValueError, TypeError):  # signed by us, yet not this list's
            raise InvalidCursor from None
    found = list(rows[: size + 1])
    items = found[:size]
    more = len(found) > size
    return Page(items, _encode(_values_of(items[-1], fields), name=name) if more else None)


def paginate_rows[T](
    rows: Sequence[T],
    *,
    key: Callable[[T], Any],
    ordering: Ordering,
    name: str,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[T]:
    """`paginate` for rows already in memory: `key(row)` is the object whose attributes
    `ordering` names (an activity line's activity, say). Same cursor, same limits; the
    rows come back in `ordering` whatever order they arrived in."""
    size = check_limit(limit)
    fields = _fields(ordering)

    def compare(a: list[Any], b: list[Any]) -> int:
        for x, y, (_attribute, descending) in zip(a, b, fields, strict=True):
            if x != y:
                return (1 if x < y else -1) if descending else (1 if x > y else -1)
        return 0

    keyed = [(_values_of(key(row), fields), row) for row in rows]
    # One stable sort per field, the last field first: each keeps the order of the
    # fields sorted before it among rows that tie on its own.
    for index, (_attribute, descending) in reversed(list(enumerate(fields))):
        keyed.sort(key=lambda keyed_row: keyed_row[0][index], reverse=descending)
    if cursor:
        raw = _decode(cursor, name=name, width=len(fields))
        if keyed:
            try:
                start = [_native(v, like) for v, like in zip(raw, keyed[0][0], strict=True)]
            except (TypeError, ValueError):
                raise InvalidCursor from None
            keyed = [(values, row) for values, row in keyed if compare(values, start) > 0]
    page = keyed[:size]
    more = len(keyed) > size
    return Page([row for _values, row in page], _encode(page[-1][0], name=name) if more else None)
