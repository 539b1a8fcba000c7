"""Normalising identifiers so the same CNIC or phone number always gives the same blind index."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from crisiscell.core.times import in_sentence

# Urdu (Extended Arabic-Indic) and Arabic-Indic digits, as typed on Urdu keyboards.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


CNIC_EXAMPLE = "12345-1234567-1"


def cnic_hint() -> str:
    """ "13 digits, e.g. 12345-1234567-1" in the reader's language.

    The example is isolated left to right: after Urdu words, digits joined by hyphens are
    read as Arabic numbers and shown in reverse order ("1-1234567-12345").
    """
    return _("13 digits, e.g. %(example)s") % {"example": in_sentence(CNIC_EXAMPLE)}


cnic_hint_lazy = lazy(cnic_hint, str)  # for a form field, whose help text is made at import


def western_digits(text: str) -> str:
    return text.translate(_DIGITS)


def normalise_cnic(raw: str) -> str:
    """13 digits, from "12345-1234567-1" or any spacing. Raises ValidationError otherwise."""
    digits = re.sub(r"[\s\-]", "", western_digits(raw))
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise ValidationError(
            _("A CNIC has 13 digits, like %(example)s.") % {"example": in_sentence(CNIC_EXAMPLE)}, code="cnic"
        )
    return digits


def format_cnic(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def normalise_phone(raw: str, region: str = "PK") -> str:
    """E.164 (+923001234567). Raises ValidationError for something that is not a number."""
    try:
        number = phonenumbers.parse(western_digits(raw), region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("This does not look like a phone number."), code="phone") from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("This does not look like a phone number."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
