"""THE access policy of crisiscell: which role may do what to which section.

This module is meant to be read by a security reviewer. It holds one table,
``POLICY_TABLE``: a row per role, a column per section, and in each cell the
actions allowed:

    V  view      read the section of a case (every read is audited)
    E  edit      create or change records in the section (implies V)
    X  export    take data out of the system: PDFs, bundles, downloads
    .  nothing

Rows apply within the cells where the user holds that role (``Membership``).
Two roles have no cell: the national analyst (aggregates only, across cells) and
a national auditor (an auditor membership without a cell covers every cell).

Anything not granted here is denied. Views declare what they need with the
decorators in ``crisiscell.access.decorators``; a view without a declaration is
refused by ``AccessPolicyMiddleware`` and fails the URL classification test.

Counselling (``crisiscell.counselling``) adds two role lists below the table and
changes nothing in it. Session notes stay the psychologists' alone (the
``counselling`` column). ``COUNSELLING_TEAM_ROLES`` see, on the case page, only that
counselling is ongoing, the next appointment and the flags the psychologist chooses
to share. ``COUNSELLING_BREAK_GLASS_ROLES`` may read a case's notes without being a
psychologist, in their own cell, only with a written reason (and the order's
reference when there is one); every such read is audited and shown to the cell's
psychologists.

Digital evidence (``crisiscell.digital``: chats, screenshots and photos taken from
a survivor's phone) is its own column, apart from physical evidence and its custody.
The case worker who sits with her imports the chat, pins the exhibits and hands
over the NCCIA complaint pack (VEX), without gaining any right over the physical
evidence column. ``DIGITAL_INTIMATE_ROLES`` are the only ones who may open an image
marked intimate unblurred.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", _("Desk officer")
    CASE_WORKER = "case_worker", _("Case worker")
    MEDICO_LEGAL_OFFICER = "medico_legal_officer", _("Medico-legal officer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    LEGAL_ADVISER = "legal_adviser", _("Legal adviser")
    POLICE_LIAISON = "police_liaison", _("Police liaison officer")
    EVIDENCE_CUSTODIAN = "evidence_custodian", _("Evidence custodian")
    CELL_HEAD = "cell_head", _("Cell head")
    NATIONAL_ANALYST = "national_analyst", _("National analyst")
    AUDITOR = "auditor", _("Auditor")


class Section(StrEnum):
    IDENTITY = "identity"  # the identity vault: names, CNIC, phones, addresses
    CASE = "case_summary"  # the case by its code: classification, duties, clocks
    MEDICAL = "medical"  # the medico-legal examination and treatment
    EVIDENCE = "evidence"  # evidence items, custody, laboratories
    DIGITAL = "digital"  # chats, screenshots and photos from phones; exhibits; the NCCIA pack
    COUNSELLING = "counselling"  # the restricted psychosocial section
    LEGAL = "legal"  # FIR, police case, court, legal aid
    STATISTICS = "statistics"  # aggregates, never identities
    AUDIT = "audit"  # the audit log
    ADMINISTRATION = "administration"  # staff, roles and the cell's settings


class Action(StrEnum):
    VIEW = "V"
    EDIT = "E"
    EXPORT = "X"


SECTION_ORDER = [
    Section.IDENTITY,
    Section.CASE,
    Section.MEDICAL,
    Section.EVIDENCE,
    Section.DIGITAL,
    Section.COUNSELLING,
    Section.LEGAL,
    Section.STATISTICS,
    Section.AUDIT,
    Section.ADMINISTRATION,
]

# fmt: off
POLICY_TABLE = """
role                  identity  case  medical  evidence  digital  counselling  legal  statistics  audit  administration
desk_officer          VE        VE    .        .         .        .            .      .           .      .
case_worker           VE        VE    V        V         VEX      .            V      .           .      .
medico_legal_officer  V         VE    VEX      VE        V        .            .      .           .      .
psychologist          V         V     .        .         .        VEX          .      .           .      .
legal_adviser         V         V     VX       VX        VEX      .            VEX    .           .      .
police_liaison        V         V     .        V         V        .            VE     .           .      .
evidence_custodian    .         V     .        VEX       VEX      .            .      .           .      .
cell_head             V         VE    V        V         V        .            V      VX          .      VE
national_analyst      .         .     .        .         .        .            .      VX          .      .
auditor               .         .     .        .         .        .            .      .           VX     .
"""
# fmt: on

# Roles that never belong to a cell, and roles that may be held without one.
CELL_LESS_ROLES = frozenset({Role.NATIONAL_ANALYST})
NATIONAL_OPTIONAL_ROLES = frozenset({Role.AUDITOR})

# Counselling (see the module docstring). The cell head answers for the cell and receives
# court orders; the legal adviser answers them. Nobody else breaks glass: police liaison,
# case workers and auditors never read notes.
COUNSELLING_TEAM_ROLES = frozenset({Role.CASE_WORKER, Role.CELL_HEAD})
COUNSELLING_BREAK_GLASS_ROLES = frozenset({Role.CELL_HEAD, Role.LEGAL_ADVISER})

# Digital evidence (see the module docstring). Images marked intimate are blurred for
# everyone; these roles, in their own cell and with the digital view right, may open
# one unblurred after writing why (each opening is recorded and audited).
DIGITAL_INTIMATE_ROLES = frozenset({Role.LEGAL_ADVISER, Role.EVIDENCE_CUSTODIAN})


def _parse(table: str) -> MappingProxyType[str, MappingProxyType[Section, frozenset[Action]]]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    sections = [Section(name) if name != "case" else Section.CASE for name in header[1:]]
    if sections != SECTION_ORDER:
        raise ValueError("POLICY_TABLE columns must be the sections in SECTION_ORDER.")
    parsed: dict[str, MappingProxyType[Section, frozenset[Action]]] = {}
    for row in rows:
        role, cells = Role(row[0]), row[1:]
        if len(cells) != len(sections):
            raise ValueError(f"POLICY_TABLE row {role} has {len(cells)} columns.")
        grants = {
            section: frozenset(Action(ch) for ch in cell if ch != ".")
            for section, cell in zip(sections, cells, strict=True)
        }
        for section, actions in grants.items():
            if actions and Action.VIEW not in actions:
                raise ValueError(f"{role}/{section}: every grant must include V.")
        parsed[role] = MappingProxyType(grants)
    if set(parsed) != set(Role.values):
        raise ValueError("POLICY_TABLE must have one row per role.")
    return MappingProxyType(parsed)


POLICY = _parse(POLICY_TABLE)


def role_allows(role: str, section: Section, action: Action) -> bool:
    """Does this role, in its own cell, allow ``action`` on ``section``?"""
    return action in POLICY[role][section]


def roles_allowing(section: Section, action: Action) -> frozenset[str]:
    return frozenset(role for role, grants in POLICY.items() if action in grants[section])
