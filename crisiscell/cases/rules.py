"""The rules an intake applies: GBVIMS classification, ARITA, and who may consent for a child.

Pure functions over recorded facts, so they are easy to test and the same answer
comes back on every read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from crisiscell.cases.models import CaseContext, ChildAssent, ConsentDecision, ConsentGiver, GbvType

ADULT_AGE = 18
# Under this age a guardian (or an authority) must consent; from it, the child's own
# assent is recorded too. Domain section 8 tags this [verify]; it is one constant here.
GUARDIAN_ONLY_BELOW_AGE = 12

INTIMATE = {"husband", "former_partner"}


@dataclass(frozen=True)
class GbvAnswers:
    penetration: bool = False
    sexual_contact: bool = False
    physical_assault: bool = False
    forced_marriage: bool = False
    denial_of_resources: bool = False
    psychological_abuse: bool = False


def gbv_type(answers: GbvAnswers) -> str:
    """Exactly one GBVIMS type: the first "yes" in the GBVIMS decision order."""
    order = [
        (answers.penetration, GbvType.RAPE),
        (answers.sexual_contact, GbvType.SEXUAL_ASSAULT),
        (answers.physical_assault, GbvType.PHYSICAL_ASSAULT),
        (answers.forced_marriage, GbvType.FORCED_MARRIAGE),
        (answers.denial_of_resources, GbvType.DENIAL),
        (answers.psychological_abuse, GbvType.PSYCHOLOGICAL),
    ]
    for answered_yes, kind in order:
        if answered_yes:
            return kind.value
    return GbvType.NON_GBV.value


def case_contexts(
    *,
    gbv: str,
    age_years: int | None,
    relationships: Iterable[str],
    transactional: bool,
    held_captive: bool,
    harmful_practice: bool,
) -> list[str]:
    """The GBVIMS case contexts, derived separately from the type."""
    sexual = gbv in {GbvType.RAPE, GbvType.SEXUAL_ASSAULT}
    child = age_years is not None and age_years < ADULT_AGE
    contexts = []
    if set(relationships) & INTIMATE:
        contexts.append(CaseContext.IPV.value)
    if child and sexual:
        contexts.append(CaseContext.CSA.value)
    if child and gbv == GbvType.FORCED_MARRIAGE:
        contexts.append(CaseContext.EARLY_MARRIAGE.value)
    if transactional and sexual:
        contexts.append(CaseContext.EXPLOITATION.value)
    if held_captive and sexual:
        contexts.append(CaseContext.SLAVERY.value)
    if harmful_practice:
        contexts.append(CaseContext.HARMFUL_PRACTICE.value)
    return contexts


def arita_applies(sex: str, age_years: int | None) -> bool:
    return sex == "female" or (age_years is not None and age_years < ADULT_AGE)


class ConsentNotValid(ValueError):
    """A consent that the rules do not accept; the message says why, in plain words."""


def check_consent_giver(
    *,
    age_years: int | None,
    given_by: str,
    guardian_is_alleged_perpetrator: bool,
    child_assent: str,
    decision: str = ConsentDecision.GIVEN,
) -> None:
    """Raise ``ConsentNotValid`` if this person cannot give consent for this survivor.

    Adults consent for themselves. Under 12, a guardian or an authority consents.
    From 12 to 17, a guardian or authority consents and the child's own view is
    recorded. A guardian who is an alleged perpetrator can never consent.
    """
    child = age_years is not None and age_years < ADULT_AGE
    if given_by == ConsentGiver.GUARDIAN and guardian_is_alleged_perpetrator:
        raise ConsentNotValid(
            _("A guardian who is an alleged perpetrator cannot consent. The case is referred to child protection.")
        )
    if not child:
        if given_by != ConsentGiver.SURVIVOR:
            raise ConsentNotValid(_("An adult survivor gives her own consent."))
        return
    if given_by == ConsentGiver.SURVIVOR:
        raise ConsentNotValid(_("For a child, a guardian or a child protection officer must consent."))
    if age_years is not None and age_years >= GUARDIAN_ONLY_BELOW_AGE:
        if child_assent not in {ChildAssent.YES, ChildAssent.NO}:
            raise ConsentNotValid(_("From the age of 12, record whether the child herself agrees."))
        if decision == ConsentDecision.GIVEN and child_assent == ChildAssent.NO:
            raise ConsentNotValid(_("The child does not agree: record this purpose as refused, not given."))
    elif child_assent == ChildAssent.NOT_APPLICABLE:
        raise ConsentNotValid(_("Record the child's own view, or that she is too young to give it."))
