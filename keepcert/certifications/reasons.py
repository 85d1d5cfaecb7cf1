"""The reasons KeepCert itself writes into `Certification.status_reason`.

They are stored in English, as written here (the record and the API keep one wording
whatever the reader's language), and translated when a member reads them
(`shown_reason`). A reason staff typed is shown as they typed it.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

CERTIFIED = gettext_noop("Certified.")
GRANDFATHERED = gettext_noop("Certified before CE was required: CE is voluntary (grandfathered).")
CE_NOT_MET = gettext_noop("The CE requirement was not met by the end of the grace period.")
FEE_OVERDUE = gettext_noop("An annual fee is unpaid past its grace period.")
FEE_PAID = gettext_noop("The overdue annual fee was paid.")
FEES_UNPAID_YEARS = gettext_noop(
    "Annual fees went unpaid for as many years in a row as the program allows."
)
AUDIT_FAILED = gettext_noop("The CE audit was not passed.")

SYSTEM_REASONS = frozenset(
    {CERTIFIED, GRANDFATHERED, CE_NOT_MET, FEE_OVERDUE, FEE_PAID, FEES_UNPAID_YEARS, AUDIT_FAILED}
)


def shown_reason(reason: str) -> str:
    """`reason` as a member reads it: in their language when KeepCert wrote it."""
    return gettext(reason) if reason in SYSTEM_REASONS else reason
