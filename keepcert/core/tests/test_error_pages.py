"""Issue 5, finding 8: the site's own 404, 403, 400, CSRF and 500 pages (DEBUG off)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from keepcert.members.models import Member

pytestmark = pytest.mark.security


@pytest.fixture(autouse=True)
def _error_urls(settings: Any) -> None:
    assert settings.DEBUG is False
    settings.ROOT_URLCONF = "keepcert.core.tests.error_urls"


def _assert_styled(response: Any, status: int, heading: str) -> str:
    assert response.status_code == status
    html: str = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert "keepcert.css" in html  # the site's look, not Django's bare page
    assert 'href="/"' in html  # a way home
    return html


def test_a_missing_page_is_the_styled_404(db: None) -> None:
    html = _assert_styled(Client().get("/no-such-page/"), 404, "Page not found")
    assert "Sign in" in html  # the site's own navigation


def test_another_members_record_is_the_same_404(alice_client: Client, mallory: Member) -> None:
    activity_pk = 999_999
    response = alice_client.get(f"/activities/{activity_pk}/")
    html = _assert_styled(response, 404, "Page not found")
    assert "My progress" in html  # still signed in: the navigation says so


def test_permission_denied_is_the_styled_403(db: None) -> None:
    _assert_styled(Client().get("/test-errors/forbidden/"), 403, "You cannot open this page")


def test_a_bad_request_is_the_styled_400(db: None) -> None:
    _assert_styled(
        Client().get("/test-errors/suspicious/"), 400, "This request could not be understood"
    )


def test_a_failed_csrf_check_is_the_styled_page(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    _assert_styled(response, 403, "This form could not be sent")


def test_a_crash_is_the_styled_500(alice_client: Client) -> None:
    alice_client.raise_request_exception = False
    html = _assert_styled(alice_client.get("/test-errors/crash/"), 500, "Something went wrong")
    assert "a bug" not in html


def test_the_500_page_renders_with_the_database_down(alice_client: Client) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    alice_client.raise_request_exception = False
    with mock.patch.object(CursorWrapper, "execute", refuse):
        response = alice_client.get("/dashboard/")  # the session lookup fails first
    _assert_styled(response, 500, "Something went wrong")


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/no-such-page/", 404, "Página no encontrada"),
        ("/test-errors/forbidden/", 403, "No puede abrir esta página"),
        ("/test-errors/suspicious/", 400, "No se pudo entender esta solicitud"),
        ("/test-errors/crash/", 500, "Algo salió mal"),
    ],
)
def test_the_error_pages_speak_spanish_to_a_spanish_browser(
    db: None, path: str, status: int, heading: str
) -> None:
    """Issue 7, finding 6 (their width on a phone: portal/tests/test_every_page.py)."""
    client = Client(raise_request_exception=False)
    html = _assert_styled(client.get(path, HTTP_ACCEPT_LANGUAGE="es-MX,es"), status, heading)
    assert '<html lang="es">' in html
    assert "Go to the home page" not in html and "Ir a la página de inicio" in html


def test_the_csrf_page_speaks_spanish_to_a_spanish_browser(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"login": "a@example.org", "password": "x"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    _assert_styled(response, 403, "No se pudo enviar este formulario")
