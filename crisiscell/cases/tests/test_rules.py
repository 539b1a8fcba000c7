"""GBVIMS classification order, case contexts, ARITA, and who may consent for a child."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crisiscell.cases import rules

ORDER = ["rape", "sexual_assault", "physical_assault", "forced_marriage", "denial", "psychological"]
FIELDS = ["penetration", "sexual_contact", "physical_assault", "forced_marriage", "denial_of_resources",
          "psychological_abuse"]  # fmt: skip


@pytest.mark.parametrize("answers", list(itertools.product([False, True], repeat=6)))
def test_gbv_type_is_the_first_yes_in_decision_order(answers):
    result = rules.gbv_type(rules.GbvAnswers(**dict(zip(FIELDS, answers, strict=True))))
    expected = next((kind for kind, yes in zip(ORDER, answers, strict=True) if yes), "non_gbv")
    assert result == expected


def test_rape_wins_over_everything():
    assert rules.gbv_type(rules.GbvAnswers(*([True] * 6))) == "rape"


def test_contexts():
    assert rules.case_contexts(
        gbv="rape", age_years=15, relationships=["husband"], transactional=False, held_captive=False,
        harmful_practice=False,
    ) == ["ipv", "csa"]  # fmt: skip
    assert rules.case_contexts(
        gbv="forced_marriage", age_years=14, relationships=[], transactional=False, held_captive=False,
        harmful_practice=True,
    ) == ["early_marriage", "harmful_practice"]  # fmt: skip
    assert rules.case_contexts(
        gbv="sexual_assault", age_years=30, relationships=["stranger"], transactional=True, held_captive=True,
        harmful_practice=False,
    ) == ["exploitation", "slavery"]  # fmt: skip
    assert rules.case_contexts(
        gbv="physical_assault", age_years=None, relationships=[], transactional=True, held_captive=False,
        harmful_practice=False,
    ) == []  # fmt: skip


@pytest.mark.parametrize(
    ("sex", "age", "applies"),
    [("female", 30, True), ("female", None, True), ("male", 17, True), ("male", 18, False),
     ("transgender", 12, True), ("transgender", 25, False), ("male", None, False)],
)  # fmt: skip
def test_arita_applies_to_women_and_children(sex, age, applies):
    assert rules.arita_applies(sex, age) is applies


@given(st.integers(min_value=18, max_value=110))
def test_adults_consent_only_for_themselves(age):
    rules.check_consent_giver(
        age_years=age,
        given_by="survivor",
        guardian_is_alleged_perpetrator=False,
        child_assent="n/a",
    )
    with pytest.raises(rules.ConsentNotValid):
        rules.check_consent_giver(
            age_years=age,
            given_by="guardian",
            guardian_is_alleged_perpetrator=False,
            child_assent="n/a",
        )


@given(st.integers(min_value=0, max_value=11))
def test_under_twelve_a_guardian_consents(age):
    with pytest.raises(rules.ConsentNotValid):
        rules.check_consent_giver(
            age_years=age,
            given_by="survivor",
            guardian_is_alleged_perpetrator=False,
            child_assent="not_able",
        )
    rules.check_consent_giver(
        age_years=age,
        given_by="guardian",
        guardian_is_alleged_perpetrator=False,
        child_assent="not_able",
    )
    rules.check_consent_giver(
        age_years=age,
        given_by="authority",
        guardian_is_alleged_perpetrator=False,
        child_assent="yes",
    )
    with pytest.raises(rules.ConsentNotValid):  # the child's view must be recorded, even "too young"
        rules.check_consent_giver(
            age_years=age,
            given_by="guardian",
            guardian_is_alleged_perpetrator=False,
            child_assent="n/a",
        )


@given(st.integers(min_value=12, max_value=17))
def test_twelve_to_seventeen_needs_guardian_and_the_childs_own_assent(age):
    rules.check_consent_giver(
        age_years=age,
        given_by="guardian",
        guardian_is_alleged_perpetrator=False,
        child_assent="yes",
    )
    for assent in ("n/a", "not_able"):
        with pytest.raises(rules.ConsentNotValid):
            rules.check_consent_giver(
                age_years=age,
                given_by="guardian",
                guardian_is_alleged_perpetrator=False,
                child_assent=assent,
            )
    with pytest.raises(rules.ConsentNotValid, match="refused"):
        rules.check_consent_giver(
            age_years=age,
            given_by="guardian",
            guardian_is_alleged_perpetrator=False,
            child_assent="no",
        )
    # Her refusal, given with her guardian, is recorded as a refusal.
    rules.check_consent_giver(
        age_years=age,
        given_by="guardian",
        guardian_is_alleged_perpetrator=False,
        child_assent="no",
        decision="refused",
    )


@given(st.integers(min_value=0, max_value=17))
def test_a_guardian_who_is_an_alleged_perpetrator_never_consents(age):
    with pytest.raises(rules.ConsentNotValid, match="alleged perpetrator"):
        rules.check_consent_giver(
            age_years=age,
            given_by="guardian",
            guardian_is_alleged_perpetrator=True,
            child_assent="yes",
        )
