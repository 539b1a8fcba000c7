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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

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


class Resolution(NamedTuple):
    state: str
    done_at: datetime | None


@dataclass(slots=True)
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


class Clock(NamedTuple):
    """One deadline of one case. A named tuple: the board builds thousands per request."""

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


class Window(NamedTuple):
    """Where a window opens (the anchor) for the earliest and latest possible anchor times."""

    earliest: datetime | None
    latest: datetime | None
    note: str | Promise = ""


def _window(step: _Step, facts: CaseFacts) -> Window | None:
    """None when the fact the rule counts from is not recorded yet (the clock does not apply yet)."""
    if step.from_incident:
        if facts.incident_kind == "exact" and facts.incident_at is not None:
            return Window(facts.incident_at, facts.incident_at)
        if facts.incident_kind == "approximate" and facts.incident_earliest and facts.incident_latest:
            return Window(facts.incident_earliest, facts.incident_latest, _NOTE_APPROXIMATE)
        return _UNKNOWN_INCIDENT
    at = getattr(facts, step.anchor_fact or "")
    return Window(at, at) if at is not None else None


_ANCHOR_FACTS = {
    Anchor.ARRIVAL: "arrival_at",
    Anchor.FIR: "fir_at",
    Anchor.COGNIZANCE: "cognizance_at",
    Anchor.JUDGMENT: "judgment_at",
    Anchor.LEGAL_AID_APPLICATION: "legal_aid_applied_at",
}
_NOTE_APPROXIMATE = _("Approximate incident time: counted from the earliest possible time.")
_UNKNOWN_INCIDENT = Window(None, None, _("Incident time unknown: give it now; the window may already have closed."))
# The clocks a completed duty stops, and the justice milestones that meet a clock.
_DUTY_FOR = {"mle": "mle", "fir": "fir"}
_MILESTONES = {
    "interim_report": "interim_report_at",
    "trial": "trial_concluded_at",
    "trial_child": "trial_concluded_at",
    "appeal": "appeal_at",
    "legal_aid": "legal_aid_decided_at",
}


def _done(key: str, facts: CaseFacts) -> tuple[str | None, datetime | None]:
    """The recorded outcome of a clock: met (with when), declined, not applicable, or nothing yet."""
    resolution = facts.resolutions.get(key)
    if resolution is not None:
        return resolution.state, resolution.done_at
    kind = _DUTY_FOR.get(key)
    if kind is not None:
        closed_as = facts.duties_closed_as.get(kind)
        if closed_as == "done":
            return ClockState.MET, facts.duties_done.get(kind)
        if closed_as == "declined":
            return ClockState.DECLINED, None
        if closed_as == "n/a":
            return ClockState.NOT_APPLICABLE, None
    milestone = _MILESTONES.get(key)
    at = getattr(facts, milestone) if milestone else None
    if at is not None:
        return ClockState.MET, at
    return None, None


# Notes shown with a clock (lazy: translated when shown), made once rather than per clock.
_NOTE_MALE = _("Not applicable to a male survivor.")
_NOTE_DECLINED_MEDICAL = _("She declined medical care.")
_NOTE_DECLINED_EVIDENCE = _("She declined evidence collection.")
_NOTE_NO_POLICE = _("She has not chosen to report to the police now.")
_NOTE_NOT_STARTED = _("Not started yet.")
_NOTE_LATE = _("Done after the window had closed.")
_NOTE_MAY_HAVE_CLOSED = _("It may already have closed (the incident time is uncertain): act now.")


def _not_applicable_reason(key: str, facts: CaseFacts) -> tuple[str, str | Promise] | None:
    """(state, note) when the clock does not apply to her or she declined what it times."""
    if key in FEMALE_ONLY and facts.sex == "male":
        return ClockState.NOT_APPLICABLE, _NOTE_MALE
    if key in MEDICAL_CLOCKS and facts.choice_medical == "no":
        return ClockState.DECLINED, _NOTE_DECLINED_MEDICAL
    if key in EVIDENCE_CLOCKS and facts.choice_evidence == "no":
        return ClockState.DECLINED, _NOTE_DECLINED_EVIDENCE
    if key == "fir" and facts.choice_police != "now" and facts.fir_at is None:
        return ClockState.DECLINED, _NOTE_NO_POLICE
    return None


