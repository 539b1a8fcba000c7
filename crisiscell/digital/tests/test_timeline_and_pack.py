"""The timeline across sources, exhibits with PECA offences, and the NCCIA complaint pack."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import Offence
from crisiscell.cases.services import consent_record
from crisiscell.digital.models import ChatMessage, Exhibit
from crisiscell.digital.services import exhibit_pin, nccia_pack_issue
from crisiscell.digital.tests.conftest import CORPUS, upload
from crisiscell.documents import storage
from crisiscell.documents.models import Disclosure
from crisiscell.tests.pdf import attached_text, is_pdf, page_text

ANDROID = b"31/12/2023, 21:15 - Unknown Test: delete your account or I share the photos\n"
URDU = "۳۰/۱۲/۲۰۲۳، ۹:۱۵ بعد دوپہر - نامعلوم ٹیسٹ: تصویریں سب کو بھیج دوں گا\u200d\n".encode()  # noqa: RUF001


def test_timeline_merges_sources_in_time_order_and_filters(worker: Any, case: Any, logged_in: Any) -> None:
    # Given two chats received separately
    upload(worker, case, ANDROID, "a.txt")
    upload(worker, case, URDU, "b.txt")
    client = logged_in(worker)
    url = reverse("digital:timeline", kwargs={"code": case.code})
    # When the timeline is opened
    body = client.get(url).content.decode()
    # Then the Urdu message (30 Dec) comes before the English one (31 Dec), each isolated for direction
    assert body.index("تصویریں") < body.index("delete your account")
    assert '<bdi dir="auto"' in body
    # And the sender filter and the search work, sent in the body: a name or words from
    # the chat never go into an address (the ward computer's history, the server's logs)
    assert '<form method="post" class="grid" autocomplete="off">' in body
    only = client.post(url, {"sender": "Unknown Test"}).content.decode()
    assert "delete your account" in only
    assert "تصویریں" not in only
    found = client.post(url, {"q": "DELETE YOUR"}).content.decode()
    assert "delete your account" in found
    assert "تصویریں" not in found
    # A search put in the address by hand filters nothing
    assert "تصویریں" in client.get(url, {"q": "DELETE YOUR"}).content.decode()
    events = AuditEvent.objects.filter(action="digital.timeline_viewed")
    assert events.count() == 4
    assert "DELETE" not in "".join(e.details for e in events)


def test_a_timeline_without_messages_shows_no_empty_table(worker: Any, case: Any, logged_in: Any) -> None:
    # a table of headers and no cells tells a screen reader nothing; the count says "0 messages"
    body = logged_in(worker).get(reverse("digital:timeline", kwargs={"code": case.code})).content.decode()
    assert "0 messages" in body
    assert '<table class="timeline">' not in body
    upload(worker, case, ANDROID, "a.txt")
    body = logged_in(worker).get(reverse("digital:timeline", kwargs={"code": case.code})).content.decode()
    assert '<table class="timeline">' in body


def test_timeline_refused_to_roles_without_digital_view(case: Any, cell: Any, staff: Any, logged_in: Any) -> None:
    psychologist = staff(Role.PSYCHOLOGIST, cell, username="psy")
    response = logged_in(psychologist).get(reverse("digital:timeline", kwargs={"code": case.code}))
    assert response.status_code in {403, 404}


def test_pin_exhibit_with_peca_offences_and_next_steps(worker: Any, case: Any, logged_in: Any) -> None:
    upload(worker, case, ANDROID, "a.txt")
    message = ChatMessage.objects.get()
    client = logged_in(worker)
    client.post(
        reverse("digital:exhibit_pin", kwargs={"message_id": message.pk}),
        {"note": "Threat to share images", "offences": ["PECA-21", "PECA-24"]},
    )
    exhibit = Exhibit.objects.get()
    assert exhibit.note == "Threat to share images"
    assert exhibit.pinned_by == worker
    assert sorted(o.code for o in exhibit.offences.all()) == ["PECA-21", "PECA-24"]
    event = AuditEvent.objects.get(action="digital.exhibit_pinned")
    assert event.details_dict()["offences"] == ["PECA-21", "PECA-24"]
    page = client.get(reverse("digital:case", kwargs={"code": case.code})).content.decode()
    assert "Threat to share images" in page
    assert "CrPC 155" in page
    assert "registers an FIR" in page
    # Only PECA offences are kept on an exhibit
    exhibit_pin(actor=worker, message=message, note="", offences=Offence.objects.filter(code="PPC-375"))
    assert not Exhibit.objects.get().offences.exists()


def _ready(worker: Any, case: Any, desk: Any) -> None:
    upload(worker, case, ANDROID, "a.txt")
    upload(worker, case, URDU, "b.txt")
    for message in ChatMessage.objects.all():
        exhibit_pin(actor=worker, message=message, note="", offences=Offence.objects.filter(code="PECA-24"))
    consent_record(
        actor=desk, case=case, purpose="sharing", decision="given", given_by="survivor", method="signed_form"
    )


def test_nccia_pack_in_both_languages_is_recorded_and_verifiable(
    worker: Any, case: Any, cell: Any, staff: Any, logged_in: Any
) -> None:
    desk = staff(Role.DESK_OFFICER, cell, username="desk7")
    _ready(worker, case, desk)
    # When the case worker issues the pack
    disclosures = nccia_pack_issue(
        actor=worker, case=case, recipient="NCCIA reporting centre (synthetic)", purpose="Complaint under PECA"
    )
    # Then an English and an Urdu copy are in the disclosure ledger with their hashes
    assert sorted(d.language for d in disclosures) == ["en", "ur"]
    assert Disclosure.objects.filter(case=case, document="nccia_pack", recipient_kind="nccia").count() == 2
    assert AuditEvent.objects.filter(action="document.disclosed").count() == 2
    assert AuditEvent.objects.filter(action="digital.nccia_pack_issued").count() == 1
    sources_hashes = [hashlib.sha256(ANDROID).hexdigest(), hashlib.sha256(URDU).hexdigest()]
    for disclosure in disclosures:
        assert disclosure.file is not None
        pdf = b"".join(storage.read_chunks(disclosure.file))
        assert is_pdf(pdf)
        assert hashlib.sha256(pdf).hexdigest() == disclosure.sha256
        text = page_text(pdf)
        exact = attached_text(pdf)[f"text-{disclosure.language}.txt"]
        # Every source file's SHA-256, and the messages from raw text
        for digest in sources_hashes:
            assert digest in text.replace("\n", "").replace(" ", "")
        assert "delete your account" in exact
        assert "تصویریں سب کو بھیج دوں گا\u200d" in exact
        assert case.code in text
    english = attached_text(b"".join(storage.read_chunks(disclosures[0].file)))["text-en.txt"]
    urdu = attached_text(b"".join(storage.read_chunks(disclosures[1].file)))["text-ur.txt"]
    assert "Complaint to the National Cyber Crime Investigation Agency" in english
    assert "PTA" in english
    assert "CrPC 155" in english
    # The Urdu copy is laid out in Urdu (its headings come from the Urdu catalogue)
    assert urdu.startswith("خفیہ")
    assert "کیس" in urdu
    assert "خفیہ" not in english
    assert english.startswith("Confidential")
    # And the download is audited
    response = logged_in(worker).get(reverse("digital:pack_download", kwargs={"disclosure_id": disclosures[0].pk}))
    assert b"".join(response.streaming_content) == b"".join(storage.read_chunks(disclosures[0].file))
    assert AuditEvent.objects.filter(action="digital.pack_downloaded").count() == 1


def test_pack_needs_exhibits_and_consent_or_an_order(worker: Any, case: Any) -> None:
    with pytest.raises(ValidationError):
        nccia_pack_issue(actor=worker, case=case, recipient="NCCIA", purpose="Complaint")
    upload(worker, case, ANDROID, "a.txt")
    exhibit_pin(actor=worker, message=ChatMessage.objects.get(), note="", offences=[])
    with pytest.raises(ValidationError):
        nccia_pack_issue(actor=worker, case=case, recipient="NCCIA", purpose="Complaint")
    assert not Disclosure.objects.exists()
    nccia_pack_issue(actor=worker, case=case, recipient="NCCIA", purpose="Complaint", order_reference="Order 1/2026")
    assert Disclosure.objects.count() == 2


def test_meta_e2ee_warning_is_shown_on_the_source_page(worker: Any, case: Any, logged_in: Any) -> None:
    import io
    import zipfile

    root = CORPUS / "meta" / "facebook_2024"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for p in root.rglob("*"):
            if p.is_file():
                archive.write(p, p.relative_to(root).as_posix())
    source = upload(worker, case, out.getvalue(), "facebook.zip")
    page = logged_in(worker).get(reverse("digital:source", kwargs={"source_id": source.pk})).content.decode()
    assert "secure-storage download" in page


def test_pack_shows_meta_raw_text_and_its_repaired_reading(worker: Any, case: Any) -> None:
    import io
    import zipfile

    from crisiscell.digital.pack import pack_context
    from crisiscell.documents.pdf import visible_text

    root = CORPUS / "meta" / "facebook_old"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for p in root.rglob("*"):
            if p.is_file():
                archive.write(p, p.relative_to(root).as_posix())
    upload(worker, case, out.getvalue(), "facebook.zip")
    garbled = next(m for m in ChatMessage.objects.filter(case=case) if m.display != m.raw)
    exhibit_pin(actor=worker, message=garbled, note="", offences=[])
    from django.template.loader import render_to_string

    html = render_to_string("digital/nccia_pack.html", {**pack_context(case), "font_faces": "", "language": "en"})
    text = visible_text(html)
    assert garbled.raw[:5] != garbled.display[:5]
    assert garbled.raw[:5] in text  # e.g. "CafÃ©", as Meta wrote it
    assert garbled.display[:5] in text  # "Café", as it reads


def test_the_source_page_says_what_the_date_order_rests_on_in_the_readers_language(
    worker: Any, case: Any, logged_in: Any
) -> None:
    from django.conf import settings
    from django.utils import translation
    from django.utils.html import escape

    # 03/04, 05/04 and 06/04 read forwards both ways: nothing in the file decides the order.
    chat = (
        b"03/04/2024, 09:00 - Sana Test: first\n05/04/2024, 09:00 - Bilal Test: second\n"
        b"06/04/2024, 10:30 - Sana Test: third\n"
    )
    source = upload(worker, case, chat, "chat.txt")
    url = reverse("digital:source", kwargs={"source_id": source.pk})
    client = logged_in(worker)
    assumed = "Nothing in the file decides it: this is an assumption. Check it against her phone."
    english = client.get(url).content.decode()
    assert "day/month/year" in english
    assert ">dmy<" not in english
    assert assumed in english
    # The parser's own reasoning stays, in English, marked as English for a screen reader.
    assert f'<p dir="ltr" lang="en">{escape(source.date_order_reason)}</p>' in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    urdu = client.get(url).content.decode()
    with translation.override("ur"):
        order, basis = str(translation.gettext("day/month/year")), str(translation.gettext(assumed))
    assert order != "day/month/year"
    assert basis != assumed
    assert order in urdu
    assert basis in urdu
    assert assumed not in urdu


def test_sources_imported_before_the_basis_was_recorded_get_it_from_the_parsers_words() -> None:
    import importlib

    from crisiscell.digital.parsers.whatsapp import parse_whatsapp

    migration = importlib.import_module("crisiscell.digital.migrations.0002_date_order_basis")
    chats = {
        "dates": b"31/12/2023, 21:15 - Sana Test: a\n",
        # 12 January then 1 February day first; 1 December then 2 January (backwards) month first.
        "chronology": b"12/01/2024, 09:00 - Sana Test: a\n01/02/2024, 09:00 - Sana Test: b\n",
        "assumed": b"03/04/2024, 09:00 - Sana Test: a\n05/04/2024, 09:00 - Sana Test: b\n",
        "conflict": b"31/01/2024, 09:00 - Sana Test: a\n01/31/2024, 09:05 - Sana Test: b\n",
        "none": b"just a note\n",
    }
    for basis, chat in chats.items():
        report = parse_whatsapp(chat).report
        assert report.date_order_basis == basis
        assert migration.basis_from_reason(report.date_order_reason) == basis
    given = parse_whatsapp(chats["assumed"], order="mdy").report
    assert migration.basis_from_reason(given.date_order_reason) == given.date_order_basis == "given"
    assert migration.basis_from_reason("chosen by staff after import (the import assumed dmy)") == "staff"
    assert migration.basis_from_reason("something else") == ""
