"""Staff accounts, their memberships of cells, and invitations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from crisiscell.access.policy import CELL_LESS_ROLES, NATIONAL_OPTIONAL_ROLES, Role
from crisiscell.core.models import BaseModel


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Another gender")


class User(AbstractUser):
    """A staff member. Survivors never have accounts.

    ``session_epoch`` is part of the session hash: raising it (on logout, on
    deactivation, on a new invitation) ends every session of the user at once.
    """

    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    is_demo = models.BooleanField(_("demo account"), default=False)
    # Needed where the law asks for a woman: the examiner of a female survivor, the
    # duty roster's coverage of women medico-legal officers.
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "crisiscell.accounts.User.session_auth_hash"
        value = f"{self.password}|{self.session_epoch}|{int(self.is_active)}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(BaseModel):
    """A user holds a role in a cell. The access policy reads these rows only."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "cell", "role"], name="membership_unique_user_cell_role"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(cell__isnull=True),
                name="membership_unique_national_role",
            ),
            models.CheckConstraint(
                condition=Q(cell__isnull=True) | ~Q(role__in=sorted(str(r) for r in CELL_LESS_ROLES)),
                name="membership_cell_less_roles_have_no_cell",
            ),
            models.CheckConstraint(
                condition=Q(cell__isnull=False)
                | Q(role__in=sorted(str(r) for r in CELL_LESS_ROLES | NATIONAL_OPTIONAL_ROLES)),
                name="membership_cell_roles_have_a_cell",
            ),
        ]

    def __str__(self) -> str:
        where = self.cell.code if self.cell else "national"
        return f"{self.user.username} · {self.role} · {where}"


class Invitation(BaseModel):
    """A one-time link to set a password and enrol a second factor (new or reset staff).

    Only a SHA-256 of the token is stored; the link is shown once to the cell head,
    who hands it to the staff member.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