class _Step(NamedTuple):
    """One clock's rule with everything derived from it once per request, not once per case."""

    key: str  # the clock's key (a child's trial runs on its own rule but is still "trial")
    rule_key: str
    label: str
    tag: str
    span: timedelta
    warn: timedelta
    from_incident: bool
    anchor_fact: str | None  # the CaseFacts field the window counts from (None: the incident)
    later: bool  # counted from a later fact (FIR, cognizance, judgment, legal-aid application)


# Anchors recorded after intake (their fact field is in _ANCHOR_FACTS).
_LATER_ANCHORS = frozenset({Anchor.FIR, Anchor.COGNIZANCE, Anchor.JUDGMENT, Anchor.LEGAL_AID_APPLICATION})


class ClockPlan:
    """The rules in force prepared once, so that many cases' clocks are computed cheaply.

    The board computes the clocks of hundreds of cases per request; everything that
    depends on the rules alone (spans, labels, tags, anchors) is worked out here.
    """

    def __init__(self, rules: Mapping[str, Rule], labels: Mapping[str, str] | None = None) -> None:
        def step(key: str, rule_key: str) -> _Step:
            rule = rules[rule_key]
            return _Step(
                key, rule_key, labels[rule_key] if labels else str(rule.label), str(rule.tag),
                timedelta(hours=rule.hours), timedelta(hours=rule.warn_hours), rule.anchor == Anchor.INCIDENT,
                _ANCHOR_FACTS.get(rule.anchor), rule.anchor in _LATER_ANCHORS,
            )  # fmt: skip

        self.adult = [step(key, key) for key in CASE_CLOCKS]
        self.child = [step(key, "trial_child" if key == "trial" else key) for key in CASE_CLOCKS]

    def clocks(self, facts: CaseFacts, now: datetime, *, live_only: bool = False) -> list[Clock]:
        clocks = []
        for step in self.child if facts.is_child else self.adult:
            if (
                live_only
                and step.later
                and getattr(facts, step.anchor_fact or "") is None
                and step.key not in facts.resolutions
            ):
                continue
            clocks.append(_clock(step, facts, now))
        return clocks


def _clock(step: _Step, facts: CaseFacts, now: datetime) -> Clock:
    key, label, tag = step.key, step.label, step.tag
    outcome, done_at = _done(step.rule_key, facts)
    if outcome in (ClockState.DECLINED, ClockState.NOT_APPLICABLE):
        return Clock(key, label, tag, outcome, None, None, False)
    skip = _not_applicable_reason(step.rule_key, facts) if outcome is None else None
    if skip is not None:
        return Clock(key, label, tag, skip[0], None, None, False, skip[1])
    window = _window(step, facts)
    if window is None:
        return Clock(key, label, tag, ClockState.NOT_APPLICABLE, None, None, False, _NOTE_NOT_STARTED)
    if window.earliest is None or window.latest is None:
        # Unknown incident time: no deadline can be honest; act now.
        state = ClockState.MET if outcome == ClockState.MET else ClockState.OPEN
        return Clock(key, label, tag, state, None, None, state == ClockState.OPEN, window.note)
    deadline = window.earliest + step.span
    surely_closed = window.latest + step.span
    if outcome == ClockState.MET:
        late = done_at is not None and done_at > surely_closed
        return Clock(
            key, label, tag, ClockState.MISSED if late else ClockState.MET, deadline, None, False,
            _NOTE_LATE if late else window.note,
        )  # fmt: skip
    if now > surely_closed:
        return Clock(key, label, tag, ClockState.MISSED, deadline, deadline - now, False, window.note)
    left = deadline - now
    note = window.note
    if left < _ZERO:
        note = _NOTE_MAY_HAVE_CLOSED
    return Clock(key, label, tag, ClockState.OPEN, deadline, left, left <= step.warn, note)


_ZERO = timedelta(0)


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
    be neither open nor missed): the board needs only the clocks that can be. For
    many cases at once, make one ``ClockPlan`` and ask it for each case.
    """
    return ClockPlan(rules, labels).clocks(facts, now, live_only=live_only)


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
