"""A staff account on a member's page (issue 7, finding 6): not a bare 403, but a page
that says it is for members and leads to the staff pages (`STAFF_START_URL`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from keepcert import testing
from keepcert.program.models import Program


def links(html: str) -> dict[str, str]:
    return {
        text.strip(): href for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


@pytest.mark.parametrize("path", ["/dashboard/", "/activities/new/", "/profile/"])
def test_staff_on_a_member_page_are_shown_the_way_to_their_own(
    staff_client: Client, path: str
) -> None:
    response = staff_client.get(path)

    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>This page is for members</h1>" in page
    assert links(page)["Your staff pages are here"] == "/admin/"
    assert "You cannot open this page" not in page


def test_the_link_follows_the_staff_start_setting(staff_client: Client, settings: Any) -> None:
    settings.STAFF_START_URL = "/staff/"
    page = staff_client.get("/dashboard/").content.decode()
    assert links(page)["Your staff pages are here"] == "/staff/"


def test_in_spanish(program: Program) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    client.force_login(testing.make_user("staff@example.org", staff=True))
    response = client.get("/dashboard/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "<h1>Esta página es para los miembros</h1>" in page
    assert links(page)["Sus páginas de personal están aquí"] == "/admin/"


def test_staff_change_nothing_through_a_member_form(staff_client: Client) -> None:
    from keepcert.activities.models import Activity

    response = staff_client.post("/activities/new/", {"title": "Something"})
    assert response.status_code == 403
    assert "This page is for members" in response.content.decode()
    assert not Activity.objects.exists()


def test_an_account_that_is_neither_staff_nor_a_member_still_cannot(program: Program) -> None:
    client = Client()
    client.force_login(testing.make_user("someone@example.org"))
    response = client.get("/dashboard/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>You cannot open this page</h1>" in page
    assert "This account is not linked to a member record." in page
    assert "staff pages" not in page
