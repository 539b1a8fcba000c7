"""Registering a case costs a fixed, small number of queries, and still writes everything.

The intake benchmark registers 100,000 cases through ``case_register``; a query added
to it is paid 100,000 times. The count is pinned here so it cannot silently grow back.
"""

from __future__ import annotations

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import RecordVersion
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.survivors.models import VaultLookup, VaultRecord
from crisiscell.survivors.services import SurvivorIdentity, vault_read

# Survivor, her vault record and look-up rows, her audit event; the case number, the
# case, its offences (read, linked), the perpetrator and his vault record, the duties,
# the staff on duty, the registration event; the consent and its event; the version.
# Plus the savepoint the test's own transaction puts around the service.
REGISTRATION_QUERIES = 18


def _identity(n: int) -> SurvivorIdentity:
    return SurvivorIdentity(
        name=f"Cost Survivor {n} (synthetic)", cnic=f"35202-765432{n}-3", phones=[f"0300 765432{n}"], address="-"
    )


def test_registering_a_case_runs_a_fixed_number_of_queries(cell, staff, django_assert_max_num_queries):
    # Given a desk officer whose cell has issued a case number this year already
    desk = staff(Role.DESK_OFFICER, cell, username="desk")
    case_register(actor=desk, cell=cell, data=intake_data(identity=_identity(1)))
    events_before = AuditEvent.objects.count()

    # When she registers a case with an identity, a perpetrator, an offence and a consent
    with django_assert_max_num_queries(REGISTRATION_QUERIES):
        case = case_register(actor=desk, cell=cell, data=intake_data(identity=_identity(2)))

    # Then every row of the registration is there, as before
    assert case.code.endswith("-0002")
    assert sorted(case.offences.values_list("code", flat=True)) == ["PPC-375"]
    assert case.tasks.count() == 11  # five duties, two offers, four follow-ups (she wants medical care)
    assert case.consents.count() == 1
    perpetrator = case.perpetrators.get()
    assert perpetrator.identity is not None
    assert vault_read(perpetrator.identity) == {"identifiers": "Neighbour, 0301 7654321"}
    assert vault_read(case.survivor.identity)["cnic"] == "3520276543223"
    assert sorted(VaultLookup.objects.filter(record=case.survivor.identity).values_list("kind", flat=True)) == [
        "cnic",
        "phone",
    ]
    version = RecordVersion.objects.get(case=case)
    assert (version.version, version.snapshot["offences"]) == (1, ["PPC-375"])
    # and every audit event, in order
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[events_before:])
    assert actions == ["survivor.created", "case.registered", "consent.recorded"]


def test_the_first_case_of_a_year_starts_the_count_at_one(cell, staff):
    # Given a cell that has registered nothing yet
    desk = staff(Role.DESK_OFFICER, cell, username="desk")

    # When two cases are registered
    first = case_register(actor=desk, cell=cell, data=intake_data(identity=_identity(3)))
    second = case_register(actor=desk, cell=cell, data=intake_data(identity=_identity(4)))

    # Then the counter was created once and issued one, then two
    year = first.arrival_at.year
    assert (first.code, second.code) == (f"KHI-{year}-0001", f"KHI-{year}-0002")
    assert VaultRecord.objects.filter(kind=VaultRecord.Kind.SURVIVOR).count() == 2
