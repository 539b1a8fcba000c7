"""Numbers to call now: the helplines of the project's domain notes (section 10), as data.

Every number carries the date it was last verified and where it comes from. The risk
assessment shows them to the psychologist ("who to call now") and a safety plan may
print the ones the survivor chooses. Before a deployment relies on a number, someone
calls it and moves ``last_verified`` forward; a number tagged ``verify`` was not
confirmed and is shown as such.

The labels name services, never a cell, a hospital or a crime, because a printed safety
plan may be read by the person she fears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# When the list below was last checked against its public sources (domain notes, section 10).
LIST_CHECKED = date(2026, 11, 22)
SOURCE = "crisiscell domain notes, section 10 (public sources)"


@dataclass(frozen=True)
class Helpline:
    key: str
    label: Promise
    number: str
    hours: Promise | None
    tag: str  # "policy" (a government or agency page) or "verify" (not confirmed)
    last_verified: date
    # For the risk assessment: call now when someone is in danger or at risk of self-harm.
    emergency: bool = False
    source: str = SOURCE


HELPLINES: tuple[Helpline, ...] = (
    Helpline("police", _("Police"), "15", _("24 hours"), "policy", LIST_CHECKED, emergency=True),
    Helpline("rescue", _("Rescue (ambulance, emergencies)"), "1122", _("24 hours"), "policy", LIST_CHECKED,
             emergency=True),
    Helpline("isb_gender_unit", _("Islamabad police gender unit"), "8090", None, "policy", LIST_CHECKED),
    Helpline("human_rights", _("Ministry of Human Rights helpline (also missing children, ZARRA)"), "1099", None,
             "policy", LIST_CHECKED),
    Helpline("punjab_women", _("Punjab women helpline"), "1043", None, "policy", LIST_CHECKED),
    Helpline("sindh_women", _("Sindh women helpline"), "1094", None, "policy", LIST_CHECKED),
    Helpline("child_protection", _("Child protection (Punjab, Sindh)"), "1121", None, "policy", LIST_CHECKED),
    Helpline("cybercrime", _("National Cyber Crime Investigation Agency"), "1799", None, "policy", LIST_CHECKED),
    Helpline("online_harassment", _("Digital Rights Foundation online harassment helpline (advice)"),
             "0800-39393", _("9 am to 5 pm, every day"), "policy", LIST_CHECKED),
    Helpline("madadgaar", _("Madadgaar helpline"), "1098", None, "verify", LIST_CHECKED),
)  # fmt: skip
BY_KEY = {helpline.key: helpline for helpline in HELPLINES}


def helpline_choices() -> list[tuple[str, str]]:
    return [(h.key, f"{h.label} · {h.number}") for h in HELPLINES]


def emergency_helplines() -> list[Helpline]:
    return [h for h in HELPLINES if h.emergency]
