"""The OpenAPI document describes what the API really does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

OPERATIONS = {
    ("get", "/api/v1/me"): {"200", "401"},
    ("get", "/api/v1/certifications"): {"200", "401"},
    ("get", "/api/v1/certifications/{certification_id}/cycles"): {"200", "401", "404", "422"},
    ("get", "/api/v1/cycles/{cycle_id}"): {"200", "401", "404", "422"},
    ("get", "/api/v1/activities"): {"200", "401", "404", "422"},
    ("post", "/api/v1/activities"): {"201", "400", "401", "409", "413", "422"},
    ("get", "/api/v1/activities/{activity_id}"): {"200", "401", "404", "422"},
    ("patch", "/api/v1/activities/{activity_id}"): {
        "200",
        "400",
        "401",
        "404",
        "409",
        "413",
        "422",
    },
    ("delete", "/api/v1/activities/{activity_id}"): {"204", "401", "404", "409", "422"},
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
    assert len(operation["description"]) > 40
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
    assert set(schemas["ActivityIn"]["required"]) == {"category", "title", "start_date", "end_date"}
    assert schemas["ActivityIn"]["properties"]["start_date"]["format"] == "date"


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
