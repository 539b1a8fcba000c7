"""The demo network without its history, and its Karachi cell's accounts by role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command

from crisiscell.accounts.models import User
from crisiscell.cells.models import Cell
from crisiscell.demo.network import demo_username


@pytest.fixture
def khi(db: None) -> Cell:
    call_command("demo", years=[1999])  # the network and staff, no history
    return Cell.objects.get(code="KHI")


@pytest.fixture
def khi_staff(khi: Cell) -> Callable[[str], User]:
    return lambda role: User.objects.get(username=demo_username(khi.code, role))
