"""Clocks: every deadline of a case, derived from its recorded facts on every read.

Nothing here is stored. ``clocks_for(facts, rules, now)`` turns what was recorded
(arrival, incident time, her choices, completed duties, staff resolutions, the
justice milestones) and the rules in force into a list of ``Clock``s, each with a
state (open, met, missed, not applicable, declined by the survivor), a deadline
and the time left.

Uncertain incident times are handled conservatively, and the clock says so:

* approximate (a range): the deadline is counted from the *earliest* possible
  time, because the window may close that early; but the window is only called
  missed once it has closed even from the *latest* possible time, so a treatment
  that may still help is never refused on a guess;
* unknown: there is no deadline; the clock stays open with "give it now".

A survivor who arrived after 72 or 120 hours (even from the latest possible
incident time) is on the delayed-presentation path: no PEP after 72 h, no
emergency contraception after 120 h, but STI treatment, hepatitis B, a pregnancy
test and psychosocial care still.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.deadlines import Anchor, Rule
from crisiscell.cases.models import ClockState

# The clocks a case shows, in display order; follow-ups are tasks with their own clocks.
CASE_CLOCKS = ("mle", "ec", "pep", "swab_hvs", "swab_anal", "swab_oral", "urine", "hep_b", "fir",
               "interim_report", "trial", "appeal", "legal_aid")  # fmt: skip
INCIDENT_CLOCKS = {"ec", "pep", "swab_hvs", "swab_anal", "swab_oral", "urine", "hep_b"}
MEDICAL_CLOCKS = {"ec", "pep", "hep_b"}
EVIDENCE_CLOCKS = {"swab_hvs", "swab_anal", "swab_oral", "urine"}
FEMALE_ONLY = {"ec", "swab_hvs"}


@dataclass(frozen=True)
class Resolution:
    state: str
    done_at: datetime | None


@dataclass
class CaseFacts:
    """What the clocks read. Built from one case and its prefetched rows, no queries."""

    arrival_at: datetime
    incident_kind: str  # exact, approximate, unknown
    incident_at: datetime | None
    incident_earliest: datetime | None
    incident_latest: datetime | None
    sex: str
    age_years: int | None
    choice_medical: str
    choice_evidence: str
    choice_police: str
    # Completion times of duties (kind -> closed_at) and their closing status.
    duties_done: dict[str, datetime] = field(default_factory=dict)
    duties_closed_as: dict[str, str] = field(default_factory=dict)
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    # Justice milestones (the justice records fill these in).
    fir_at: datetime | None = None
    interim_report_at: datetime | None = None
    cognizance_at: datetime | None = None
    trial_concluded_at: datetime | None = None
    judgment_at: datetime | None = None
    appeal_at: datetime | None = None
    legal_aid_applied_at: datetime | None = None
    legal_aid_decided_at: datetime | None = None

    @property
    def is_child(self) -> bool:
        return self.age_years is not None and self.age_years < 18


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    tag: str
    state: str
    deadline: datetime | None
    time_left: timedelta | None
    warning: bool  # open and inside its warning window (or no deadline known)
    note: str | Promise = ""  # translated when shown

    @property
    def is_open(self) -> bool:
        return self.state == ClockState.OPEN

    def urgency(self) -> tuple[int, float]:
        """Sort key: missed first, then open with the least time left; closed clocks last."""
        if self.state == ClockState.MISSED:
            return (0, 0.0)
        if self.state == ClockState.OPEN:
            if self.time_left is None:
                return (1, 0.0)  # unknown incident time: act now
            return (1, self.time_left.total_seconds())
        return (3, 0.0)


@dataclass(frozen=True)
class Window:
    """Where a window opens (the anchor) for the earliest and latest possible anchor times."""

    earliest: datetime | None
    latest: datetime | None
    note: str | Promise = ""


def _anchor(rule: Rule, facts: CaseFacts) -> Window | None:
    """None when the fact the rule counts from is not recorded yet (the clock does not apply yet)."""
    if rule.anchor == Anchor.INCIDENT:
        if facts.incident_kind == "exact" and facts.incident_at is not None:
            return Window(facts.incident_at, facts.incident_at)
        if facts.incident_kind == "approximate" and facts.incident_earliest and facts.incident_latest:
            return Window(
                facts.incident_earliest,
                facts.incident_latest,
                _("Approximate incident time: counted from the earliest possible time."),
            )
        return Window(None, None, _("Incident time unknown: give it now; the window may already have closed."))
    anchors = {
        Anchor.ARRIVAL: facts.arrival_at,
        Anchor.FIR: facts.fir_at,
        Anchor.COGNIZANCE: facts.cognizance_at,
        Anchor.JUDGMENT: facts.judgment_at,
        Anchor.LEGAL_AID_APPLICATION: facts.legal_aid_applied_at,
    }
    at = anchors[rule.anchor]
    return Window(at, at) if at is not None else None


def _done(key: str, facts: CaseFacts) -> tuple[str | None, datetime | None]:
    """The recorded outcome of a clock: met (with when), declined, not applicable, or nothing yet."""
    resolution = facts.resolutions.get(key)
    if resolution is not None:
        return resolution.state, resolution.done_at
    duty_for = {"mle": "mle", "fir": "fir"}
    if key in duty_for:
        kind = duty_for[key]
        closed_as = facts.duties_closed_as.get(kind)
        if closed_as == "done":
            return ClockState.MET, facts.duties_done.get(kind)
        if closed_as == "declined":
            return ClockState.DECLINED, None
        if closed_as == "n/a":
            return ClockState.NOT_APPLICABLE, None
    milestones = {
        "interim_report": facts.interim_report_at,
        "trial": facts.trial_concluded_at,
        "trial_child": facts.trial_concluded_at,
        "appeal": facts.appeal_at,
        "legal_aid": facts.legal_aid_decided_at,
    }
    if milestones.get(key) is not None:
        return ClockState.MET, milestones[key]
    return None, None


def _not_applicable_reason(key: str, facts: CaseFacts) -> tuple[str, str | Promise] | None:
    """(state, note) when the clock does not apply to her or she declined what it times."""
    if key in FEMALE_ONLY and facts.sex == "male":
        return ClockState.NOT_APPLICABLE, _("Not applicable to a male survivor.")
    if key in MEDICAL_CLOCKS and facts.choice_medical == "no":
        return ClockState.DECLINED, _("She declined medical care.")
    if key in EVIDENCE_CLOCKS and facts.choice_evidence == "no":
        return ClockState.DECLINED, _("She declined evidence collection.")
    if key == "fir" and facts.choice_police != "now" and facts.fir_at is None:
        return ClockState.DECLINED, _("She has not chosen to report to the police now.")
    return None


def _clock(rule: Rule, facts: CaseFacts, now: datetime, label: str) -> Clock:
    tag = str(rule.tag)
    outcome, done_at = _done(rule.key, facts)
    if outcome in (ClockState.DECLINED, ClockState.NOT_APPLICABLE):
        return Clock(rule.key, label, tag, outcome, None, None, False)
    skip = _not_applicable_reason(rule.key, facts) if outcome is None else None
    if skip is not None:
        return Clock(rule.key, label, tag, skip[0], None, None, False, skip[1])
    window = _anchor(rule, facts)
    if window is None:
        return Clock(rule.key, label, tag, ClockState.NOT_APPLICABLE, None, None, False, _("Not started yet."))
    span = timedelta(hours=rule.hours)
    if window.earliest is None or window.latest is None:
        # Unknown incident time: no deadline can be honest; act now.
        state = ClockState.MET if outcome == ClockState.MET else ClockState.OPEN
        return Clock(rule.key, label, tag, state, None, None, state == ClockState.OPEN, window.note)
    deadline = window.earliest + span
    surely_closed = window.latest + span
    if outcome == ClockState.MET:
        late = done_at is not None and done_at > surely_closed
        return Clock(
            rule.key, label, tag, ClockState.MISSED if late else ClockState.MET, deadline, None, False,
            _("Done after the window had closed.") if late else window.note,
        )  # fmt: skip
    if now > surely_closed:
        return Clock(rule.key, label, tag, ClockState.MISSED, deadline, deadline - now, False, window.note)
    left = deadline - now
    note = window.note
    if left.total_seconds() < 0:
        note = _("It may already have closed (the incident time is uncertain): act now.")
    warning = left <= timedelta(hours=rule.warn_hours)
    return Clock(rule.key, label, tag, ClockState.OPEN, deadline, left, warning, note)


_LATER_ANCHORS = {
    Anchor.FIR: "fir_at",
    Anchor.COGNIZANCE: "cognizance_at",
    Anchor.JUDGMENT: "judgment_at",
    Anchor.LEGAL_AID_APPLICATION: "legal_aid_applied_at",
}


def clocks_for(
    facts: CaseFacts,
    rules: Mapping[str, Rule],
    now: datetime,
    *,
    labels: Mapping[str, str] | None = None,
    live_only: bool = False,
) -> list[Clock]:
    """Every clock of the case, in display order. ``labels``: rule labels already translated.

    ``live_only`` leaves out clocks whose starting fact is not recorded yet (they can
    be neither open nor missed): the board needs only the clocks that can be.
    """
    clocks = []
    for key in CASE_CLOCKS:
        if live_only:
            fact = _LATER_ANCHORS.get(rules[key].anchor)
            if fact is not None and getattr(facts, fact) is None and key not in facts.resolutions:
                continue
        rule_key = "trial_child" if key == "trial" and facts.is_child else key
        rule = rules[rule_key]
        clock = _clock(rule, facts, now, labels[rule_key] if labels else str(rule.label))
        # A child's trial runs on its own rule but is still "the trial" clock.
        clocks.append(replace(clock, key=key) if rule_key != key else clock)
    return clocks


def most_urgent(clocks: list[Clock]) -> Clock | None:
    live = [c for c in clocks if c.state in (ClockState.OPEN, ClockState.MISSED)]
    return min(live, key=Clock.urgency) if live else None


@dataclass(frozen=True)
class DelayedPath:
    after_pep: bool
    after_ec: bool


def delayed_presentation(facts: CaseFacts, rules: Mapping[str, Rule]) -> DelayedPath | None:
    """She arrived after the PEP (72 h) or EC (120 h) window, even from the latest possible time."""
    latest = facts.incident_at if facts.incident_kind == "exact" else facts.incident_latest
    if facts.incident_kind == "unknown" or latest is None:
        return None
    since = facts.arrival_at - latest
    after_pep = since > timedelta(hours=rules["pep"].hours)
    after_ec = since > timedelta(hours=rules["ec"].hours)
    return DelayedPath(after_pep, after_ec) if after_pep or after_ec else None
