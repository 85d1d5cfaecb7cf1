"""No body, however odd, makes the API answer 500 or break its error shape."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepcert import testing
from keepcert.api.tests.conftest import Api, token_for
from keepcert.members.models import Member

FUZZ = settings(
    max_examples=150,
    deadline=None,
    # One member and one database transaction serve every example: that is the point,
    # the state builds up as a client's would.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "NaN", "-Infinity", "1e999", "0.001", "\x00", "\ud800", "9" * 400])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
iso_dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 12, 31)).map(date.isoformat)
plausible: dict[str, st.SearchStrategy[Any]] = {
    "category": st.sampled_from(["professional-education", "employment-verification", "x"]),
    "title": st.text(max_size=250),
    "provider": st.text(max_size=250),
    "start_date": iso_dates,
    "end_date": iso_dates,
    "points": st.decimals(allow_nan=False, places=3, min_value=-5, max_value=150).map(str)
    | st.floats(min_value=-5, max_value=150),
    "units": st.integers(-3, 10),
    "notes": st.text(max_size=100),
    "certifications": st.lists(st.integers(min_value=-5, max_value=2**64), max_size=3),
    "attest": st.booleans(),
    "confirm_duplicate": st.booleans(),
}
bodies = (
    st.fixed_dictionaries(
        {},
        optional={field: strategy | json_values for field, strategy in plausible.items()},
    )
    | st.dictionaries(st.text(max_size=12), json_values, max_size=5)
    | json_values
)


def _assert_sane(response: Any, allowed: set[int]) -> None:
    assert response.status_code in allowed, (response.status_code, response.content[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "code", "errors"}
        assert isinstance(body["detail"], str)
        assert body["detail"]


@pytest.fixture
def member(program: object) -> Member:
    member = testing.make_member()
    testing.make_certification(member, "RMA")
    testing.make_certification(member, "RPT", date(2024, 1, 15))
    return member


@FUZZ
@given(payload=bodies)
def test_record_never_fails_on_any_json(member: Member, payload: Any) -> None:
    api = Api(token_for(member))
    _assert_sane(api.post("/activities", payload), {201, 409, 422})


@FUZZ
@given(payload=bodies)
def test_change_never_fails_on_any_json(member: Member, payload: Any) -> None:
    activity = testing.make_activity(member, title="Fuzz target")
    api = Api(token_for(member))
    _assert_sane(api.patch(f"/activities/{activity.pk}", payload), {200, 409, 422})


@FUZZ
@given(raw=st.binary(max_size=200) | bodies.map(lambda b: json.dumps(b).encode()[:-1]))
def test_any_bytes_are_refused_cleanly(member: Member, raw: bytes) -> None:
    api = Api(token_for(member))
    _assert_sane(api.post("/activities", raw=raw), {201, 400, 409, 422})


@FUZZ
@given(segment=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and "?" not in s))
def test_any_path_id_is_refused_cleanly(member: Member, segment: str) -> None:
    api = Api(token_for(member))
    for path in (f"/activities/{segment}", f"/cycles/{segment}"):
        response = api.get(path)
        assert response.status_code in {200, 404, 422}, (path, response.content[:300])
