"""Delete API idempotency keys older than KEEPCERT_IDEMPOTENCY_TTL_HOURS; run it daily."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from keepcert.core.idempotency import purge_expired


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records older than KEEPCERT_IDEMPOTENCY_TTL_HOURS. "
        "Running it twice deletes nothing more."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        hours = settings.KEEPCERT_IDEMPOTENCY_TTL_HOURS
        self.stdout.write(
            ngettext(
                "Deleted %(count)d idempotency key older than %(hours)d hours.",
                "Deleted %(count)d idempotency keys older than %(hours)d hours.",
                deleted,
            )
            % {"count": deleted, "hours": hours}
        )
