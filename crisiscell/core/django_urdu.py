"""Words Django itself puts on our pages that its own Urdu catalogue leaves untranslated.

Marked here so that ``make messages`` carries them into crisiscell's catalogue, which
Django reads before its own (``LOCALE_PATHS``). Nothing imports this module. The i18n
tests render every form field's messages in Urdu and fail on one that is still English.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MESSAGES = (
    gettext_noop("- Select an option -"),  # the empty choice of a model field's select
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid UUID."),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop("Null characters are not allowed."),
    # Django's own wording, word for word: the catalogue is matched on it.
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        "max",
    ),
)
