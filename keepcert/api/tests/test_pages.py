"""Every list answers a page: `{"items": [...], "next": <cursor or null>}`, 50 items unless
`limit` says otherwise (1 to 200), the following page fetched with `cursor=<next>`."""

from __future__ import annotations

from datetime import date

import pytest

from keepcert import testing
from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.members.models import Member
from keepcert.program.models import Program


def _all_pages(
    api: Api, path: str, *, key: str = "items", next_key: str = "next", **params: object
) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.get(path, **query)
        assert response.status_code == 200, response.content
        body = response.json()
        ids = [item.get("id", item.get("activity_id")) for item in body[key]]
        pages.append(ids)
        cursor = body[next_key]
        if cursor is None:
            return pages


def test_activities_come_a_page_at_a_time_latest_first(alice: Member, alice_api: Api) -> None:
    made = [testing.make_activity(alice, start=date(2024, 3, day)) for day in range(1, 6)]
    newest_first = [a.pk for a in reversed(made)]

    pages = _all_pages(alice_api, "/activities", limit=2)

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:]]


def test_activities_default_to_fifty_a_page(alice: Member, alice_api: Api) -> None:
    for i in range(51):
        testing.make_activity(alice, title=f"Course {i}", start=date(2024, 3, 1 + i % 28))

    first = alice_api.get("/activities").json()
    rest = alice_api.get("/activities", cursor=first["next"]).json()

    assert len(first["items"]) == 50
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert {a["id"] for a in first["items"]}.isdisjoint(a["id"] for a in rest["items"])


def test_a_cycles_activities_page_keeps_its_filter(alice: Member, alice_api: Api) -> None:
    rpt_cycle = testing.current_cycle(testing.make_certification(alice, "RPT", date(2024, 1, 15)))
    both = [testing.make_activity(alice, start=date(2024, 3, day)) for day in (1, 2, 3)]
    testing.make_activity(alice, title="RMA only", start=date(2023, 9, 1))

    pages = _all_pages(alice_api, "/activities", cycle=rpt_cycle.pk, limit=2)

    assert pages == [[both[2].pk, both[1].pk], [both[0].pk]]


@pytest.mark.parametrize("limit", ["0", "201", "-5", "many"])
def test_a_limit_out_of_bounds_names_the_limit(alice_api: Api, limit: str) -> None:
    assert_error(alice_api.get("/activities", limit=limit), 422, field="limit")


def test_the_largest_page_is_two_hundred(alice: Member, alice_api: Api) -> None:
    testing.make_activity(alice)
    assert len(alice_api.get("/activities", limit=200).json()["items"]) == 1


@pytest.mark.parametrize("path", ["/activities", "/certifications"])
def test_a_changed_cursor_answers_422_naming_it(alice: Member, alice_api: Api, path: str) -> None:
    body = assert_error(alice_api.get(path, cursor="not-a-cursor"), 422, field="cursor")
    assert body["code"] == "invalid_cursor"
    assert body["detail"] == "This page link is not valid (it was changed or is out of date)."


def test_a_cursor_of_one_list_is_refused_by_another(alice: Member, alice_api: Api) -> None:
    cycle = testing.current_cycle(alice.certifications.get())
    for day in (1, 2):
        testing.make_activity(alice, start=date(2024, 3, day))
    cursor = alice_api.get("/activities", limit=1).json()["next"]
    assert cursor

    assert_error(alice_api.get("/activities", cycle=cycle.pk, cursor=cursor), 422, field="cursor")
    assert_error(alice_api.get(f"/cycles/{cycle.pk}", cursor=cursor), 422, field="cursor")


def test_another_members_cursor_shows_nothing_of_theirs(
    alice: Member, mallory: Member, alice_api: Api, mallory_api: Api
) -> None:
    for day in (1, 2):
        testing.make_activity(mallory, start=date(2024, 3, day))
    testing.make_activity(alice, start=date(2023, 9, 1))
    cursor = mallory_api.get("/activities", limit=1).json()["next"]

    page = alice_api.get("/activities", cursor=cursor).json()

    assert [a["title"] for a in page["items"]] == ["Infection control update"]
    assert page["items"][0]["id"] not in {a.pk for a in mallory.activities.all()}


def test_a_cycles_activity_lines_come_a_page_at_a_time(alice: Member, alice_api: Api) -> None:
    cycle = testing.current_cycle(alice.certifications.get())
    made = [testing.make_activity(alice, points="2", start=date(2024, 3, day)) for day in (1, 2, 3)]

    first = alice_api.get(f"/cycles/{cycle.pk}", limit=2).json()
    pages = _all_pages(
        alice_api, f"/cycles/{cycle.pk}", key="activities", next_key="activities_next", limit=2
    )

    assert pages == [[made[2].pk, made[1].pk], [made[0].pk]]
    # The figures count every activity, whichever page of lines is shown.
    assert first["counted"] == "6.00"


def test_certifications_and_cycles_come_a_page_at_a_time(program: Program) -> None:
    member = testing.make_member(first_name="Carol")
    rma = testing.make_certification(member, "RMA", date(2019, 3, 15))
    rpt = testing.make_certification(member, "RPT", date(2024, 1, 15))
    api = Api(token_for(member))

    certifications = _all_pages(api, "/certifications", limit=1)
    cycles = _all_pages(api, f"/certifications/{rma.pk}/cycles", limit=2)

    assert certifications == [[rma.pk], [rpt.pk]]  # by credential code
    assert [len(page) for page in cycles] == [2, 1]
    starts = [c["start"] for c in api.get(f"/certifications/{rma.pk}/cycles").json()["items"]]
    assert starts == ["2025-04-01", "2022-04-01", "2019-03-15"]
