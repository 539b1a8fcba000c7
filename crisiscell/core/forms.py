"""Form fields every domain uses instead of Django's model choice fields.

Django reads a model choice field's options through ``QuerySet.iterator()``. On
PostgreSQL outside a transaction (a page rendering after its view returned) that
opens a server-side cursor WITH HOLD: DECLARE, FETCH and CLOSE, three round trips
and a materialised result, for a list of a few cells, offences or staff. These
fields read the options with one plain query. A test keeps the domains on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.models import ModelChoiceIterator

if TYPE_CHECKING:
    _Single = forms.ModelChoiceField[Any]
    _Multiple = forms.ModelMultipleChoiceField[Any]
    _Iterator = ModelChoiceIterator[Any]
else:  # the generic forms are subscriptable only for the type checker
    _Single = forms.ModelChoiceField
    _Multiple = forms.ModelMultipleChoiceField
    _Iterator = ModelChoiceIterator


class ListedChoiceIterator(_Iterator):
    """The options from one ordinary query (evaluated once per rendering)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(_Single):
    iterator = ListedChoiceIterator


class ModelMultipleChoiceField(_Multiple):
    iterator = ListedChoiceIterator
