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
from enum import IntEnum
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.deadlines import Anchor, Rule
from crisiscell.cases.models import ClockState

# The clocks a case shows, in display order; follow-ups are tasks with their own clocks.
CASE_CLOCKS = ("mle", "ec", "pep", "swab_hvs", "swab_anal", "swab_oral", "urine", "hep_b", "fir",
               "interim_report", "trial", "appeal", "legal_aid")  # fmt: skip
# Windows counted from the incident close for good: nothing done later reopens them (no
# PEP after 72 h). The other clocks are targets: missed, their work is still due.
INCIDENT_CLOCKS = frozenset({"ec", "pep", "swab_hvs", "swab_anal", "swab_oral", "urine", "hep_b"})
MEDICAL_CLOCKS = {"ec", "pep", "hep_b"}
EVIDENCE_CLOCKS = {"swab_hvs", "swab_anal", "swab_oral", "urine"}
FEMALE_ONLY = {"ec", "swab_hvs"}


class Urgency(IntEnum):
    """The board's order of clocks, most urgent first: what can still be saved comes before
    what is already late, and a window that has closed for good sinks below open work."""

    CLOSING = 0  # open and inside its warning window, or the incident time unknown: act now
    OVERDUE = 1  # a target passed and its work still due (the examination, the FIR, a report)
    OPEN = 2  # open, not yet in its warning window
    CLOSED = 3  # a window from the incident that closed with nothing recorded
    SETTLED = 4  # met (even late), declined, not applicable


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
    convicted: bool = False  # the judgment convicted: its appeal would be the accused's
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
    # Missed and still not done: how long ago the window surely closed. For an approximate
    # incident time that is from its latest possible time, later than ``deadline``.
    closed_for: timedelta | None = None

    @property
    def is_open(self) -> bool:
        return self.state == ClockState.OPEN

    def urgency(self) -> tuple[int, timedelta]:
        """Sort key, most urgent first: the tier (``Urgency``), then the time left within it.

        Closing soon and open clocks with the least time left first; overdue targets and
        closed windows with the most recent deadline first (missed an hour ago, when she
        may still be in the cell, before missed last month). Times left are all counted
        from the same moment, so they order like the deadlines.
        """
        state, left = self.state, self.time_left
        if state == _OPEN:
            if left is None:
                return (Urgency.CLOSING, _FIRST)  # incident time unknown: act now
            return (Urgency.CLOSING if self.warning else Urgency.OPEN, left)
        if state == _MISSED and left is not None:  # not done late
            return (Urgency.CLOSED if self.key in INCIDENT_CLOCKS else Urgency.OVERDUE, -left)
        return (Urgency.SETTLED, _ZERO)

    @property
    def pending(self) -> bool:
        """Missed and still not done (a clock met late is missed but settled)."""
        return self.state == _MISSED and self.time_left is not None

    @property
    def overdue(self) -> bool:
        """A target passed with its work still due. A window from the incident that closed is
        missed, not overdue: nothing done now reopens it."""
        return self.pending and self.key not in INCIDENT_CLOCKS


class Window(NamedTuple):
    """Where a window opens (the anchor) for the earliest and latest possible anchor times."""

    earliest: datetime | None
    latest: datetime | None
    note: str | Promise = ""


def _incident_window(facts: CaseFacts) -> Window:
    """Where the incident windows open: one for all of a case's incident clocks."""
    if facts.incident_kind == "exact" and facts.incident_at is not None:
        return Window(facts.incident_at, facts.incident_at)
    if facts.incident_kind == "approximate" and facts.incident_earliest and facts.incident_latest:
        return Window(facts.incident_earliest, facts.incident_latest, _NOTE_APPROXIMATE)
    # Unknown: it may have been long ago, but not after the cell learned of it.
    return Window(None, facts.arrival_at, _NOTE_UNKNOWN)


_ANCHOR_FACTS = {
    Anchor.ARRIVAL: "arrival_at",
    Anchor.FIR: "fir_at",
    Anchor.COGNIZANCE: "cognizance_at",
    Anchor.JUDGMENT: "judgment_at",
    Anchor.LEGAL_AID_APPLICATION: "legal_aid_applied_at",
}
_NOTE_APPROXIMATE = _("Approximate incident time: counted from the earliest possible time.")
_NOTE_UNKNOWN = _("Incident time unknown: give it now; the window may already have closed.")
_NOTE_UNKNOWN_CLOSED = _("Incident time unknown: the window has closed by now in any case.")
# The clocks a completed duty stops, and the justice milestones that meet a clock.
_DUTY_FOR = {"mle": "mle", "fir": "fir"}
_MILESTONES = {
    "interim_report": "interim_report_at",
    "trial": "trial_concluded_at",
    "trial_child": "trial_concluded_at",
    "appeal": "appeal_at",
    "legal_aid": "legal_aid_decided_at",
}

