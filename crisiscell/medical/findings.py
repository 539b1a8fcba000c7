"""What the ano-genital findings may hold, and what no entry point ever accepts.

The findings are a small set of named sites, each with a fixed list of answers, so
a report reads the same whoever writes it. Nothing about the hymen, "habituation" or
a finger test can be recorded: the two-finger or virginity test is prohibited and
has no evidentiary value (Anti-Rape (Investigation and Trial) Act 2021, s.13; Lahore
High Court, judgment of 4 January 2021). ``check_findings`` refuses such a key in
any dict, and ``check_text`` refuses such a term in anything the examiner writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crisiscell.medical.models import FORBIDDEN_FINDING_KEYS

EXAMINED = "examined"

# site -> allowed answers (value, label)
ALLOWED_FINDINGS: dict[str, tuple[Promise, tuple[tuple[str, Promise], ...]]] = {
    EXAMINED: (
        _("Ano-genital examination"),
        (
            ("yes", _("Done, with her consent")),
            ("declined", _("She declined it")),
            ("not_indicated", _("Not indicated by her history")),
        ),
    ),
    "external_genitalia": (
        _("External genitalia"),
        (
            ("no_injury", _("No injury seen")),
            ("injury", _("Injury seen (see injuries)")),
            ("not_seen", _("Not examined")),
        ),
    ),
    "perineum": (
        _("Perineum"),
        (
            ("no_injury", _("No injury seen")),
            ("injury", _("Injury seen (see injuries)")),
            ("not_seen", _("Not examined")),
        ),
    ),
    "vagina_cervix": (
        _("Vagina and cervix (speculum, if indicated)"),
        (
            ("no_injury", _("No injury seen")),
            ("injury", _("Injury seen (see injuries)")),
            ("not_done", _("Speculum examination not done")),
        ),
    ),
    "anus": (
        _("Anus and perianal region"),
        (
            ("no_injury", _("No injury seen")),
            ("injury", _("Injury seen (see injuries)")),
            ("not_seen", _("Not examined")),
        ),
    ),
    "bleeding": (_("Active bleeding"), (("none", _("None")), ("present", _("Present")))),
    "discharge": (_("Discharge"), (("none", _("None")), ("present", _("Present")))),
    "foreign_material": (
        _("Foreign material"),
        (("none", _("None seen")), ("collected", _("Seen and collected as evidence"))),
    ),
}
SITES = [key for key in ALLOWED_FINDINGS if key != EXAMINED]

# Terms refused in any text the examiner writes (English, romanised and Urdu).
FORBIDDEN_TERMS = re.compile(
    r"hymen|habituat|two[\s_-]*fingers?|finger[\s_-]*test|virgin|per[\s_-]*vaginal[\s_-]*digital"
    r"|پردہ\s*بکارت|بکارت|کنوار",
    re.IGNORECASE,
)


def forbidden_message() -> str:
    return gettext(
        'Nothing about the hymen, "habituation" or a finger test may be recorded: the two-finger '
        "(virginity) test is prohibited and has no evidentiary value (Anti-Rape Act 2021, s.13; "
        "Lahore High Court, judgment of 4 January 2021)."
    )


class ForbiddenFinding(ValidationError):
    """A key or term the law forbids; the message cites ARITA s.13 and the LHC judgment."""

    def __init__(self, field: str | None = None) -> None:
        message = forbidden_message()
        if field:
            super().__init__({field: ValidationError(message, code="forbidden_finding")})
        else:
            super().__init__(message, code="forbidden_finding")


def is_forbidden_key(key: str) -> bool:
    lowered = key.lower().replace(" ", "_")
    return any(part in lowered for part in FORBIDDEN_FINDING_KEYS) or bool(FORBIDDEN_TERMS.search(key))


def check_text(value: str, field: str | None = None) -> str:
    """Refuse a forbidden term in text the examiner writes."""
    if value and FORBIDDEN_TERMS.search(value):
        raise ForbiddenFinding(field)
    return value


def _walk(value: Any) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if is_forbidden_key(str(key)):
                raise ForbiddenFinding("findings")
            _walk(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            _walk(inner)
    elif isinstance(value, str):
        check_text(value, "findings")


def check_findings(findings: Mapping[str, Any]) -> dict[str, str]:
    """The findings cleaned: forbidden keys (at any depth) refused first, then unknown keys and answers."""
    if not isinstance(findings, Mapping):
        raise ValidationError({"findings": gettext("Findings must be a set of named answers.")})
    _walk(findings)
    cleaned: dict[str, str] = {}
    for key, value in findings.items():
        if key not in ALLOWED_FINDINGS:
            raise ValidationError({"findings": gettext("Unknown finding: %(key)s.") % {"key": key}})
        if value in ("", None):
            continue
        allowed = {answer for answer, _label in ALLOWED_FINDINGS[key][1]}
        if value not in allowed:
            raise ValidationError({"findings": gettext("Not an answer for %(key)s.") % {"key": key}})
        cleaned[key] = str(value)
    examined = cleaned.get(EXAMINED)
    if examined and examined != "yes" and any(site in cleaned for site in SITES):
        raise ValidationError({"findings": gettext("Site findings are recorded only when the examination was done.")})
    return cleaned


def finding_label(key: str, value: str) -> tuple[str, str]:
    label, answers = ALLOWED_FINDINGS[key]
    return str(label), str(dict(answers).get(value, value))
