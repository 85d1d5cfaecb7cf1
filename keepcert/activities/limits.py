"""How much an activity may hold: defined once, read by the services that enforce it, the
columns that store it, the forms and templates that announce it, the request-body cap
(`keepcert.core.limits`), the settings and the nginx configuration's test.

Plain Python with no Django import, so `settings.py` and the models can derive theirs from it.
"""

from __future__ import annotations

# The entry's text (SPEC §4): the columns are this wide, and the service refuses longer.
MAX_TITLE_LENGTH = 200
MAX_PROVIDER_LENGTH = 200
MAX_NOTES_LENGTH = 5000

MEGABYTE = 1024 * 1024
MAX_EVIDENCE_FILES = 5  # per activity, in total
MAX_EVIDENCE_BYTES = 10 * MEGABYTE  # per file
# The entry's own fields and the multipart framing around each file: a few kilobytes in
# practice, a megabyte leaves room without letting a body grow much past its files.
FORM_FIELDS_BYTES = 1 * MEGABYTE
# The largest body a valid request can need: every file an activity can take at once, at
# its largest, and the form. `KEEPCERT_MAX_REQUEST_BYTES` defaults to this.
MAX_REQUEST_BYTES = MAX_EVIDENCE_FILES * MAX_EVIDENCE_BYTES + FORM_FIELDS_BYTES
# What one member may keep in the evidence vault, in total (`KEEPCERT_EVIDENCE_QUOTA_MB`).
EVIDENCE_QUOTA_MB = 200
