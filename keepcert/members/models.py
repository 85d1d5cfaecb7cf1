"""People: sign-in accounts, member records, and members' API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import pgettext_lazy


class UserManager(DjangoUserManager["User"]):
    """Accounts are identified by email; there is no username."""

    def _create_user_object(
        self, username: Any, email: str | None, password: str | None, **extra: Any
    ) -> User:
        user = self.model(email=self.normalize_email(email), **extra)
        user.password = ""
        if password is not None:
            user.set_password(password)
        else:
            user.set_unusable_password()
        return user

    def create_user(  # type: ignore[override]
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        user = self._create_user_object(None, email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A sign-in account. A member's account is linked from `Member.user`."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email


# How long the link that confirms a new contact address works.
EMAIL_CHANGE_LINK_DAYS = 3


class MemberQuerySet(models.QuerySet["Member"]):
    def unclaimed(self) -> MemberQuerySet:
        return self.filter(user__isnull=True)


class Member(models.Model):
    """A certified person on the program's register, whether or not they have signed in yet."""

    program = models.ForeignKey("program.Program", on_delete=models.PROTECT, related_name="members")
    member_number = models.CharField(max_length=20, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True, help_text="Contact address on file.")
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")
    # A new notices address waits here until the member follows the link sent to it, so a
    # typo never starts receiving their notices (`request_contact_change`).
    pending_email = models.EmailField(
        blank=True, help_text="A new contact address waiting for its confirmation link."
    )
    pending_email_requested_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text="The language the member chose for pages and letters; blank: the browser's.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.member_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def pending_email_expires_at(self) -> datetime | None:
        """When the link sent to `pending_email` stops working."""
        if not self.pending_email or self.pending_email_requested_at is None:
            return None
        return self.pending_email_requested_at + timedelta(days=EMAIL_CHANGE_LINK_DAYS)


class NameChangeRequest(models.Model):
    """A member's request to change their legal name, which staff decide (SPEC §13).

    The name on the record is what certificates and letters print, so the member asks and
    staff check it against a document; `decide_name_change` applies an approval.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("name change request status", "Waiting for staff")
        APPROVED = "approved", pgettext_lazy("name change request status", "Approved")
        DECLINED = "declined", pgettext_lazy("name change request status", "Declined")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="name_change_requests"
    )
    current_first_name = models.CharField(max_length=100)
    current_last_name = models.CharField(max_length=100)
    requested_first_name = models.CharField(max_length=100)
    requested_last_name = models.CharField(max_length=100)
    reason = models.TextField()
    will_send_document = models.BooleanField(
        default=False, help_text="The member said they will send the supporting document."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    staff_reason = models.TextField(
        blank=True, help_text="Why staff declined (required) or a note on an approval."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="pending"),
                name="one_pending_name_change_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="name_change_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.current_name} → {self.requested_name} ({self.status})"

    @property
    def current_name(self) -> str:
        return f"{self.current_first_name} {self.current_last_name}"

    @property
    def requested_name(self) -> str:
        return f"{self.requested_first_name} {self.requested_last_name}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="First characters, to tell tokens apart.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="api_token_named"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
