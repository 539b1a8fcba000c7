"""Empty forms rendered once per language, not on every page view.

The case page folds several empty forms away under ``<details>`` (record a consent,
resolve a clock, a contact attempt, a referral). Rendering their fields through the
field template was a fifth of the page's server time, yet their HTML depends on
nothing but the form and the language. A form says it may be rendered this way by
setting ``static_fields = True``: its fields, choices and initial values are fixed
(its labels are translated, hence one rendering per language).
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language


def blank_fields(form: forms.Form, exclude: str = "") -> SafeString:
    """The HTML of an empty form's fields (``includes/fields.html``), less ``exclude`` (comma-separated names).

    Raises ``ValueError`` for a bound form, a form with initial values of its own, or
    one that does not declare ``static_fields``: its HTML could differ from one page
    view to the next.
    """
    form_class = type(form)
    if not getattr(form_class, "static_fields", False):
        raise ValueError(f"{form_class.__name__} does not declare static_fields.")
    if form.is_bound or form.initial or form.prefix:
        raise ValueError("Only an empty, unprefixed form can be rendered once for every page view.")
    names = tuple(name.strip() for name in exclude.split(",") if name.strip())
    return _rendered(form_class, str(form.auto_id), names, get_language())


@cache
def _rendered(form_class: type[forms.Form], auto_id: str, exclude: tuple[str, ...], language: str | None) -> SafeString:
    html: SafeString = render_to_string(
        "includes/fields.html", {"form": form_class(auto_id=auto_id), "exclude": exclude}
    )
    return html
