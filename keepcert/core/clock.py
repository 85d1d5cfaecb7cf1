"""Today's date, in the program's time zone.

Cycle bounds and activity dates are calendar dates where the program is run
(AMT: America/Chicago), so "today" must be computed there, not in UTC. Every
caller goes through `today()` so tests freeze one clock (time-machine) and the
scheduler's --date option can set it.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone


def today(zone: str) -> date:
    return timezone.now().astimezone(ZoneInfo(zone)).date()
