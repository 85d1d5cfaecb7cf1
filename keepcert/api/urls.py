"""The member JSON API, mounted at /api/v1/: OpenAPI at openapi.json, docs at docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from keepcert.api import activities, errors, members
from keepcert.api.auth import MemberToken
from keepcert.api.inputs import category_codes


class KeepCertApi(NinjaAPI):
    """ninja rebuilds the OpenAPI document on every request (34 ms of CPU); it changes
    only when the program's categories do (the document lists their codes), so it is
    built once per set of codes and kept for the life of the process."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._documents: dict[tuple[Any, ...], OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        key = (path_prefix, tuple(sorted((path_params or {}).items())), *category_codes())
        document = self._documents.get(key)
        if document is None:
            document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
            self._documents = {key: document}  # only the current version is ever asked for
        return document


api = KeepCertApi(
    title="KeepCert API",
    version="1",
    urls_namespace="api",
    description=(
        "Your KeepCert record: certifications, CE cycles and progress, and the CE "
        "activities you record.\n\n"
        "**Authentication**: create a personal API token on your account page and send it "
        "as `Authorization: Bearer <token>`. Sign-in cookies are not accepted.\n\n"
        "**Errors** share one body: `detail` (the first message), `code`, and `errors` "
        "(each with the `field` it concerns and a `message`). Messages are written for the "
        "member and match the web site's.\n\n"
        "**Points** are sent as a JSON number or a decimal string and returned as decimal "
        'strings with two places ("3.00"). Dates are ISO dates (YYYY-MM-DD).\n\n'
        "**Lists** come a page at a time, in a fixed order: "
        '`{"items": [...], "next": "<cursor>"}`. Send `next` back as the `cursor` query '
        "parameter, with the same other parameters, for the following page; `next` is null "
        "on the last page. Rows recorded meanwhile never make a later page repeat or skip "
        "one. `limit` sets the page size: 50 unless you ask, 1 to 200 (another value answers "
        "422 naming `limit`). A cursor is opaque and signed: one that was changed, or comes "
        "from another list, answers 422 `invalid_cursor`. A cycle's progress lists its "
        "activities the same way, with `activities_next` as the cursor."
    ),
    auth=MemberToken(),
)
errors.install(api)
errors.install_fault_handler(api)
api.add_router("", members.router)
api.add_router("", activities.router)
