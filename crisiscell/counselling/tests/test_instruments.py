"""Scoring of PHQ-9, GAD-7 and PCL-5 against worked examples, band boundaries and the item-9 rule."""

from __future__ import annotations

import pytest
from django.test import override_settings

from crisiscell.counselling.instruments import PCL5_PROVISIONAL_CUTOFF, definition, pcl5_cutoff, score


def _phq9(total: int, item9: int = 0) -> list[int]:
    """Nine answers adding up to ``total``, with item 9 as given."""
    answers = [0] * 8 + [item9]
    remaining = total - item9
    for i in range(8):
        answers[i] = min(3, remaining)
        remaining -= answers[i]
    assert remaining == 0
    return answers


def _spread(total: int, items: int, top: int) -> list[int]:
    answers = []
    for _ in range(items):
        answers.append(min(top, total))
        total -= answers[-1]
    assert total == 0
    return answers


# --- PHQ-9: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe ---------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"), (4, "minimal"),
        (5, "mild"), (9, "mild"),
        (10, "moderate"), (14, "moderate"),
        (15, "moderately_severe"), (19, "moderately_severe"),
        (20, "severe"), (27, "severe"),
    ],
)  # fmt: skip
def test_phq9_bands_at_every_boundary(total, band):
    # Above 24 the first eight items are full and item 9 carries the rest.
    result = score("phq9", _phq9(total, item9=max(0, total - 24)))
    assert (result.total, result.band.key) == (total, band)


def test_phq9_worked_example():
    # Given a survivor who answers: several days (1) to items 1-2, more than half the days (2)
    # to items 3-4, nearly every day (3) to item 5, not at all (0) to items 6-9
    answers = [1, 1, 2, 2, 3, 0, 0, 0, 0]
    # When the PHQ-9 is scored
    result = score("phq9", answers)
    # Then the total is 9, mild, and no risk assessment is owed
    assert result.total == 9
    assert result.band.key == "mild"
    assert result.self_harm_item == 0
    assert not result.needs_risk_assessment


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_zero_needs_a_risk_assessment_whatever_the_total(item9):
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, item9])
    assert result.total == item9
    assert result.band.key == "minimal"
    assert result.needs_risk_assessment


def test_only_item9_counts_for_the_self_harm_rule():
    # Item 8 (restlessness) at its maximum is not item 9.
    assert not score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).needs_risk_assessment


# --- GAD-7: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe ----------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "severe"), (21, "severe")],
)  # fmt: skip
def test_gad7_bands_at_every_boundary(total, band):
    result = score("gad7", _spread(total, 7, 3))
    assert (result.total, result.band.key) == (total, band)
    assert result.self_harm_item is None
    assert not result.needs_risk_assessment


def test_gad7_worked_example():
    # Nervous nearly every day (3), cannot stop worrying more than half the days (2), the rest several days (1)
    result = score("gad7", [3, 2, 1, 1, 1, 1, 1])
    assert result.total == 10
    assert result.band.key == "moderate"


# --- PCL-5: 20 items 0-4, total 0-80, provisional cut-off 33 (VA: 31-33) -------------------------


def test_pcl5_has_twenty_items_scored_zero_to_four():
    spec = definition("pcl5")
    assert len(spec.items) == 20
    assert spec.max_item == 4
    assert spec.max_total == 80


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "below_cutoff"), (32, "below_cutoff"), (33, "probable_ptsd"), (80, "probable_ptsd")],
)
def test_pcl5_provisional_cutoff(total, band):
    assert PCL5_PROVISIONAL_CUTOFF == 33
    result = score("pcl5", _spread(total, 20, 4))
    assert (result.total, result.band.key) == (total, band)


def test_pcl5_worked_example():
    # "Moderately" (2) to the first ten items, "a little bit" (1) to the other ten: 30, below 33
    result = score("pcl5", [2] * 10 + [1] * 10)
    assert result.total == 30
    assert result.band.key == "below_cutoff"


def test_pcl5_cutoff_is_configurable():
    with override_settings(CRISISCELL_PCL5_CUTOFF=31):
        assert pcl5_cutoff() == 31
        assert score("pcl5", _spread(31, 20, 4)).band.key == "probable_ptsd"
        assert score("pcl5", _spread(30, 20, 4)).band.key == "below_cutoff"
    assert score("pcl5", _spread(31, 20, 4)).band.key == "below_cutoff"


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [
        ("phq9", [0] * 8),  # one item short
        ("phq9", [0] * 8 + [4]),  # 4 is not an answer
        ("gad7", [0] * 6 + [-1]),
        ("pcl5", [0] * 19 + [5]),
        ("gad7", [0] * 6 + [True]),  # booleans are not scores
    ],
)
def test_bad_answers_are_refused(instrument, answers):
    with pytest.raises(ValueError, match=r"items|whole number"):
        score(instrument, answers)


def test_every_band_table_covers_the_whole_range_without_gaps():
    for instrument in ("phq9", "gad7", "pcl5"):
        spec = definition(instrument)
        covered = [n for band in spec.bands for n in range(band.low, band.high + 1)]
        assert covered == list(range(spec.max_total + 1)), instrument
