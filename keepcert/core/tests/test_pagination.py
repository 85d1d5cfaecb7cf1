"""Keyset pages: a stable order, exact boundaries, cursors that cannot be forged, bounded
sizes, and no row shown twice or skipped when others are recorded meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core import signing

from keepcert import testing
from keepcert.activities.models import Activity
from keepcert.activities.selectors import ACTIVITY_ORDER
from keepcert.core.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    InvalidCursor,
    InvalidLimit,
    Page,
    paginate,
    paginate_rows,
)
from keepcert.members.models import Member


def _pages(member: Member, *, limit: int) -> list[list[int]]:
    """Every page of the member's activities, followed cursor to cursor, as ids."""
    pages: list[list[int]] = []
    cursor = None
    while True:
        page: Page[Activity] = paginate(
            Activity.objects.for_member(member.pk),
            ordering=ACTIVITY_ORDER,
            name="activities",
            limit=limit,
            cursor=cursor,
        )
        pages.append([a.pk for a in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def _first(member: Member, **kwargs: object) -> Page[Activity]:
    return paginate(
        Activity.objects.for_member(member.pk),
        ordering=ACTIVITY_ORDER,
        name="activities",
        **kwargs,  # type: ignore[arg-type]
    )


def test_equal_dates_are_ordered_by_the_newest_row_and_cut_exactly(alice: Member) -> None:
    same_day = [testing.make_activity(alice, title=f"Same day {i}") for i in range(5)]
    later = testing.make_activity(alice, title="Later", start=date(2024, 6, 1))

    pages = _pages(alice, limit=2)

    newest_first = [later.pk, *sorted((a.pk for a in same_day), reverse=True)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:6]]


def test_the_last_full_page_has_no_next(alice: Member) -> None:
    for day in range(1, 5):
        testing.make_activity(alice, start=date(2024, 3, day))
    assert [len(p) for p in _pages(alice, limit=2)] == [2, 2]
    assert [len(p) for p in _pages(alice, limit=4)] == [4]
    assert _first(alice, limit=4).next_cursor is None


def test_an_empty_list_is_one_empty_page(alice: Member) -> None:
    assert _first(alice) == Page([], None)


def test_rows_recorded_meanwhile_shift_nothing_older(alice: Member) -> None:
    for day in range(1, 6):
        testing.make_activity(alice, title=f"Day {day}", start=date(2024, 3, day))
    first = _first(alice, limit=2)
    # Recorded after the first page was read: one newer than every row, one on the same
    # date as the first page's last row, and one older than all.
    testing.make_activity(alice, title="Newest", start=date(2025, 1, 1))
    testing.make_activity(alice, title="Same date", start=date(2024, 3, 4))
    testing.make_activity(alice, title="Oldest", start=date(2023, 6, 1))

    rest = _first(alice, limit=50, cursor=first.next_cursor)

    titles = [a.title for a in first.items] + [a.title for a in rest.items]
    # A row of the same date recorded later sorts before the cut (newer id), so it falls
    # on the page already read: it is not shown twice, and no older row is skipped.
    assert titles == ["Day 5", "Day 4", "Day 3", "Day 2", "Day 1", "Oldest"]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "a" * 300, "W1siMjAyNC0wMy0wMSJdXQ:1x:abc", "Ünïcode:::"],
)
def test_a_cursor_not_issued_here_is_refused(alice: Member, cursor: str) -> None:
    testing.make_activity(alice)
    if not cursor:  # an empty cursor is no cursor: the first page
        assert len(_first(alice, cursor=cursor).items) == 1
        return
    with pytest.raises(InvalidCursor) as refused:
        _first(alice, cursor=cursor)
    assert refused.value.field_errors == {"cursor": [refused.value.message]}


def test_a_changed_cursor_is_refused(alice: Member) -> None:
    for day in range(1, 4):
        testing.make_activity(alice, start=date(2024, 3, day))
    cursor = _first(alice, limit=1).next_cursor
    assert cursor is not None
    value, signature = cursor.rsplit(":", 1)
    forged = signing.dumps(["2099-01-01", "2099-01-01", 1], salt="not ours")
    for bad in (f"{value}x:{signature}", f"{value}:{signature[::-1]}", forged):
        with pytest.raises(InvalidCursor):
            _first(alice, limit=1, cursor=bad)


