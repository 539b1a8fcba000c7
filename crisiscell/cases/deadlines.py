"""The rules in force: every window and deadline a cell works to, with its source and tag.

One table (``RULES``) holds the defaults from the law, government policy and WHO
clinical guidance (``../shared/domain.md`` sections 2, 4, 6 and 8). A deployment
changes a rule without a code change: ``crisiscell rules_set KEY HOURS --reason``
appends a ``RuleOverride`` row, and the newest override of a key wins. The rules
page shows staff which rules are law and which are targets or still to be verified.

Tags: ``law`` (read in a statute), ``policy`` (government or agency guideline),
``clinical`` (WHO/UN clinical guidance), ``verify`` (not confirmed; configurable).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Anchor(StrEnum):
    """The recorded fact a window is counted from."""

    INCIDENT = "incident"
    ARRIVAL = "arrival"
    FIR = "fir"
    COGNIZANCE = "cognizance"
    JUDGMENT = "judgment"
    LEGAL_AID_APPLICATION = "legal_aid_application"
    DISPATCH = "dispatch"  # a laboratory submission


class Tag(StrEnum):
    LAW = "law"
    POLICY = "policy"
    CLINICAL = "clinical"
    VERIFY = "verify"


HOUR = 1.0
DAY = 24 * HOUR


@dataclass(frozen=True)
class Rule:
    key: str
    label: Promise
    hours: float
    anchor: Anchor
    tag: Tag
    source: Promise  # the statute, guideline or decision, and what it says of the window
    # Warn this long before the window closes (owner and cell head are alerted).
    warn_hours: float
    overridden: bool = False
    override_reason: str = ""


RULES: tuple[Rule, ...] = (
    # Clinical windows, from the incident (domain section 4).
    Rule("ec", _("Emergency contraception"), 120 * HOUR, Anchor.INCIDENT, Tag.CLINICAL,
         _("WHO, Clinical management of rape and intimate partner violence survivors (2020)"), 24 * HOUR),
    Rule("pep", _("HIV post-exposure prophylaxis (start)"), 72 * HOUR, Anchor.INCIDENT, Tag.CLINICAL,
         _("WHO, Clinical management of rape and intimate partner violence survivors (2020)"), 12 * HOUR),
    Rule("swab_hvs", _("High vaginal swab"), 72 * HOUR, Anchor.INCIDENT, Tag.POLICY,
         _("NFSA sample requirements; Sindh law: 72 h, else within 7 days"), 12 * HOUR),
    Rule("swab_anal", _("Anal swab"), 24 * HOUR, Anchor.INCIDENT, Tag.POLICY, _("NFSA sample requirements"), 6 * HOUR),
    Rule("swab_oral", _("Oral swab"), 24 * HOUR, Anchor.INCIDENT, Tag.VERIFY,
         _("Forensic guidance: 12 to 24 h (not confirmed)"), 6 * HOUR),
    Rule("urine", _("Urine for drug-facilitated assault"), 120 * HOUR, Anchor.INCIDENT, Tag.VERIFY,
         _("Forensic guidance: about 120 h (not confirmed)"), 24 * HOUR),
    Rule("hep_b", _("Hepatitis B vaccine, first dose"), 14 * DAY, Anchor.INCIDENT, Tag.VERIFY,
         _("WHO: first dose at first visit; benefit unlikely after about 14 days"), 2 * DAY),
    # The cell's own targets, from arrival (domain section 2).
    Rule("mle", _("Medico-legal examination"), 6 * HOUR, Anchor.ARRIVAL, Tag.VERIFY,
         _("Government target: within 6 hours of the report (policy, not confirmed)"), 2 * HOUR),
    Rule("fir", _("FIR registered"), 24 * HOUR, Anchor.ARRIVAL, Tag.VERIFY,
         _("ARITA s.5: 'without any delay'; 24 h is a working target, not law"), 6 * HOUR),
    # The justice system's clocks (domain section 6).
    Rule("interim_report", _("Interim investigation report"), 17 * DAY, Anchor.FIR, Tag.LAW,
         _("CrPC 173: if not complete 14 days after the FIR, interim report within the next 3 days"), 3 * DAY),
    Rule("trial", _("Trial concluded"), 120 * DAY, Anchor.COGNIZANCE, Tag.LAW,
         _("ARITA s.16: preferably within 4 months of cognizance"), 21 * DAY),
    Rule("trial_child", _("Trial concluded (child)"), 90 * DAY, Anchor.COGNIZANCE, Tag.LAW,
         _("ZARRA Act 2020: child cases within 3 months"), 21 * DAY),
    Rule("appeal", _("Appeal filed"), 30 * DAY, Anchor.JUDGMENT, Tag.LAW, _("ARITA: appeal within 30 days of judgment"),
         7 * DAY),
    Rule("legal_aid", _("Legal aid decision"), 7 * DAY, Anchor.LEGAL_AID_APPLICATION, Tag.LAW,
         _("LAJA Act 2020: decision within 7 days"), 2 * DAY),
    # Follow-up visits, from arrival (domain section 4).
    Rule("fu_2w", _("Follow-up visit at 2 weeks"), 14 * DAY, Anchor.ARRIVAL, Tag.CLINICAL, _("WHO follow-up schedule"),
         2 * DAY),
    Rule("fu_1m", _("Follow-up visit at 1 month (hepatitis B second dose)"), 30 * DAY, Anchor.ARRIVAL,
         Tag.CLINICAL, _("WHO follow-up schedule; hepatitis B series 0, 1, 6 months"), 3 * DAY),
    Rule("fu_3m", _("Follow-up visit at 3 months (HIV and syphilis retest)"), 91 * DAY, Anchor.ARRIVAL,
         Tag.VERIFY, _("WHO follow-up schedule (not confirmed locally)"), 7 * DAY),
    Rule("fu_6m", _("Follow-up visit at 6 months (retest, hepatitis B third dose)"), 182 * DAY, Anchor.ARRIVAL,
         Tag.VERIFY, _("WHO follow-up schedule (not confirmed locally)"), 7 * DAY),
    Rule("pep_course", _("PEP course completed (28 days)"), 28 * DAY, Anchor.ARRIVAL, Tag.CLINICAL,
         _("WHO: 28-day course; check adherence at the end"), 3 * DAY),
    # The laboratory's turnaround, from dispatch of a docket (domain section 5).
    Rule("lab_result", _("Laboratory result"), 30 * DAY, Anchor.DISPATCH, Tag.VERIFY,
         _("Working target for forensic laboratories (not confirmed)"), 7 * DAY),
)  # fmt: skip
DEFAULTS = {rule.key: rule for rule in RULES}

# Windows after which a survivor follows the delayed-presentation path (domain section 4).
PEP_LATEST = "pep"
EC_LATEST = "ec"


class UnknownRule(KeyError):
    """No rule has this key."""


def default(key: str) -> Rule:
    try:
        return DEFAULTS[key]
    except KeyError:
        raise UnknownRule(key) from None


def with_override(rule: Rule, hours: float, reason: str) -> Rule:
    return replace(rule, hours=hours, overridden=True, override_reason=reason)
