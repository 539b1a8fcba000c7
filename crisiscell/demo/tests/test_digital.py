"""The demo gives chats, exhibits and a shared number to the cases it chooses, and never twice."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case
from crisiscell.cases.services import PerpetratorInput, case_close, case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.cells.models import Cell
from crisiscell.demo.digital import HIM, ensure_digital, harassed_by_phone
from crisiscell.demo.network import demo_username
from crisiscell.digital.models import ChatMessage, DigitalSource, Exhibit, NciiReport, PerpetratorIdentifier
from crisiscell.documents import storage
from crisiscell.documents.models import StoredFile

pytestmark = pytest.mark.django_db

URDU = re.compile("[\u0600-\u06ff]")


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.CRISISCELL_MEDIA_DIR = root
    return root


def _staff(cell_code: str, role: str) -> User:
    return User.objects.get(username=demo_username(cell_code, role))


def _case(cell: Cell, now: datetime, *, relationship: str, days_ago: float) -> Case:
    return case_register(
        actor=_staff(cell.code, Role.DESK_OFFICER),
        cell=cell,
        data=intake_data(
            arrival_at=now - timedelta(days=days_ago),
            perpetrators=[PerpetratorInput(1, "male", "26-40", relationship)],
        ),
    )


def _export_hashes() -> dict[str, str]:
    return {s.case.code: s.file.sha256 for s in DigitalSource.objects.select_related("case", "file")}


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (DigitalSource, ChatMessage, Exhibit, PerpetratorIdentifier, NciiReport, StoredFile)
    )


def test_chosen_cases_get_a_parsed_chat_exhibits_and_one_number_shared_across_cells(
    khi: Cell, khi_staff: Callable[[str], User], media: Path
) -> None:
    # given open cases in Karachi and Lahore: online contacts, recent acquaintances (a draw decides),
    # and cases the demo must leave alone (a husband, an acquaintance of long ago, a closed case)
    now = timezone.now()
    lahore = Cell.objects.get(code="LHR1")
    online = [
        _case(khi, now, relationship="online", days_ago=20),
        _case(khi, now, relationship="online", days_ago=3),
        _case(lahore, now, relationship="online", days_ago=5),
    ]
    acquaintances = [_case(khi, now, relationship="acquaintance", days_ago=1 + i) for i in range(8)]
    husband = _case(khi, now, relationship="husband", days_ago=2)
    long_ago = _case(khi, now, relationship="acquaintance", days_ago=90)
    closed = _case(khi, now, relationship="online", days_ago=4)
    case_close(actor=khi_staff(Role.CELL_HEAD), case=closed, reason="services_completed")
    drawn = [case for case in acquaintances if harassed_by_phone(2024, case.code)]
    chosen = online + drawn

    # when the demo adds digital evidence (rehearsed once and rolled back, to compare the two)
    with transaction.atomic():
        ensure_digital(now=now)
        rehearsal = _export_hashes()
        transaction.set_rollback(True)
    assert not DigitalSource.objects.exists()
    given = ensure_digital(now=now)

    # then exactly the chosen cases have a chat, received by their cell's case worker
    assert given == len(chosen)
    assert set(DigitalSource.objects.values_list("case_id", flat=True)) == {case.pk for case in chosen}
    for case in [husband, long_ago, closed, *[c for c in acquaintances if c not in drawn]]:
        assert not DigitalSource.objects.filter(case=case).exists()
    for case in chosen:
        worker = _staff(case.cell.code, Role.CASE_WORKER)
        source = DigitalSource.objects.get(case=case)
        assert source.kind == "whatsapp"
        assert source.received_by == worker
        assert source.parse_format in {"android", "iphone"}
        assert source.date_order == "dmy"
        assert source.unparsed_lines == 0
        # whose messages parse, in time order, days before she came, from synthetic senders, some in Urdu
        messages = list(ChatMessage.objects.filter(source=source).order_by("seq"))
        said = [m for m in messages if m.kind == "message"]
        assert 20 <= len(said) <= 60
        assert all(m.time is not None for m in messages)
        times = [m.time for m in messages if m.time is not None]
        assert times == sorted(times)
        assert case.arrival_at - timedelta(days=6) < times[0] < times[-1] < case.arrival_at
        assert all("(demo)" in m.author for m in said)
        assert any(URDU.search(m.display) for m in said)
        # with two or three of his messages pinned, each with PECA offences only
        exhibits = list(Exhibit.objects.filter(case=case).select_related("message"))
        assert 2 <= len(exhibits) <= 3
        for exhibit in exhibits:
            assert exhibit.message.author == HIM
            assert exhibit.pinned_by == worker
            assert exhibit.note
            codes = [offence.code for offence in exhibit.offences.all()]
            assert codes
            assert all(code.startswith("PECA-") for code in codes)
        # and his number kept as an identifier
        assert PerpetratorIdentifier.objects.filter(case=case, kind="phone").exists()
    # NCII reports only where pictures were threatened (the online blackmailers)
    assert not NciiReport.objects.exclude(case__in=online).exists()

    # one number writes to a woman in Karachi and one in Lahore, and is the only one seen twice
    shared = (
        PerpetratorIdentifier.objects.values("digest")
        .annotate(cases=Count("case", distinct=True), cells=Count("cell", distinct=True))
        .filter(cases__gt=1)
    )
    assert [(row["cases"], row["cells"]) for row in shared] == [(2, 2)]
    pair = set(PerpetratorIdentifier.objects.filter(digest=shared[0]["digest"]).values_list("case_id", flat=True))
    assert online[2].pk in pair

    # the exports are stored encrypted in the media folder
    source = DigitalSource.objects.filter(case=online[0]).select_related("file").get()
    assert storage.path_of(source.file.id).is_relative_to(media)
    assert b"(demo)" in b"".join(storage.read_chunks(source.file))
    assert b"(demo)" not in storage.path_of(source.file.id).read_bytes()

    # the same seed wrote the same exports, byte for byte
    assert _export_hashes() == rehearsal

    # and running it again adds nothing
    before = _counts()
    assert ensure_digital(now=now) == 0
    assert _counts() == before


def test_karachi_always_shows_two_cases_a_phone_harasser_first(khi: Cell) -> None:
    # given Karachi cases no rule chooses: no online contact, and the neighbour too long ago to be drawn
    now = timezone.now()
    husband = _case(khi, now, relationship="husband", days_ago=1)
    stranger = _case(khi, now, relationship="stranger", days_ago=2)
    neighbour = _case(khi, now, relationship="neighbour", days_ago=90)
    # when the demo adds digital evidence
    assert ensure_digital(now=now) == 2
    # then the phone harasser and the most recent other case get a chat
    assert set(DigitalSource.objects.values_list("case_id", flat=True)) == {neighbour.pk, husband.pk}
    assert not DigitalSource.objects.filter(case=stranger).exists()
