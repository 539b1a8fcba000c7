"""``get_<field>_display`` on every domain record reads as Django's own, in both languages."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from crisiscell.core.models import BaseModel

CHOICE_FIELDS = [
    (model, field)
    for model in apps.get_models()
    if issubclass(model, BaseModel)
    for field in model._meta.concrete_fields
    if field.choices
]


def test_there_are_choice_fields_to_compare():
    assert len(CHOICE_FIELDS) > 40


@pytest.mark.parametrize("language", ["en", "ur"])
def test_every_choice_and_an_unknown_value_display_as_django_displays_them(language):
    compared = 0
    with translation.override(language):
        for model, field in CHOICE_FIELDS:
            for value in [*(v for v, _ in field.flatchoices), "not-a-choice", None]:
                instance = model()
                setattr(instance, field.attname, value)
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(instance, field), (model, field.name, value)
                compared += 1
    assert compared > 200


def test_the_label_follows_the_active_language():
    from crisiscell.cases.models import Consent

    consent = Consent(purpose="photographs")
    with translation.override("en"):
        english = consent.get_purpose_display()
    with translation.override("ur"):
        urdu = consent.get_purpose_display()
    assert english == "Photographs"
    assert urdu != english
    assert urdu
