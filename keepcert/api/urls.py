"""The member JSON API, mounted at /api/v1/: OpenAPI at openapi.json, docs at docs."""

from __future__ import annotations

from ninja import NinjaAPI

from keepcert.api import activities, errors, members
from keepcert.api.auth import MemberToken

api = NinjaAPI(
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
        'strings with two places ("3.00"). Dates are ISO dates (YYYY-MM-DD).'
    ),
    auth=MemberToken(),
)
errors.install(api)
errors.install_fault_handler(api)
api.add_router("", members.router)
api.add_router("", activities.router)
