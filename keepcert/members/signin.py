"""What a sign-in attempt is up against besides the password (issue 5, finding 3).

django-axes is the only lockout: `AXES_FAILURE_LIMIT` failures for one email from one
client address lock that pair for `AXES_COOLOFF_TIME`, so a stranger can lock only
themselves out, never the owner signing in from elsewhere. An email under a wide attack
(more than `KEEPCERT_SIGNIN_CODE_AFTER_FAILURES` failures within
`KEEPCERT_SIGNIN_FAILURE_WINDOW_MINUTES`, from any addresses) no longer signs in with the
password alone from an address it has never signed in from: allauth then asks for a code
sent to the account's email, which the owner has and the attacker has not.
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone


def recent_failures(email: str) -> int:
    """Failed sign-ins for this email within the window, from every address."""
    since = timezone.now() - timedelta(minutes=settings.KEEPCERT_SIGNIN_FAILURE_WINDOW_MINUTES)
    count: int = AccessFailureLog.objects.filter(
        username=email.strip().lower(), attempt_time__gte=since
    ).count()
    return count


def is_known_address(email: str, address: str | None) -> bool:
    """Whether this account has signed in from this address before."""
    if not address:
        return False
    known: bool = AccessLog.objects.filter(
        username__iexact=email.strip(), ip_address=address
    ).exists()
    return known


def needs_emailed_code(*, email: str, address: str | None) -> bool:
    """Whether a correct password from `address` must be confirmed with an emailed code."""
    return recent_failures(email) > settings.KEEPCERT_SIGNIN_CODE_AFTER_FAILURES and (
        not is_known_address(email, address)
    )
