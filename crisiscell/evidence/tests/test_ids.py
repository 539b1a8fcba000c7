"""Item numbers: the Damm check digit catches the mistakes people make copying a label."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crisiscell.evidence.ids import damm, item_id, parse_item_id


def test_an_item_number_reads_back_and_names_cell_case_and_item():
    number = item_id("KHI", 2026, 42, 3)
    assert number.startswith("E-KHI-26-0042-03-")
    assert parse_item_id(number) == number
    assert parse_item_id(f"  {number.lower()} ") == number


def test_the_check_digit_is_damm_over_all_the_digits():
    # Damm's own worked example: 572 has check digit 4.
    assert damm("572") == 4
    assert damm("5724") == 0
    assert item_id("KHI", 2026, 42, 3).endswith(f"-{damm('26004203')}")


@given(
    year=st.integers(2000, 2099),
    case_number=st.integers(1, 9999),
    item_number=st.integers(1, 99),
    position=st.integers(0, 7),
    wrong=st.integers(1, 9),
)
def test_every_single_digit_error_is_caught(year, case_number, item_number, position, wrong):
    number = item_id("LHR1", year, case_number, item_number)
    digits = [i for i, c in enumerate(number) if c.isdigit() and i > len("E-LHR1")]
    at = digits[position]
    changed = number[:at] + str((int(number[at]) + wrong) % 10) + number[at + 1 :]
    assert parse_item_id(changed) is None


@given(year=st.integers(2000, 2099), case_number=st.integers(1, 9999), item_number=st.integers(1, 99))
def test_every_swap_of_two_adjacent_digits_is_caught(year, case_number, item_number):
    number = item_id("KHI", year, case_number, item_number)
    body, check = number[:-2], number[-1]
    digits = "".join(c for c in body[len("E-KHI-") :] if c.isdigit())
    for i in range(len(digits) - 1):
        if digits[i] == digits[i + 1]:
            continue
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        assert damm(swapped) != int(check)


def test_malformed_numbers_are_refused():
    assert parse_item_id("E-KHI-26-0042-03") is None
    assert parse_item_id("X-KHI-26-0042-03-1") is None
    assert parse_item_id("") is None
