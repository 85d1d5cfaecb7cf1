"""The language switch (issue 7): the browser's language by default, the member's own choice
once made, remembered on the record and applied at the next sign-in anywhere."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from keepcert import testing
from keepcert.core.models import Event
from keepcert.members.models import Member

SWITCH = "/language/"


def page_language(client: Client, url: str = "/", **headers: str) -> str:
    body = client.get(url, follow=True, headers=headers).content.decode()
    found = re.search(r'<html lang="([^"]+)"', body)
    assert found is not None
    return found.group(1)


@pytest.mark.django_db
def test_the_browsers_language_is_the_default(client: Client, program: object) -> None:
    assert page_language(client, accept_language="es-MX,es;q=0.9") == "es"
    assert page_language(Client(), accept_language="en-US,en;q=0.9") == "en"
    assert page_language(Client(), accept_language="fr-FR") == "en"  # not offered: English


@pytest.mark.django_db
def test_every_page_offers_the_other_language(client: Client, program: object) -> None:
    body = client.get("/", headers={"accept_language": "en"}).content.decode()
    assert re.search(
        r'<button[^>]*name="language" value="es" lang="es"[^>]*>Español</button>', body
    )
    assert 'value="en"' not in body
    # Each in its own name, whatever the page's language.
    spanish = client.get("/", headers={"accept_language": "es"}).content.decode()
    assert re.search(
        r'<button[^>]*name="language" value="en" lang="en"[^>]*>English</button>', spanish
    )


@pytest.mark.django_db
def test_a_visitor_switches_and_stays_on_the_same_page(client: Client, program: object) -> None:
    response = client.post(SWITCH, {"language": "es", "next": "/claim/"})
    assert response.status_code == 302
    assert response["Location"] == "/claim/"
    assert page_language(client, "/claim/", accept_language="en") == "es"


def test_a_members_choice_is_remembered_for_the_next_sign_in(
    alice_client: Client, alice: Member
) -> None:
    alice_client.post(SWITCH, {"language": "es", "next": "/dashboard/"})
    assert page_language(alice_client, "/dashboard/", accept_language="en") == "es"
    alice.refresh_from_db()
    assert alice.language == "es"
    event = Event.objects.get(action="members.language.chosen")
    assert event.data == {"before": "", "after": "es"}

    # Another browser, in English, with no cookie: signing in brings the choice back.
    elsewhere = Client(headers={"accept_language": "en-US"})
    assert page_language(elsewhere, "/accounts/login/") == "en"
    elsewhere.post("/accounts/login/", {"login": alice.user.email, "password": testing.PASSWORD})
    assert page_language(elsewhere, "/dashboard/") == "es"

    # Choosing English again from there is remembered too.
    elsewhere.post(SWITCH, {"language": "en", "next": "/dashboard/"})
    assert page_language(elsewhere, "/dashboard/", accept_language="es") == "en"
    alice.refresh_from_db()
    assert alice.language == "en"


def test_switching_to_the_language_already_chosen_logs_nothing_new(
    alice_client: Client, alice: Member
) -> None:
    for _ in range(3):
        alice_client.post(SWITCH, {"language": "es", "next": "/dashboard/"})
    assert Event.objects.filter(action="members.language.chosen").count() == 1


def test_a_language_not_offered_changes_nothing(alice_client: Client, alice: Member) -> None:
    response = alice_client.post(SWITCH, {"language": "xx", "next": "/dashboard/"})
    assert response.status_code == 302
    assert page_language(alice_client, "/dashboard/", accept_language="en") == "en"
    alice.refresh_from_db()
    assert alice.language == ""
    assert not Event.objects.filter(action="members.language.chosen").exists()


@pytest.mark.django_db
def test_the_switch_never_sends_a_visitor_to_another_site(client: Client, program: object) -> None:
    response = client.post(SWITCH, {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_switch_needs_the_forms_csrf_token(program: object) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(SWITCH, {"language": "es", "next": "/"}).status_code == 403
    assert page_language(client, accept_language="en") == "en"


@pytest.mark.django_db
def test_the_switch_answers_only_post(client: Client, program: object) -> None:
    assert client.get(SWITCH, {"language": "es"}).status_code == 405


@pytest.mark.races
@pytest.mark.security
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks: run on PostgreSQL"
)
def test_switches_at_once_log_an_unbroken_chain_of_changes(program: object) -> None:
    from keepcert.activities.tests.test_races import racers

    member = testing.make_member(first_name="Rosa", last_name="Diaz")
    languages = ["es", "en"] * 4
    with racers(len(languages)) as group:
        for _ in range(5):

            def switch(language: str) -> int:
                client = Client()
                client.force_login(member.user)
                return client.post(SWITCH, {"language": language, "next": "/"}).status_code

            assert group.burst([lambda lang=lang: switch(lang) for lang in languages]) == [
                302
            ] * len(languages)

    # Each change starts from what the one before it left: none read a stale language.
    changes = list(
        Event.objects.filter(action="members.language.chosen")
        .order_by("pk")
        .values_list("data", flat=True)
    )
    assert changes, "no switch was recorded"
    previous = ""
    for change in changes:
        assert change["before"] == previous and change["after"] != previous
        previous = change["after"]
    member.refresh_from_db()
    assert member.language == previous
