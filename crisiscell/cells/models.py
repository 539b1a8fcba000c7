"""The cells of the network, the police reporting centres they work with, and their duty roster."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisiscell.access.policy import Role
from crisiscell.core.models import BaseModel


class PoliceReportingCentre(BaseModel):
    """The police unit a cell is linked to; it notifies the cell of cases (ARITA s.5(3))."""

    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    district = models.CharField(_("district"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        ordering = ["city", "name"]
        verbose_name = _("police reporting centre")
        verbose_name_plural = _("police reporting centres")

    def __str__(self) -> str:
        return self.name


class Cell(BaseModel):
    """One crisis cell: a room in a government hospital, open around the clock.

    ``code`` is short and stable: it prefixes every case code (``KHI-2026-0042``).
    """

    code = models.CharField(
        _("code"),
        max_length=6,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]{1,5}$", _("A capital letter, then one to five capital letters or digits."))
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    hospital = models.CharField(_("hospital"), max_length=200)
    address = models.TextField(_("address"))
    phone_numbers = models.JSONField(_("phone numbers"), default=list, blank=True)
    open_24_7 = models.BooleanField(_("open 24 hours, 7 days"), default=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    police_reporting_centre = models.ForeignKey(
        PoliceReportingCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cells",
        verbose_name=_("linked police reporting centre"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cell")
        verbose_name_plural = _("cells")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Shift(BaseModel):
    """A period of duty in a cell. Stored in UTC, shown in Asia/Karachi.

    Shifts of one cell never overlap: ``crisiscell.cells.services.shift_create``
    checks it under a lock on the cell, so the coverage check can read the roster
    as one line of time.
    """

    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("cell"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["cell", "starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.UniqueConstraint(fields=["cell", "starts_at"], name="shift_unique_cell_start"),
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} {self.starts_at.isoformat()} to {self.ends_at.isoformat()}"


# Who can be on duty: every role held inside a cell except the auditor, who reviews and never serves.
ROSTER_ROLES = frozenset(
    {
        Role.DESK_OFFICER,
        Role.CASE_WORKER,
        Role.MEDICO_LEGAL_OFFICER,
        Role.PSYCHOLOGIST,
        Role.LEGAL_ADVISER,
        Role.POLICE_LIAISON,
        Role.EVIDENCE_CUSTODIAN,
        Role.CELL_HEAD,
    }
)


class ShiftAssignment(BaseModel):
    """A staff member on duty for a shift, in one of the roles they hold in the cell."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("shift"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shift_assignments", verbose_name=_("staff")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["shift", "role"]
        verbose_name = _("shift assignment")
        verbose_name_plural = _("shift assignments")
        constraints = [models.UniqueConstraint(fields=["shift", "user"], name="shift_assignment_once_per_user")]
        indexes = [models.Index(fields=["user", "shift"], name="shift_assignment_user")]

    def __str__(self) -> str:
        return f"{self.shift_id} {self.user_id} {self.role}"
