"""The offence table: PPC and PECA offences a cell records, with their procedural facts.

``schedule`` is the ARITA schedule (II: the crisis cells' mandate; I: the special
investigation unit only). Cognizable, bailable and compoundable follow the CrPC
schedule as amended; entries whose procedural facts were not confirmed in a
statute's text carry the tag ``verify`` and are shown as such. None of this is
legal advice. A deployment corrects an entry in the database (the table is data,
seeded by migration), not in code.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_noop


class OffenceSpec(NamedTuple):
    code: str
    law: str
    section: str
    title: str  # stored in English; shown through the catalogue (``Offence.display_title``)
    schedule: str  # "I", "II" or ""
    cognizable: bool
    bailable: bool
    compoundable: bool
    tag: str  # law, policy or verify


OFFENCES = [
    OffenceSpec("PPC-375", "PPC", "375/376", gettext_noop("Rape"), "II", True, False, False, "law"),
    OffenceSpec("PPC-375A", "PPC", "375A", gettext_noop("Gang rape"), "II", True, False, False, "law"),
    OffenceSpec("PPC-377", "PPC", "377", gettext_noop("Unnatural offences"), "II", True, False, False, "verify"),
    OffenceSpec("PPC-377A", "PPC", "377A", gettext_noop("Sexual abuse of a child"), "II", True, False, False, "verify"),
    OffenceSpec(
        "PPC-377B",
        "PPC",
        "377B",
        gettext_noop("Punishment for sexual abuse of a child"),
        "II",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-354A",
        "PPC",
        "354A",
        gettext_noop("Assault or criminal force to a woman and stripping her of her clothes"),
        "II",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-336A",
        "PPC",
        "336A/336B",
        gettext_noop("Hurt caused by corrosive substance"),
        "II",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-365B",
        "PPC",
        "365B",
        gettext_noop("Kidnapping or abducting a woman to compel marriage"),
        "II",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-366A", "PPC", "366A", gettext_noop("Procuration of a minor girl"), "II", True, False, False, "verify"
    ),
    OffenceSpec(
        "PPC-366B",
        "PPC",
        "366B",
        gettext_noop("Importation of a girl from a foreign country"),
        "II",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-371A",
        "PPC",
        "371A/371B",
        gettext_noop("Selling or buying a person for prostitution"),
        "II",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-292A",
        "PPC",
        "292A-292C",
        gettext_noop("Exposure to seduction and child pornography"),
        "I",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-354",
        "PPC",
        "354",
        gettext_noop("Assault or criminal force to a woman with intent to outrage her modesty"),
        "I",
        True,
        True,
        False,
        "verify",
    ),
    OffenceSpec(
        "PPC-509",
        "PPC",
        "509",
        gettext_noop("Insulting the modesty of a woman or sexual harassment"),
        "",
        True,
        True,
        False,
        "verify",
    ),
    OffenceSpec(
        "PECA-16",
        "PECA",
        "16",
        gettext_noop("Unauthorised use of identity information"),
        "",
        False,
        True,
        False,
        "law",
    ),
    OffenceSpec(
        "PECA-20",
        "PECA",
        "20",
        gettext_noop("False information harming dignity or privacy"),
        "",
        True,
        True,
        False,
        "verify",
    ),
    OffenceSpec(
        "PECA-21",
        "PECA",
        "21",
        gettext_noop("Offences against the modesty of a person (explicit images, blackmail)"),
        "I",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec(
        "PECA-22", "PECA", "22", gettext_noop("Child sexual abuse material"), "I", True, False, False, "verify"
    ),
    OffenceSpec(
        "PECA-22A",
        "PECA",
        "22A-22C",
        gettext_noop("Online grooming and exploitation of a child"),
        "",
        True,
        False,
        False,
        "verify",
    ),
    OffenceSpec("PECA-24", "PECA", "24", gettext_noop("Cyberstalking"), "", False, True, False, "law"),
    OffenceSpec("PECA-24A", "PECA", "24A", gettext_noop("Cyberbullying of a child"), "", False, True, False, "verify"),
]
