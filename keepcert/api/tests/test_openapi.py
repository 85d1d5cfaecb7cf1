"""The OpenAPI document describes what the API really does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.api.tests.conftest import Api, assert_error, token_for
from keepcert.members.models import Member
from keepcert.program.models import CategoryRule

OPERATIONS = {
    ("get", "/api/v1/me"): {"200", "401", "429"},
    ("get", "/api/v1/certifications"): {"200", "401", "429", "422"},  # a bad limit or cursor
    ("get", "/api/v1/certifications/{certification_id}/cycles"): {
        "200",
        "401",
        "429",
        "404",
        "422",
    },
    ("get", "/api/v1/cycles/{cycle_id}"): {"200", "401", "429", "404", "422"},
    ("get", "/api/v1/activities"): {"200", "401", "429", "404", "422"},
    ("post", "/api/v1/activities"): {"201", "400", "401", "429", "409", "413", "422"},
    ("get", "/api/v1/activities/{activity_id}"): {"200", "401", "429", "404", "422"},
    ("patch", "/api/v1/activities/{activity_id}"): {
        "200",
        "400",
        "401",
        "429",
        "404",
        "409",
        "413",
        "422",
    },
    ("delete", "/api/v1/activities/{activity_id}"): {"204", "401", "429", "404", "409", "422"},
}

# What a client reads about a 409: every operation that can answer one says, by its code,
# when it does and what to do about it.
CONFLICTS = {
    ("post", "/api/v1/activities"): [
        "duplicate",
        "confirm_duplicate",
        "large_points",
        "confirm_large_points",
        "in_flight",
    ],
    ("patch", "/api/v1/activities/{activity_id}"): ["locked", "large_points"],
    ("delete", "/api/v1/activities/{activity_id}"): ["locked"],
}


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def test_document_lists_every_operation(document: dict[str, Any]) -> None:
    found = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_each_operation_is_described_and_honest(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = document["paths"][path][method]
    assert operation["summary"]
    # The description adds to the summary, and explains each 409 the operation declares.
    assert operation["description"] and operation["description"] != operation["summary"]
    assert ("409" in operation["responses"]) == ((method, path) in CONFLICTS)
    for code in CONFLICTS.get((method, path), []):
        assert f"`{code}" in operation["description"]
    assert operation["tags"] in (["Your record"], ["Activities"])
    assert operation["security"] == [{"MemberToken": []}]
    assert set(operation["responses"]) == OPERATIONS[(method, path)]
    for status, response in operation["responses"].items():
        if status.startswith("4"):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_operation_ids_are_readable(document: dict[str, Any]) -> None:
    ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert "record_activity" in ids
    assert all("keepcert" not in i for i in ids)


def test_token_scheme_is_bearer(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"] == {
        "MemberToken": {"type": "http", "scheme": "bearer"}
    }


def test_input_refuses_unknown_fields_and_null(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("ActivityIn", "ActivityPatch"):
        schema = schemas[name]
        assert schema["additionalProperties"] is False
        for field, prop in schema["properties"].items():
            assert "null" not in repr(prop), (name, field)
    assert set(schemas["ActivityIn"]["required"]) == {
        "category",
        "title",
        "start_date",
        "end_date",
        "attest",
    }
    assert schemas["ActivityIn"]["properties"]["start_date"]["format"] == "date"


# Issue 5, finding 8: the document was looser than the rules. `attest` was documented as
# optional with a default of false (every such request is refused), and `category` as any
# string (only the program's codes are accepted).


@pytest.mark.security
@pytest.mark.parametrize("name", ["ActivityIn", "ActivityPatch"])
def test_attest_is_documented_as_required_and_true(program: object, name: str) -> None:
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"][name]
    assert "attest" in schema["required"]
    attest = schema["properties"]["attest"]
    assert attest["const"] is True
    assert "default" not in attest


@pytest.mark.security
@pytest.mark.parametrize("value", [False, None])
def test_a_request_without_true_attest_is_refused_as_documented(
    alice: Member, value: bool | None
) -> None:
    body = {
        "category": "professional-education",
        "title": "Infection control",
        "start_date": "2025-03-01",
        "end_date": "2025-03-01",
        "points": 2,
    }
    if value is not None:
        body["attest"] = value
    response = Api(token_for(alice)).post("/activities", body)
    # The service's own sentence, as the web form shows it.
    assert_error(response, 422, field="attest", contains="Tick the attestation to confirm")


@pytest.mark.security
def test_category_is_an_enum_of_the_programs_codes(program: object) -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    codes = list(
        CategoryRule.objects.filter(rule_set__program__code=testing.PROGRAM_CODE)
        .values_list("category__code", flat=True)
        .distinct()
    )
    for name in ("ActivityIn", "ActivityPatch"):
        enum = schemas[name]["properties"]["category"]["enum"]
        assert sorted(enum) == sorted(codes), name
    assert "professional-education" in codes


def test_the_enum_follows_the_program_loaded(db: None) -> None:
    before = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "enum" not in before["ActivityIn"]["properties"]["category"]  # nothing loaded yet
    testing.make_program()
    after = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "professional-education" in after["ActivityIn"]["properties"]["category"]["enum"]


def test_points_are_documented_as_two_place_strings(document: dict[str, Any]) -> None:
    counted = document["components"]["schemas"]["CycleProgressOut"]["properties"]["counted"]
    assert "two places" in repr(counted)
    assert "decimal strings with two places" in document["info"]["description"]


def test_docs_page_loads(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_docs_page_uses_only_local_assets(db: None) -> None:
    content = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in content
    assert "/static/ninja/swagger-ui-bundle.js" in content


def test_the_document_is_built_once_not_per_request(client: Client, program: object) -> None:
    from ninja import main as ninja_main

    from keepcert.api.urls import api

    api._documents.clear()
    builds = []
    real = ninja_main.get_schema

    def counting(**kwargs: object) -> object:
        builds.append(1)
        return real(**kwargs)  # type: ignore[arg-type]

    ninja_main.get_schema = counting  # type: ignore[assignment]
    try:
        first = client.get("/api/v1/openapi.json").json()
        second = client.get("/api/v1/openapi.json").json()
    finally:
        ninja_main.get_schema = real
    assert first == second
    assert len(builds) == 1