def test_a_cursor_is_valid_only_for_its_own_list(alice: Member) -> None:
    for day in range(1, 4):
        testing.make_activity(alice, start=date(2024, 3, day))
    cursor = _first(alice, limit=1).next_cursor
    with pytest.raises(InvalidCursor):
        paginate(
            Activity.objects.for_member(alice.pk),
            ordering=ACTIVITY_ORDER,
            name="cycle-1-activities",
            cursor=cursor,
        )


def test_a_signed_cursor_of_the_wrong_shape_is_refused(alice: Member) -> None:
    testing.make_activity(alice)
    salt = "keepcert.pagination.activities"
    for values in (["2024-03-01"], {"a": 1}, [None, None, None], [True, "x", 1]):
        with pytest.raises(InvalidCursor):
            _first(alice, cursor=signing.dumps(values, salt=salt))


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_a_limit_out_of_bounds_is_refused(alice: Member, limit: int) -> None:
    with pytest.raises(InvalidLimit) as refused:
        _first(alice, limit=limit)
    assert refused.value.field_errors == {"limit": ["Ask for between 1 and 200 items a page."]}


def test_the_default_page_is_fifty_and_the_largest_two_hundred(alice: Member) -> None:
    rows = [_Row(pk, date(2024, 1, 1), date(2024, 1, 1)) for pk in range(1, 251)]
    assert DEFAULT_LIMIT == 50
    assert len(_rows(rows).items) == 50
    assert len(_rows(rows, limit=MAX_LIMIT).items) == 200


def test_an_order_must_end_in_the_primary_key(alice: Member) -> None:
    with pytest.raises(ValueError, match="primary key"):
        paginate(Activity.objects.all(), ordering=("-end_date",), name="activities")


# --- rows already in memory: the same order and cursors ----------------------------------


@dataclass(frozen=True)
class _Row:
    pk: int
    end_date: date
    start_date: date


def _rows(rows: list[_Row], **kwargs: object) -> Page[_Row]:
    return paginate_rows(
        rows,
        key=lambda row: row,
        ordering=ACTIVITY_ORDER,
        name="rows",
        **kwargs,  # type: ignore[arg-type]
    )


def test_rows_in_memory_follow_the_same_order_and_cursors() -> None:
    rows = [
        _Row(1, date(2024, 1, 5), date(2024, 1, 1)),
        _Row(2, date(2024, 1, 5), date(2024, 1, 3)),
        _Row(3, date(2024, 1, 5), date(2024, 1, 3)),
        _Row(4, date(2024, 2, 1), date(2024, 2, 1)),
        _Row(5, date(2023, 12, 1), date(2023, 12, 1)),
    ]
    seen = []
    cursor = None
    while True:
        page = _rows(rows[::-1], limit=2, cursor=cursor)
        seen.append([row.pk for row in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [[4, 3], [2, 1], [5]]


def test_rows_in_memory_sort_each_field_its_own_way() -> None:
    rows = [
        _Row(1, date(2024, 1, 5), date(2024, 1, 1)),
        _Row(2, date(2024, 1, 5), date(2024, 1, 3)),
        _Row(3, date(2024, 1, 5), date(2024, 1, 3)),
        _Row(4, date(2024, 1, 1), date(2024, 1, 1)),
    ]
    page = paginate_rows(
        rows[::-1], key=lambda row: row, ordering=("end_date", "-start_date", "pk"), name="rows"
    )
    assert [row.pk for row in page.items] == [4, 2, 3, 1]


def test_rows_in_memory_refuse_a_changed_cursor() -> None:
    rows = [_Row(pk, date(2024, 1, pk), date(2024, 1, pk)) for pk in range(1, 4)]
    cursor = _rows(rows, limit=1).next_cursor
    assert cursor is not None
    with pytest.raises(InvalidCursor):
        _rows(rows, cursor=cursor[:-2])
    salt = "keepcert.pagination.rows"
    with pytest.raises(InvalidCursor):
        _rows(rows, cursor=signing.dumps(["not a date", "2024-01-01", 1], salt=salt))


def test_a_signed_cursor_whose_values_do_not_fit_the_fields_is_refused(alice: Member) -> None:
    testing.make_activity(alice)
    cursor = signing.dumps(["not a date", "2024-01-01", 1], salt="keepcert.pagination.activities")
    with pytest.raises(InvalidCursor):
        _first(alice, cursor=cursor)