# Notes shown with a clock (lazy: translated when shown), made once rather than per clock.
_NOTE_MALE = _("Not applicable to a male survivor.")
_NOTE_DECLINED_MEDICAL = _("She declined medical care.")
_NOTE_DECLINED_EVIDENCE = _("She declined evidence collection.")
_NOTE_NO_POLICE = _("She has not chosen to report to the police now.")
_NOTE_NOT_STARTED = _("Not started yet.")
_NOTE_LATE = _("Done after the window had closed.")
_NOTE_FINAL = _("Convicted, and no appeal was filed within 30 days: the judgment is final.")
_NOTE_MAY_HAVE_CLOSED = _("It may already have closed (the incident time is uncertain): act now.")


class _Step(NamedTuple):
    """One clock's rule with everything derived from it once per request, not once per case."""

    key: str  # the clock's key (a child's trial runs on its own rule but is still "trial")
    rule_key: str
    label: str
    tag: str
    span: timedelta
    warn: timedelta
    from_incident: bool
    anchor_fact: str  # the CaseFacts field the window counts from ("" for the incident)
    later: bool  # counted from a later fact (FIR, cognizance, judgment, legal-aid application)
    duty: str  # the duty whose completion stops it ("" if none)
    milestone: str  # the justice milestone that meets it ("" if none)
    female_only: bool
    medical: bool  # declined with medical care
    evidence: bool  # declined with evidence collection
    police: bool  # declined while she has not chosen to report now
    final_if_convicted: bool  # closing unused after a conviction makes the judgment final, not missed


# Anchors recorded after intake (their fact field is in _ANCHOR_FACTS).
_LATER_ANCHORS = frozenset({Anchor.FIR, Anchor.COGNIZANCE, Anchor.JUDGMENT, Anchor.LEGAL_AID_APPLICATION})
_OPEN, _MISSED, _MET = ClockState.OPEN.value, ClockState.MISSED.value, ClockState.MET.value
_DECLINED, _NOT_APPLICABLE = ClockState.DECLINED.value, ClockState.NOT_APPLICABLE.value
_make_clock = tuple.__new__  # Clock with every field given, without the generated __new__'s defaults


class ClockPlan:
    """The rules in force prepared once, so that many cases' clocks are computed cheaply.

    The board computes the clocks of hundreds of cases per request; everything that
    depends on the rules alone (spans, labels, tags, anchors, which duty or milestone
    stops a clock, when it does not apply) is worked out here, and the incident
    window once per case.
    """

    def __init__(self, rules: Mapping[str, Rule], labels: Mapping[str, str] | None = None) -> None:
        def step(key: str, rule_key: str) -> _Step:
            rule = rules[rule_key]
            return _Step(
                key, rule_key, labels[rule_key] if labels else str(rule.label), str(rule.tag),
                timedelta(hours=rule.hours), timedelta(hours=rule.warn_hours), rule.anchor == Anchor.INCIDENT,
                _ANCHOR_FACTS.get(rule.anchor, ""), rule.anchor in _LATER_ANCHORS,
                _DUTY_FOR.get(rule_key, ""), _MILESTONES.get(rule_key, ""), rule_key in FEMALE_ONLY,
                rule_key in MEDICAL_CLOCKS, rule_key in EVIDENCE_CLOCKS, rule_key == "fir", rule_key == "appeal",
            )  # fmt: skip

        self.adult = [step(key, key) for key in CASE_CLOCKS]
        self.child = [step(key, "trial_child" if key == "trial" else key) for key in CASE_CLOCKS]
        self._pep, self._ec = timedelta(hours=rules["pep"].hours), timedelta(hours=rules["ec"].hours)

    def delayed(self, facts: CaseFacts) -> DelayedPath | None:
        """``delayed_presentation`` with the rules' windows already worked out."""
        return _delayed(facts, self._pep, self._ec)

    def clocks(self, facts: CaseFacts, now: datetime, *, live_only: bool = False) -> list[Clock]:
        clocks = []
        incident = _incident_window(facts)
        resolutions = facts.resolutions
        for step in self.child if facts.is_child else self.adult:
            if live_only and step.later and getattr(facts, step.anchor_fact) is None and step.key not in resolutions:
                continue
            clocks.append(_clock(step, facts, now, incident))
        return clocks


def _outcome(step: _Step, facts: CaseFacts) -> tuple[str | None, datetime | None]:
    """The recorded outcome of a clock: met (with when), declined, not applicable, or nothing yet."""
    resolution = facts.resolutions.get(step.rule_key)
    if resolution is not None:
        return resolution.state, resolution.done_at
    if step.duty:
        closed_as = facts.duties_closed_as.get(step.duty)
        if closed_as == "done":
            return _MET, facts.duties_done.get(step.duty)
        if closed_as == "declined":
            return _DECLINED, None
        if closed_as == "n/a":
            return _NOT_APPLICABLE, None
    if step.milestone:
        at = getattr(facts, step.milestone)
        if at is not None:
            return _MET, at
    return None, None


