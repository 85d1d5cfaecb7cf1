"""Fixtures of the members app's tests: a real SMTP server, and the services' language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from keepcert.testing_mail import Inbox, smtp_server


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    with smtp_server(settings) as inbox:
        yield inbox


@pytest.fixture
def in_english() -> Iterator[None]:
    """The services speak the language of the moment: English here, whatever a page
    requested in Spanish earlier in this worker left active."""
    with translation.override("en"):
        yield
