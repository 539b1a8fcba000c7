"""The screening measures: their items, answer scales, scoring and severity bands, with sources.

* **PHQ-9** (depression): nine items scored 0-3, total 0-27. Bands 0-4 minimal, 5-9 mild,
  10-14 moderate, 15-19 moderately severe, 20-27 severe. Kroenke K, Spitzer RL,
  Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern
  Med 2001;16(9):606-613. Item 9 (thoughts of being better off dead or of self-harm)
  answered above zero calls for a risk assessment whatever the total.
* **GAD-7** (anxiety): seven items scored 0-3, total 0-21. Bands 0-4 minimal, 5-9 mild,
  10-14 moderate, 15-21 severe. Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief
  measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med
  2006;166(10):1092-1097.
* **PCL-5** (post-traumatic stress, DSM-5): twenty items scored 0-4, total 0-80. There are
  no severity bands; a total at or above a provisional cut-point suggests probable PTSD,
  to be confirmed by a clinical interview. ``PCL5_PROVISIONAL_CUTOFF`` (default 33,
  overridable with the ``CRISISCELL_PCL5_CUTOFF`` setting) follows the US Department of
  Veterans Affairs, National Center for PTSD, "Using the PTSD Checklist for DSM-5 (PCL-5)"
  (2018): "a PCL-5 cut-point of 31-33 is indicative of probable PTSD across samples"
  (Bovin MJ et al., Psychological Assessment 2016;28(11):1379-1391). The cut-point has not
  been validated for Pakistan or in Urdu: it is shown as provisional.

Licences: the PHQ-9 and GAD-7 (developed by Drs Spitzer, Williams, Kroenke and colleagues
with an educational grant from Pfizer) need no permission to reproduce, translate, display
or distribute; the PCL-5 was developed by staff of the US VA National Center for PTSD and
is in the public domain. The English item texts below are the published ones. The Urdu
texts come from the project's translation catalogue; a deployment should use a validated
Urdu translation there (this module does not paste any translation).

Scoring is pure and takes a list of integers: ``score(instrument, answers)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Instrument(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"
    PCL5 = "pcl5", "PCL-5"


@dataclass(frozen=True)
class Band:
    key: str
    label: Promise
    low: int  # inclusive
    high: int  # inclusive
    concern: bool  # shown with a warning colour on the chart and in lists


@dataclass(frozen=True)
class Definition:
    instrument: Instrument
    title: Promise
    measures: Promise
    stem: Promise
    items: tuple[Promise, ...]
    options: tuple[Promise, ...]  # the answer labels, scored 0, 1, 2...
    bands: tuple[Band, ...]
    source: str  # the published reference, in English (the page marks it so)

    @property
    def max_item(self) -> int:
        return len(self.options) - 1

    @property
    def max_total(self) -> int:
        return self.max_item * len(self.items)


PHQ_GAD_OPTIONS = (
    pgettext_lazy("screening answer", "Not at all"),
    pgettext_lazy("screening answer", "Several days"),
    pgettext_lazy("screening answer", "More than half the days"),
    pgettext_lazy("screening answer", "Nearly every day"),
)

PHQ9 = Definition(
    instrument=Instrument.PHQ9,
    title=_("Patient Health Questionnaire (PHQ-9)"),
    measures=_("Depression"),
    stem=_("Over the last 2 weeks, how often have you been bothered by any of the following problems?"),
    items=(
        _("Little interest or pleasure in doing things"),
        _("Feeling down, depressed, or hopeless"),
        _("Trouble falling or staying asleep, or sleeping too much"),
        _("Feeling tired or having little energy"),
        _("Poor appetite or overeating"),
        _("Feeling bad about yourself, or that you are a failure or have let yourself or your family down"),
        _("Trouble concentrating on things, such as reading the newspaper or watching television"),
        _(
            "Moving or speaking so slowly that other people could have noticed. Or the opposite: being so "
            "fidgety or restless that you have been moving around a lot more than usual"
        ),
        _("Thoughts that you would be better off dead, or of hurting yourself in some way"),
    ),
    options=PHQ_GAD_OPTIONS,
    bands=(
        Band("minimal", _("Minimal"), 0, 4, False),
        Band("mild", _("Mild"), 5, 9, False),
        Band("moderate", _("Moderate"), 10, 14, True),
        Band("moderately_severe", _("Moderately severe"), 15, 19, True),
        Band("severe", _("Severe"), 20, 27, True),
    ),
    source="Kroenke, Spitzer, Williams. J Gen Intern Med 2001;16:606-613",
)

GAD7 = Definition(
    instrument=Instrument.GAD7,
    title=_("Generalised Anxiety Disorder scale (GAD-7)"),
    measures=_("Anxiety"),
    stem=_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    items=(
        _("Feeling nervous, anxious, or on edge"),
        _("Not being able to stop or control worrying"),
        _("Worrying too much about different things"),
        _("Trouble relaxing"),
        _("Being so restless that it is hard to sit still"),
        _("Becoming easily annoyed or irritable"),
        _("Feeling afraid, as if something awful might happen"),
    ),
    options=PHQ_GAD_OPTIONS,
    bands=(
        Band("minimal", _("Minimal"), 0, 4, False),
        Band("mild", _("Mild"), 5, 9, False),
        Band("moderate", _("Moderate"), 10, 14, True),
        Band("severe", _("Severe"), 15, 21, True),
    ),
    source="Spitzer, Kroenke, Williams, Löwe. Arch Intern Med 2006;166:1092-1097",
)


# The provisional cut-point for probable PTSD. Source: US VA National Center for PTSD,
# "Using the PTSD Checklist for DSM-5 (PCL-5)", 2018: 31-33 across samples. Override with
# the CRISISCELL_PCL5_CUTOFF setting; the bands below follow it.
PCL5_PROVISIONAL_CUTOFF = 33
PCL5_SOURCE = "US VA National Center for PTSD, Using the PCL-5 (2018); Bovin et al. 2016"


def pcl5_cutoff() -> int:
    """The provisional PCL-5 cut-point in force (default 33; the VA gives 31-33)."""
    value = int(getattr(settings, "CRISISCELL_PCL5_CUTOFF", PCL5_PROVISIONAL_CUTOFF))
    if not 0 < value <= 80:
        raise ValueError("CRISISCELL_PCL5_CUTOFF must be between 1 and 80.")
    return value


def _pcl5_bands() -> tuple[Band, ...]:
    cutoff = pcl5_cutoff()
    return (
        Band("below_cutoff", _("Below the provisional cut-off"), 0, cutoff - 1, False),
        Band("probable_ptsd", _("Probable PTSD (provisional; confirm by interview)"), cutoff, 80, True),
    )


_PCL5_ITEMS = (
    _("Repeated, disturbing, and unwanted memories of the stressful experience"),
    _("Repeated, disturbing dreams of the stressful experience"),
    _(
        "Suddenly feeling or acting as if the stressful experience were actually happening again "
        "(as if you were actually back there reliving it)"
    ),
    _("Feeling very upset when something reminded you of the stressful experience"),
    _(
        "Having strong physical reactions when something reminded you of the stressful experience "
        "(for example, heart pounding, trouble breathing, sweating)"
    ),
    _("Avoiding memories, thoughts, or feelings related to the stressful experience"),
    _(
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)"
    ),
    _("Trouble remembering important parts of the stressful experience"),
    _(
        "Having strong negative beliefs about yourself, other people, or the world (for example, having "
        "thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, "
        "the world is completely dangerous)"
    ),
    _("Blaming yourself or someone else for the stressful experience or what happened after it"),
    _("Having strong negative feelings such as fear, horror, anger, guilt, or shame"),
    _("Loss of interest in activities that you used to enjoy"),
    _("Feeling distant or cut off from other people"),
    _(
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have "
        "loving feelings for people close to you)"
    ),
    _("Irritable behaviour, angry outbursts, or acting aggressively"),
    _("Taking too many risks or doing things that could cause you harm"),
    _("Being “superalert” or watchful or on guard"),
    _("Feeling jumpy or easily startled"),
    _("Having difficulty concentrating"),
    _("Trouble falling or staying asleep"),
)
_PCL5_OPTIONS = (
    pgettext_lazy("screening answer", "Not at all"),
    pgettext_lazy("screening answer", "A little bit"),
    pgettext_lazy("screening answer", "Moderately"),
    pgettext_lazy("screening answer", "Quite a bit"),
    pgettext_lazy("screening answer", "Extremely"),
)


def pcl5() -> Definition:
    """The PCL-5 with the cut-point in force (read each time, so a settings override applies)."""
    return Definition(
        instrument=Instrument.PCL5,
        title=_("PTSD Checklist for DSM-5 (PCL-5)"),
        measures=_("Post-traumatic stress"),
        stem=_(
            "Below is a list of problems that people sometimes have in response to a very stressful "
            "experience. In the past month, how much were you bothered by:"
        ),
        items=_PCL5_ITEMS,
        options=_PCL5_OPTIONS,
        bands=_pcl5_bands(),
        source=PCL5_SOURCE,
    )


def definition(instrument: str) -> Definition:
    if instrument == Instrument.PHQ9:
        return PHQ9
    if instrument == Instrument.GAD7:
        return GAD7
    if instrument == Instrument.PCL5:
        return pcl5()
    raise ValueError(f"Unknown instrument {instrument!r}.")


# PHQ-9 item 9 (thoughts of being better off dead or of self-harm), counted from 1.
PHQ9_SELF_HARM_ITEM = 9


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    band: Band
    self_harm_item: int | None  # PHQ-9 item 9's answer; None for the other instruments

    @property
    def needs_risk_assessment(self) -> bool:
        """PHQ-9 item 9 above zero: a risk assessment is required now, whatever the total."""
        return bool(self.self_harm_item)


def score(instrument: str, answers: list[int]) -> Score:
    """Total and band. Raises ValueError for a wrong number of answers or an answer out of range."""
    spec = definition(instrument)
    if len(answers) != len(spec.items):
        raise ValueError(f"{spec.instrument.label} has {len(spec.items)} items, not {len(answers)}.")
    for answer in answers:
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= spec.max_item:
            raise ValueError(f"Every {spec.instrument.label} answer is a whole number from 0 to {spec.max_item}.")
    total = sum(answers)
    band = band_for(spec, total)
    item9 = answers[PHQ9_SELF_HARM_ITEM - 1] if spec.instrument == Instrument.PHQ9 else None
    return Score(instrument=spec.instrument, total=total, band=band, self_harm_item=item9)


def band_for(spec: Definition, total: int) -> Band:
    for band in spec.bands:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"{total} is outside {spec.instrument.label}'s range 0-{spec.max_total}.")