def _not_applicable(step: _Step, facts: CaseFacts) -> tuple[str, str | Promise] | None:
    """(state, note) when the clock does not apply to her or she declined what it times."""
    if step.female_only and facts.sex == "male":
        return _NOT_APPLICABLE, _NOTE_MALE
    if step.medical and facts.choice_medical == "no":
        return _DECLINED, _NOTE_DECLINED_MEDICAL
    if step.evidence and facts.choice_evidence == "no":
        return _DECLINED, _NOTE_DECLINED_EVIDENCE
    if step.police and facts.choice_police != "now" and facts.fir_at is None:
        return _DECLINED, _NOTE_NO_POLICE
    return None


def _clock(step: _Step, facts: CaseFacts, now: datetime, incident: Window) -> Clock:
    key, label, tag = step.key, step.label, step.tag
    outcome, done_at = _outcome(step, facts)
    if outcome in (_DECLINED, _NOT_APPLICABLE):
        return _make_clock(Clock, (key, label, tag, outcome, None, None, False, "", None))
    if outcome is None:
        skip = _not_applicable(step, facts)
        if skip is not None:
            return _make_clock(Clock, (key, label, tag, skip[0], None, None, False, skip[1], None))
    if step.from_incident:
        earliest, latest, note = incident
    else:
        earliest = latest = getattr(facts, step.anchor_fact)
        note = ""
        if earliest is None:  # the fact it counts from is not recorded yet
            return _make_clock(Clock, (key, label, tag, _NOT_APPLICABLE, None, None, False, _NOTE_NOT_STARTED, None))
    if earliest is None or latest is None:
        # Unknown incident time: no deadline can be honest; act now, until the window
        # has surely closed even for an incident just before she came.
        if outcome == _MET:
            return _make_clock(Clock, (key, label, tag, _MET, None, None, False, note, None))
        if latest is not None and now > latest + step.span:
            closed = latest + step.span
            return _make_clock(
                Clock, (key, label, tag, _MISSED, closed, closed - now, False, _NOTE_UNKNOWN_CLOSED, now - closed)
            )
        return _make_clock(Clock, (key, label, tag, _OPEN, None, None, True, note, None))
    deadline = earliest + step.span
    surely_closed = latest + step.span
    if outcome == _MET:
        late = done_at is not None and done_at > surely_closed
        return _make_clock(
            Clock,
            (key, label, tag, _MISSED if late else _MET, deadline, None, False, _NOTE_LATE if late else note, None),
        )
    if now > surely_closed:
        if step.final_if_convicted and facts.convicted:
            # An appeal after a conviction would be the accused's: its window closing unused
            # makes the conviction final, which is nothing the cell missed.
            return _make_clock(Clock, (key, label, tag, _NOT_APPLICABLE, None, None, False, _NOTE_FINAL, None))
        return _make_clock(
            Clock, (key, label, tag, _MISSED, deadline, deadline - now, False, note, now - surely_closed)
        )
    left = deadline - now
    if left < _ZERO:
        note = _NOTE_MAY_HAVE_CLOSED
    return _make_clock(Clock, (key, label, tag, _OPEN, deadline, left, left <= step.warn, note, None))


_ZERO = timedelta(0)
_FIRST = timedelta.min


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
    """The clock to act on first, by ``Clock.urgency``; None when every clock is settled."""
    # Open, or missed and not done (``Clock.pending`` written out: the board asks this 4,500 times).
    live = [c for c in clocks if c.state == _OPEN or (c.state == _MISSED and c.time_left is not None)]
    return min(live, key=Clock.urgency) if live else None


@dataclass(frozen=True)
class DelayedPath:
    after_pep: bool
    after_ec: bool


def delayed_presentation(facts: CaseFacts, rules: Mapping[str, Rule]) -> DelayedPath | None:
    """She arrived after the PEP (72 h) or EC (120 h) window, even from the latest possible time."""
    return _delayed(facts, timedelta(hours=rules["pep"].hours), timedelta(hours=rules["ec"].hours))


def _delayed(facts: CaseFacts, pep: timedelta, ec: timedelta) -> DelayedPath | None:
    latest = facts.incident_at if facts.incident_kind == "exact" else facts.incident_latest
    if facts.incident_kind == "unknown" or latest is None:
        return None
    since = facts.arrival_at - latest
    after_pep, after_ec = since > pep, since > ec
    return DelayedPath(after_pep, after_ec) if after_pep or after_ec else None
