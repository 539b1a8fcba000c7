"""Case codes and survivor references."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from crisiscell.access.policy import Role
from crisiscell.cases import codes
from crisiscell.cases.models import Case
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.tests.factories import CellFactory, make_staff


def test_references_are_well_formed_and_unambiguous():
    for _ in range(200):
        ref = codes.new_reference()
        assert len(ref) == 11
        assert not set(ref) & set("01ILOU")
        assert codes.parse_reference(codes.format_reference(ref).lower()) == ref


# References drawn by Hypothesis (not by the random generator), so a failure reproduces.
references = st.text(alphabet=codes.REFERENCE_ALPHABET, min_size=codes.REFERENCE_LENGTH, max_size=10).map(
    codes.with_check_character
)


@given(references, st.data())
def test_any_single_typo_in_a_reference_is_caught(ref, data):
    position = data.draw(st.integers(min_value=0, max_value=len(ref) - 1))
    replacement = data.draw(st.sampled_from([c for c in codes.REFERENCE_ALPHABET if c != ref[position]]))
    typo = ref[:position] + replacement + ref[position + 1 :]
    assert codes.parse_reference(typo) is None


LUHN_BLIND_PAIR = {codes.REFERENCE_ALPHABET[0], codes.REFERENCE_ALPHABET[-1]}  # "2" and "Z"


@given(references, st.data())
def test_adjacent_transpositions_are_caught_but_the_luhn_blind_pair(ref, data):
    i = data.draw(st.integers(min_value=0, max_value=len(ref) - 2))
    if ref[i] == ref[i + 1]:
        return
    swapped = ref[:i] + ref[i + 1] + ref[i] + ref[i + 2 :]
    if {ref[i], ref[i + 1]} == LUHN_BLIND_PAIR:
        assert codes.parse_reference(swapped) == swapped  # the one swap Luhn mod N cannot see
    else:
        assert codes.parse_reference(swapped) is None


def test_every_neighbour_swap_but_the_blind_pair_is_caught_exhaustively():
    """Every pair of characters at every place in a body: exactly the documented pair slips through."""
    alphabet, length = codes.REFERENCE_ALPHABET, codes.REFERENCE_LENGTH
    body = "".join(alphabet[(7 * k) % len(alphabet)] for k in range(length))
    slipped, slipped_at_check = set(), set()
    for i in range(length - 1):  # two neighbours inside the body
        for a in alphabet:
            for b in alphabet:
                if a != b:
                    ref = codes.with_check_character(body[:i] + a + b + body[i + 2 :])
                    if codes.parse_reference(ref[:i] + b + a + ref[i + 2 :]) is not None:
                        slipped.add(frozenset((a, b)))
    seen_with_check = set()
    for x in alphabet:  # the body's last character and the check character, over 900 bodies
        for a in alphabet:
            ref = codes.with_check_character(body[:-2] + x + a)
            if ref[-1] != a:
                seen_with_check.add(frozenset((a, ref[-1])))
                if codes.parse_reference(ref[:-2] + ref[-1] + ref[-2]) is not None:
                    slipped_at_check.add(frozenset((a, ref[-1])))
    assert slipped == {frozenset(LUHN_BLIND_PAIR)}
    assert frozenset(LUHN_BLIND_PAIR) in seen_with_check  # the pair did meet the check character
    assert slipped_at_check == {frozenset(LUHN_BLIND_PAIR)}


def test_case_codes_count_per_cell_and_year(cell, other_cell, staff):
    desk = staff(Role.DESK_OFFICER, cell)
    other = staff(Role.DESK_OFFICER, other_cell)
    first = case_register(actor=desk, cell=cell, data=intake_data())
    second = case_register(actor=desk, cell=cell, data=intake_data(identity=intake_data().identity.__class__()))
    elsewhere = case_register(actor=other, cell=other_cell, data=intake_data())
    year = first.arrival_at.year
    assert (first.code, second.code) == (f"KHI-{year}-0001", f"KHI-{year}-0002")
    assert elsewhere.code == f"LHR1-{year}-0001"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_case_codes_are_unique_under_concurrent_intakes():
    cell = CellFactory(code="KHI")
    desks = [make_staff(Role.DESK_OFFICER, cell) for _ in range(6)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(desks))

    def register(desk):
        try:
            barrier.wait()
            for _ in range(3):
                case_register(actor=desk, cell=cell, data=intake_data())
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=register, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    codes_issued = list(Case.objects.values_list("code", flat=True))
    assert len(codes_issued) == len(set(codes_issued)) == 18
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes_issued)
    assert numbers == list(range(1, 19))
    assert connection.vendor in {"sqlite", "postgresql"}
