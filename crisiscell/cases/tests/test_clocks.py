"""Clock arithmetic: exact, approximate and unknown incident times, boundaries, every state."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crisiscell.cases.clocks import (
    INCIDENT_CLOCKS,
    CaseFacts,
    Clock,
    Resolution,
    Urgency,
    clocks_for,
    delayed_presentation,
    most_urgent,
)
from crisiscell.cases.deadlines import DEFAULTS, with_override

KARACHI = ZoneInfo("Asia/Karachi")
INCIDENT = datetime(2026, 3, 1, 22, 30, tzinfo=KARACHI)  # late evening in Karachi
ARRIVAL = INCIDENT + timedelta(hours=5)


def facts(**overrides) -> CaseFacts:
    values = {
        "arrival_at": ARRIVAL,
        "incident_kind": "exact",
        "incident_at": INCIDENT,
        "incident_earliest": None,
        "incident_latest": None,
        "sex": "female",
        "age_years": 24,
        "choice_medical": "yes",
        "choice_evidence": "collect",
        "choice_police": "now",
    }
    values.update(overrides)
    return CaseFacts(**values)


def clock(f: CaseFacts, key: str, now: datetime, rules=DEFAULTS):
    return next(c for c in clocks_for(f, rules, now) if c.key == key)


def test_pep_is_open_at_exactly_72_hours_and_missed_one_second_later():
    at_boundary = clock(facts(), "pep", INCIDENT + timedelta(hours=72))
    assert (at_boundary.state, at_boundary.time_left) == ("open", timedelta(0))
    assert at_boundary.warning
    assert clock(facts(), "pep", INCIDENT + timedelta(hours=72, seconds=1)).state == "missed"


def test_ec_is_open_at_exactly_120_hours_and_missed_after():
    assert clock(facts(), "ec", INCIDENT + timedelta(hours=120)).state == "open"
    assert clock(facts(), "ec", INCIDENT + timedelta(hours=120, seconds=1)).state == "missed"


def test_deadlines_are_real_instants_across_time_zones():
    """Stored in UTC, shown in Karachi: the deadline is the same instant either way."""
    c = clock(facts(incident_at=INCIDENT.astimezone(ZoneInfo("UTC"))), "pep", ARRIVAL)
    assert c.deadline == INCIDENT + timedelta(hours=72)
    assert c.deadline.astimezone(KARACHI).strftime("%Y-%m-%d %H:%M") == "2026-03-04 22:30"


def test_time_left_and_warning_window():
    now = INCIDENT + timedelta(hours=50)
    c = clock(facts(), "pep", now)
    assert c.time_left == timedelta(hours=22)
    assert not c.warning  # warned from 12 hours before
    assert clock(facts(), "pep", INCIDENT + timedelta(hours=61)).warning


def test_approximate_time_counts_from_the_earliest_but_misses_only_after_the_latest():
    f = facts(
        incident_kind="approximate",
        incident_at=None,
        incident_earliest=INCIDENT - timedelta(hours=10),
        incident_latest=INCIDENT,
    )
    c = clock(f, "pep", INCIDENT)
    assert c.deadline == INCIDENT - timedelta(hours=10) + timedelta(hours=72)
    assert "earliest" in c.note
    # Past the earliest-based deadline, but the window may still be open: act now, not "missed".
    maybe = clock(f, "pep", INCIDENT + timedelta(hours=66))
    assert maybe.state == "open"
    assert "may already have closed" in maybe.note
    assert clock(f, "pep", INCIDENT + timedelta(hours=72, seconds=1)).state == "missed"


def test_unknown_incident_time_has_no_deadline_and_says_act_now():
    c = clock(facts(incident_kind="unknown", incident_at=None), "ec", ARRIVAL)
    assert (c.state, c.deadline, c.warning) == ("open", None, True)
    assert "unknown" in c.note.lower()


def test_unknown_incident_time_is_missed_once_the_window_has_surely_closed():
    """The incident was before she came: 120 hours after arrival, emergency contraception is past for certain."""
    f = facts(incident_kind="unknown", incident_at=None)
    assert clock(f, "ec", ARRIVAL + timedelta(hours=120)).state == "open"
    closed = clock(f, "ec", ARRIVAL + timedelta(hours=120, seconds=1))
    assert (closed.state, closed.deadline, closed.warning) == ("missed", ARRIVAL + timedelta(hours=120), False)
    assert "closed" in closed.note
    assert clock(f, "pep", ARRIVAL + timedelta(hours=73)).state == "missed"


def test_arrival_clock_is_counted_from_arrival():
    c = clock(facts(), "mle", ARRIVAL + timedelta(hours=1))
    assert c.deadline == ARRIVAL + timedelta(hours=6)


def test_every_state():
    now = ARRIVAL + timedelta(hours=1)
    met = facts(resolutions={"ec": Resolution("met", INCIDENT + timedelta(hours=7))})
    assert clock(met, "ec", now).state == "met"
    late = facts(resolutions={"pep": Resolution("met", INCIDENT + timedelta(hours=80))})
    assert clock(late, "pep", INCIDENT + timedelta(hours=90)).state == "missed"
    assert clock(facts(choice_medical="no"), "pep", now).state == "declined"
    assert clock(facts(choice_evidence="no"), "swab_anal", now).state == "declined"
    assert clock(facts(sex="male", age_years=30), "ec", now).state == "n/a"
    assert clock(facts(), "interim_report", now).state == "n/a"  # no FIR yet
    assert clock(facts(), "pep", now).state == "open"
    assert clock(facts(), "pep", INCIDENT + timedelta(days=4)).state == "missed"
    declined = facts(resolutions={"swab_hvs": Resolution("declined", None)})
    assert clock(declined, "swab_hvs", now).state == "declined"


def test_fir_clock_follows_her_choice_and_the_fir_duty():
    now = ARRIVAL + timedelta(hours=2)
    assert clock(facts(choice_police="later"), "fir", now).state == "declined"
    done = facts(duties_closed_as={"fir": "done"}, duties_done={"fir": ARRIVAL + timedelta(hours=3)})
    assert clock(done, "fir", now).state == "met"


def test_justice_clocks_start_from_their_facts():
    fir_at = ARRIVAL + timedelta(days=1)
    f = facts(fir_at=fir_at, cognizance_at=fir_at + timedelta(days=30), age_years=15)
    now = fir_at + timedelta(days=2)
    assert clock(f, "interim_report", now).deadline == fir_at + timedelta(days=17)
    # A child's trial: three months, not four.
    assert clock(f, "trial", now).deadline == fir_at + timedelta(days=30 + 90)
    adult = facts(cognizance_at=fir_at, age_years=30)
    assert clock(adult, "trial", now).deadline == fir_at + timedelta(days=120)
    judged = facts(judgment_at=fir_at)
    assert clock(judged, "appeal", now).deadline == fir_at + timedelta(days=30)
    # The window closing unused: missed after an acquittal, the judgment final after a conviction.
    later = fir_at + timedelta(days=31)
    assert clock(judged, "appeal", later).state == "missed"
    assert clock(facts(judgment_at=fir_at, convicted=True), "appeal", later).state == "n/a"
    assert clock(facts(judgment_at=fir_at, convicted=True, appeal_at=later), "appeal", later).state == "missed"
    aid = facts(legal_aid_applied_at=fir_at)
    assert clock(aid, "legal_aid", now).deadline == fir_at + timedelta(days=7)


def test_a_rule_override_changes_the_deadline():
    rules = dict(DEFAULTS)
    rules["mle"] = with_override(DEFAULTS["mle"], 4, "Provincial circular (test)")
    c = clock(facts(), "mle", ARRIVAL, rules)
    assert c.deadline == ARRIVAL + timedelta(hours=4)


def test_delayed_presentation_uses_the_latest_possible_time():
    assert delayed_presentation(facts(arrival_at=INCIDENT + timedelta(hours=72)), DEFAULTS) is None
    after_pep = delayed_presentation(facts(arrival_at=INCIDENT + timedelta(hours=73)), DEFAULTS)
    assert (after_pep.after_pep, after_pep.after_ec) == (True, False)
    after_ec = delayed_presentation(facts(arrival_at=INCIDENT + timedelta(hours=121)), DEFAULTS)
    assert after_ec.after_ec
    unsure = facts(
        incident_kind="approximate", incident_earliest=INCIDENT - timedelta(days=4), incident_latest=INCIDENT,
        arrival_at=INCIDENT + timedelta(hours=10),
    )  # fmt: skip
    assert delayed_presentation(unsure, DEFAULTS) is None  # may still be inside: offer PEP


@given(st.integers(min_value=0, max_value=400 * 3600), st.sampled_from(["exact", "approximate", "unknown"]))
def test_most_urgent_is_closing_soon_then_overdue_then_open_then_closed(seconds_after_incident, kind):
    now = INCIDENT + timedelta(seconds=seconds_after_incident)
    f = facts(
        arrival_at=min(now, ARRIVAL),
        incident_kind=kind,
        incident_at=INCIDENT if kind == "exact" else None,
        incident_earliest=INCIDENT - timedelta(hours=30) if kind == "approximate" else None,
        incident_latest=INCIDENT if kind == "approximate" else None,
    )
    clocks = clocks_for(f, DEFAULTS, now)
    urgent = most_urgent(clocks)
    closing = [c for c in clocks if c.state == "open" and c.warning]
    overdue = [c for c in clocks if c.pending and c.key not in INCIDENT_CLOCKS]
    still_open = [c for c in clocks if c.state == "open"]
    closed = [c for c in clocks if c.pending and c.key in INCIDENT_CLOCKS]
    if closing:
        assert urgent in closing
        if urgent.deadline is not None:  # an unknown time (no deadline) comes first of all
            assert urgent.deadline == min(_deadlines(closing))
            assert len(_deadlines(closing)) == len(closing)
    elif overdue:
        assert urgent in overdue
        assert urgent.deadline == max(_deadlines(overdue))  # missed most recently
    elif still_open:
        assert urgent in still_open
        assert urgent.deadline == min(_deadlines(still_open))
    elif closed:
        assert urgent in closed
        assert urgent.deadline == max(_deadlines(closed))
    else:
        assert urgent is None


def _deadlines(clocks: list[Clock]) -> list[datetime]:
    return [c.deadline for c in clocks if c.deadline is not None]


def test_a_clock_met_late_is_missed_but_settled():
    late = clock(facts(resolutions={"pep": Resolution("met", INCIDENT + timedelta(hours=80))}), "pep", ARRIVAL)
    assert (late.state, late.pending, late.overdue, late.urgency()[0]) == ("missed", False, False, Urgency.SETTLED)
    assert most_urgent([late]) is None
    closed = clock(facts(), "pep", INCIDENT + timedelta(hours=80))  # a window: missed, not overdue
    assert (closed.state, closed.pending, closed.overdue, closed.urgency()[0]) == (
        "missed",
        True,
        False,
        Urgency.CLOSED,
    )
    target = clock(facts(), "mle", ARRIVAL + timedelta(hours=7))  # a target: its work is still due
    assert (target.state, target.overdue, target.urgency()[0]) == ("missed", True, Urgency.OVERDUE)


def test_the_windows_that_close_for_good_are_the_rules_counted_from_the_incident():
    assert {key for key, rule in DEFAULTS.items() if rule.anchor == "incident"} == INCIDENT_CLOCKS


@pytest.mark.parametrize("key", list(DEFAULTS))
def test_every_rule_has_a_source_and_a_known_tag(key):
    rule = DEFAULTS[key]
    assert rule.source
    assert rule.tag in {"law", "policy", "clinical", "verify"}
    assert 0 < rule.warn_hours < rule.hours
