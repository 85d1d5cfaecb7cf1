"""Delete what has outlived its use: API idempotency keys past their lifetime and the
rate-limit counters of windows that have ended. Run it daily; running it twice deletes
nothing more."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from keepcert.core import idempotency, ratelimit


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records older than KEEPCERT_IDEMPOTENCY_TTL_HOURS and the "
        "rate-limit counters of ended windows. Running it twice deletes nothing more."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = idempotency.purge_expired()
        counters = ratelimit.purge_expired()
        hours = settings.KEEPCERT_IDEMPOTENCY_TTL_HOURS
        self.stdout.write(
            ngettext(
                "Deleted %(count)d idempotency key older than %(hours)d hours.",
                "Deleted %(count)d idempotency keys older than %(hours)d hours.",
                keys,
            )
            % {"count": keys, "hours": hours}
        )
        self.stdout.write(
            ngettext(
                "Deleted %(count)d rate-limit counter of an ended window.",
                "Deleted %(count)d rate-limit counters of ended windows.",
                counters,
            )
            % {"count": counters}
        )
