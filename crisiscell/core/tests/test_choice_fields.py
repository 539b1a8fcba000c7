"""Model choice fields read their options with one plain query (no server-side cursor)."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

import crisiscell
from crisiscell.core.forms import ListedChoiceIterator
from crisiscell.referrals.forms import TransferRequestForm


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(crisiscell.__path__, "crisiscell."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("crisiscell."):
            found.append(cls)
    return found


def test_every_model_choice_field_of_every_form_lists_its_options_plainly():
    checked = []
    for form in _form_classes():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.ModelChoiceField):
                assert field.iterator is ListedChoiceIterator, f"{form.__module__}.{form.__name__}.{name}"
                checked.append(name)
    # Cells, offences, examiners, samples, photographs, PECA sections: the walk found them.
    assert {"to_cell", "examiner", "conviction_sections", "offences"} <= set(checked)


def test_a_cell_choice_renders_from_one_query_without_a_cursor(cell, other_cell):
    form = TransferRequestForm(current_cell=cell)
    with CaptureQueriesContext(connection) as queries:
        html = form.as_div()
    assert other_cell.name in html
    assert f'value="{cell.pk}"' not in html
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1, sql
    assert "DECLARE" not in sql[0].upper()  # what Django's own iterator sends on PostgreSQL


def test_the_choices_still_validate_against_the_database(cell, other_cell):
    ok = TransferRequestForm({"to_cell": str(other_cell.pk), "reason": "Nearer home"}, current_cell=cell)
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["to_cell"] == other_cell
    own = TransferRequestForm({"to_cell": str(cell.pk), "reason": "x"}, current_cell=cell)
    assert not own.is_valid()
    assert "to_cell" in own.errors
