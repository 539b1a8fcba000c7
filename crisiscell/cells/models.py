"""The cells of the network and the police reporting centres they work with."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
