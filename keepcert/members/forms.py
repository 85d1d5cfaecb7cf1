"""allauth's password forms with KeepCert's wording: labels in sentence case like every
other page ("New password", not "New Password"), and no placeholder repeating the label."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

LABELS = {
    "oldpassword": _("Current password"),
    "password1": _("New password"),
    "password2": _("New password, again"),
}


def _reword(fields: dict[str, forms.Field]) -> None:
    for name, label in LABELS.items():
        if name in fields:
            fields[name].label = label
            fields[name].widget.attrs.pop("placeholder", None)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _reword(self.fields)


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _reword(self.fields)
