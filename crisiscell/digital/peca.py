"""PECA 2016 (as amended to 2025) offences for digital exhibits, and what each means next.

The offences themselves are rows of ``cases.Offence`` (law ``PECA``, seeded with the
rest of the offence table). This module adds what the digital section shows beside
them: the maximum penalty, and the next steps, which differ by whether the offence
is cognizable (domain notes, section 9):

* cognizable: the NCCIA holds an inquiry, then registers an FIR;
* not cognizable: the NCCIA needs a magistrate's leave to investigate (CrPC 155).

Entries marked ``verify`` are shown as such. None of this is legal advice.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.models import Offence


class PecaFacts(NamedTuple):
    max_penalty: Promise
    minor_note: Promise | None


PECA_FACTS: dict[str, PecaFacts] = {
    "PECA-16": PecaFacts(_("3 years"), None),
    "PECA-20": PecaFacts(_("3 years"), None),
    "PECA-21": PecaFacts(_("5 years"), _("7 years against a minor (section 21(2))")),
    "PECA-22": PecaFacts(_("5 to 20 years"), None),
    "PECA-22A": PecaFacts(_("5 to 20 years"), None),
    "PECA-24": PecaFacts(_("3 years"), _("5 years against a minor")),
    "PECA-24A": PecaFacts(_("5 years"), None),
}

COGNIZABLE_STEPS = _("Cognizable: the NCCIA holds an inquiry, then registers an FIR.")
NON_COGNIZABLE_STEPS = _(
    "Not cognizable: the NCCIA needs a magistrate's leave to investigate (CrPC 155); the complaint asks for it."
)


def peca_offences() -> QuerySet[Offence]:
    return Offence.objects.filter(law="PECA").order_by("code")


def next_steps(offence: Offence) -> Promise:
    return COGNIZABLE_STEPS if offence.cognizable else NON_COGNIZABLE_STEPS


def max_penalty(offence: Offence) -> Promise | None:
    facts = PECA_FACTS.get(offence.code)
    return facts.max_penalty if facts else None
