"""Receiving files: hashes, type by content, chats parsed with provenance, hostile archives refused."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.digital import services
from crisiscell.digital.models import ChatMessage, DigitalSource, SourceKind
from crisiscell.digital.safety import Refused
from crisiscell.digital.services import exhibit_pin, source_set_date_order, source_set_timezone
from crisiscell.digital.tests.conftest import CORPUS, stored_files, upload
from crisiscell.documents import storage
from crisiscell.documents.models import StoredFile


def png_bytes(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, format="PNG")
    return out.getvalue()


def zip_of(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_whatsapp_text_is_stored_unchanged_with_hash_type_and_receiver(worker: Any, case: Any) -> None:
    # Given an Android export
    data = (CORPUS / "android_mdy_12h.txt").read_bytes()
    # When the case worker receives it
    source = upload(worker, case, data, "chat.txt")
    # Then the original is stored byte for byte, with its hash, size, type by content and who received it
    assert source.kind == SourceKind.WHATSAPP
    assert source.file.sha256 == hashlib.sha256(data).hexdigest()
    assert source.file.size == len(data)
    assert source.detected_type == "text/plain"
    assert source.received_by == worker
    assert source.received_at is not None
    assert b"".join(storage.read_chunks(source.file)) == data
    # And the file on disk is encrypted (no message text in it)
    assert b"Sana Test" not in storage.path_of(source.file.id).read_bytes()
    # And every message is kept with its provenance, the date order and zone recorded
    messages = list(ChatMessage.objects.filter(source=source).order_by("seq"))
    assert messages
    assert messages[0].member == "chat.txt"
    assert messages[0].line == 1
    assert messages[0].offset == 0
    for m in messages:
        assert data[m.offset :].decode("utf-8").find(m.raw.split("\n")[0]) >= 0
    assert source.date_order == "mdy"
    assert source.date_order_reason
    assert source.date_order_basis == "dates"  # 12/30/23 reads only month first
    assert source.timezone == "Asia/Karachi"
    event = AuditEvent.objects.get(action="digital.source_received")
    assert event.details_dict()["sha256"] == source.file.sha256
    assert event.details_dict()["messages"] == len(messages)
    assert "Sana" not in str(event.details)


def test_raw_text_is_kept_byte_for_byte_including_joiners_and_bad_bytes(worker: Any, case: Any) -> None:
    # Given an iPhone export with zero-width joiners and a line that is not UTF-8
    iphone = (CORPUS / "iphone_dmy_24h.txt").read_bytes()
    garbage = (CORPUS / "garbage_and_bad_bytes.txt").read_bytes()
    # When both are received
    first = upload(worker, case, iphone, "_chat.txt")
    second = upload(worker, case, garbage, "chat.txt")
    # Then the messages' raw text rebuilds the zero-width joiners exactly
    raws = "".join(ChatMessage.objects.filter(source=first).values_list("raw", flat=True))
    assert "\u200d" in raws
    # And unreadable lines are kept (reported, never dropped), with their exact bytes
    unparsed = ChatMessage.objects.filter(source=second, kind="unparsed")
    assert second.unparsed_lines == unparsed.count() > 0
    bad = [m for m in ChatMessage.objects.filter(source=second) if m.raw_bytes is not None]
    assert bad
    assert garbage.find(bytes(bad[0].raw_bytes)) >= 0


def test_iphone_zip_keeps_archive_and_its_photos_with_pdq(worker: Any, case: Any) -> None:
    # Given an iPhone export with media
    data = (CORPUS / "iphone_with_media.zip").read_bytes()
    # When it is received
    source = upload(worker, case, data, "WhatsApp Chat - Test.zip")
    # Then the archive is kept whole, its chat parsed and its images stored as members of it
    assert source.kind == SourceKind.WHATSAPP
    assert source.detected_type == "application/zip"
    assert ChatMessage.objects.filter(source=source).exists()
    members = DigitalSource.objects.filter(parent=source)
    assert members.exists()
    assert {m.member for m in members} == {
        "00000012-PHOTO-2023-12-31-09-00-00.jpg",
        "00000099-PHOTO-2023-12-30-08-00-00.jpg",
    }
    for member in members:
        # The corpus photos are JPEG headers only: kept, but no picture to hash or show.
        assert member.kind == SourceKind.IMAGE
        assert member.file.sha256 == hashlib.sha256(zipfile.ZipFile(io.BytesIO(data)).read(member.member)).hexdigest()
        assert member.viewing_copy is None
        assert member.pdq_hash == ""


def test_real_photos_in_an_archive_get_a_viewing_copy_and_pdq(worker: Any, case: Any) -> None:
    data = zip_of({"_chat.txt": b"[31/12/2023, 21:15:03] Sana Test: photo\n", "IMG-1.jpg": png_bytes()})
    source = upload(worker, case, data, "export.zip")
    member = DigitalSource.objects.get(parent=source)
    assert member.detected_type == "image/png"  # by content, although named .jpg
    assert member.viewing_copy is not None
    assert len(member.pdq_hash) == 64


def test_meta_download_records_the_end_to_end_warning(worker: Any, case: Any) -> None:
    # Given a Facebook download (2024 layout) with an e2ee_cutover thread, zipped
    root = CORPUS / "meta" / "facebook_2024"
    data = zip_of({p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()})
    # When it is received
    source = upload(worker, case, data, "facebook-sana.zip")
    # Then its threads are parsed and the warning recorded
    assert source.kind == SourceKind.META
    assert source.date_order_basis == "timestamps"
    assert source.e2ee_cutover
    assert any("secure" in w.lower() for w in source.parse_warnings)
    assert any("e2ee_cutover" in m.flags for m in ChatMessage.objects.filter(source=source))


def test_type_comes_from_content_not_the_name(worker: Any, case: Any) -> None:
    # Given a PNG named like a text file
    source = upload(worker, case, png_bytes(), "notes.txt")
    # Then it is an image
    assert source.kind == SourceKind.IMAGE
    assert source.detected_type == "image/png"


def _refused(worker: Any, case: Any, media: Path, data: bytes, name: str, words: str) -> None:
    before = StoredFile.objects.count()
    with pytest.raises(Refused) as refusal:
        upload(worker, case, data, name)
    assert words in str(refusal.value)
    assert "Nothing was stored" in str(refusal.value)
    assert StoredFile.objects.count() == before
    assert not DigitalSource.objects.exists()
    assert not AuditEvent.objects.filter(action="digital.source_received").exists()
    assert stored_files(media) == []


def test_path_traversal_is_refused(worker: Any, case: Any, media: Path) -> None:
    for name in ("../../etc/passwd", "/abs/path.txt", "ok/..\\..\\evil.txt"):
        _refused(worker, case, media, zip_of({"_chat.txt": b"x", name: b"evil"}), "export.zip", "outside")


def test_zip_bomb_is_refused(worker: Any, case: Any, media: Path, settings: Any) -> None:
    # Given a member that unpacks to 20 MB from a few kilobytes
    bomb = zip_of({"_chat.txt": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    _refused(worker, case, media, bomb, "export.zip", "zip bomb")
    # And an archive larger than the limit once unpacked, even at a modest ratio
    settings.CRISISCELL_DIGITAL_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    plain = zip_of({"a.bin": bytes(range(256)) * 8192}, compression=zipfile.ZIP_STORED)
    _refused(worker, case, media, plain, "export.zip", "Unpacked")


def test_symlink_in_archive_is_refused(worker: Any, case: Any, media: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("_chat.txt", b"31/12/2023, 21:15 - Sana Test: hi\n")
        link = zipfile.ZipInfo("media/photo.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    _refused(worker, case, media, out.getvalue(), "export.zip", "link")


def test_oversize_file_is_refused(worker: Any, case: Any, media: Path, settings: Any) -> None:
    settings.CRISISCELL_DIGITAL_MAX_UPLOAD_BYTES = 1024
    _refused(worker, case, media, b"a" * 2048, "big.txt", "larger than")


def test_not_an_archive_named_zip_is_refused(worker: Any, case: Any, media: Path) -> None:
    _refused(worker, case, media, b"31/12/2023, 21:15 - Sana Test: hi\n", "export.zip", "not a zip archive")


def test_failure_after_storing_leaves_nothing(worker: Any, case: Any, media: Path, monkeypatch: Any) -> None:
    # Given a failure after the original was written (the message import breaks)
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChatMessage.objects, "bulk_create", broken)
    data = (CORPUS / "android_dmy_24h.txt").read_bytes()
    # When it is received
    with pytest.raises(RuntimeError):
        upload(worker, case, data, "chat.txt")
    # Then no record and no file is left
    assert not DigitalSource.objects.exists()
    assert stored_files(media) == []


def test_roles_without_digital_edit_cannot_upload(case: Any, staff: Any, cell: Any) -> None:
    desk = staff(Role.DESK_OFFICER, cell, username="desk2")
    with pytest.raises(PermissionDenied):
        upload(desk, case, b"hello", "a.txt")


def test_time_zone_change_moves_the_wall_clock_times(worker: Any, case: Any) -> None:
    # Given a chat read in Karachi time
    source = upload(worker, case, (CORPUS / "android_dmy_24h.txt").read_bytes(), "chat.txt")
    first = ChatMessage.objects.filter(source=source).order_by("seq").first()
    assert first is not None
    assert first.time is not None
    before = first.time
    # When the phone turns out to have been on Dubai time (one hour behind)
    source_set_timezone(actor=worker, source=source, tz="Asia/Dubai")
    first.refresh_from_db()
    # Then the same wall-clock time is now an hour later in absolute terms
    assert first.time is not None
    assert (first.time - before).total_seconds() == 3600
    source.refresh_from_db()
    assert source.timezone == "Asia/Dubai"
    event = AuditEvent.objects.get(action="digital.source_settings_changed")
    assert event.details_dict() == {"timezone_from": "Asia/Karachi", "timezone_to": "Asia/Dubai"}


# Days and months that never pass 12, in chronological order read either way: the import
# cannot tell, and keeps day/month/year.
AMBIGUOUS = (
    b"03/04/2024, 09:00 - Unknown Test (synthetic): first\n"
    b"05/04/2024, 09:00 - Unknown Test (synthetic): second\n"
    b"06/04/2024, 10:30 - Survivor Test (synthetic): third\n"
)


def test_the_date_order_read_again_moves_each_message_and_keeps_messages_and_exhibits(worker: Any, case: Any) -> None:
    # given a chat whose dates read as 3, 5 and 6 April, and its first message pinned as an exhibit
    source = upload(worker, case, AMBIGUOUS, "chat.txt")
    assert (source.date_order, source.date_order_basis) == ("dmy", "assumed")
    stored = list(ChatMessage.objects.filter(source=source).order_by("seq"))
    exhibit = exhibit_pin(actor=worker, message=stored[0], note="", offences=[])
    # when the case worker learns that her phone writes month/day/year
    source_set_date_order(actor=worker, source=source, date_order="mdy")
    # then the same messages (same rows, same provenance) now fall on 4 March, 4 May and 4 June
    after = list(ChatMessage.objects.filter(source=source).order_by("seq"))
    assert [m.pk for m in after] == [m.pk for m in stored]
    assert [(m.raw, m.line, m.offset) for m in after] == [(m.raw, m.line, m.offset) for m in stored]
    karachi = [timezone.localtime(m.time) for m in after if m.time is not None]
    assert [(t.month, t.day, t.hour, t.minute) for t in karachi] == [(3, 4, 9, 0), (5, 4, 9, 0), (6, 4, 10, 30)]
    exhibit.refresh_from_db()
    assert exhibit.message_id == stored[0].pk
    source.refresh_from_db()
    assert source.date_order == "mdy"
    assert "dmy" in source.date_order_reason
    assert source.date_order_basis == "staff"
    event = AuditEvent.objects.filter(action="digital.source_settings_changed").latest("id")
    assert event.details_dict() == {"date_order_from": "dmy", "date_order_to": "mdy"}
    assert event.actor == worker


def test_a_chat_archive_is_read_again_from_disk_past_the_memory_limit(worker: Any, case: Any, monkeypatch) -> None:
    # given a WhatsApp archive (the chat and a photo), and an in-memory limit far below its size
    archive = zip_of({"WhatsApp Chat with Unknown Test.txt": AMBIGUOUS, "IMG-1.png": png_bytes()})
    source = upload(worker, case, archive, "WhatsApp Chat with Unknown Test.zip")
    assert source.kind == SourceKind.WHATSAPP
    monkeypatch.setattr(services, "REREAD_IN_MEMORY_BYTES", 64)
    # when its dates are read again month first
    source_set_date_order(actor=worker, source=source, date_order="mdy")
    # then its messages moved as the text file's do
    months = [timezone.localtime(m.time).month for m in ChatMessage.objects.filter(source=source).order_by("seq")]
    assert months == [3, 5, 6]


def test_a_date_order_that_is_not_one_or_a_file_that_is_not_a_chat_changes_nothing(
    worker: Any, case: Any, staff: Any, cell: Any
) -> None:
    source = upload(worker, case, AMBIGUOUS, "chat.txt")
    times = list(ChatMessage.objects.filter(source=source).order_by("seq").values_list("time", flat=True))
    with pytest.raises(ValidationError):
        source_set_date_order(actor=worker, source=source, date_order="")
    with pytest.raises(ValidationError):
        source_set_date_order(actor=worker, source=source, date_order="dym")
    photo = upload(worker, case, png_bytes(), "p.png")
    with pytest.raises(ValidationError):
        source_set_date_order(actor=worker, source=photo, date_order="mdy")
    with pytest.raises(PermissionDenied):
        source_set_date_order(actor=staff(Role.DESK_OFFICER, cell, username="desk3"), source=source, date_order="mdy")
    assert list(ChatMessage.objects.filter(source=source).order_by("seq").values_list("time", flat=True)) == times
    assert not AuditEvent.objects.filter(action="digital.source_settings_changed").exists()


def test_an_order_in_which_the_dates_are_impossible_flags_them_and_a_changed_original_is_refused(
    worker: Any, case: Any
) -> None:
    # given a chat with a 13th day, read day/month/year
    source = upload(worker, case, AMBIGUOUS + b"13/04/2024, 08:00 - Unknown Test (synthetic): fourth\n", "chat.txt")
    assert source.date_order == "dmy"
    # when it is read month/day/year, the 13th month is no date: its message stays, flagged, without a time
    source_set_date_order(actor=worker, source=source, date_order="mdy")
    last = ChatMessage.objects.filter(source=source).order_by("seq").last()
    assert last is not None
    assert last.raw.endswith("fourth")
    assert last.time is None
    assert last.flags
    # and a stored original that no longer matches its SHA-256 is never read again
    path = storage.path_of(source.file.id)
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[-5] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValidationError, match="SHA-256"):
        source_set_date_order(actor=worker, source=source, date_order="dmy")
    source.refresh_from_db()
    assert source.date_order == "mdy"


def test_file_storage_mode_is_read_only(worker: Any, case: Any) -> None:
    source = upload(worker, case, b"31/12/2023, 21:15 - Sana Test: hi\n", "chat.txt")
    assert stat.S_IMODE(storage.path_of(source.file.id).stat().st_mode) == 0o400


def test_nul_bytes_are_kept_exactly_beside_a_storable_text(worker: Any, case: Any) -> None:
    # Given a message holding a NUL byte (no database text column takes one)
    data = b"31/12/2023, 21:15 - Sana Test: a\x00b\n"
    # When it is received
    source = upload(worker, case, data, "chat.txt")
    # Then the text shows a replacement character and the exact bytes are kept
    message = ChatMessage.objects.get(source=source)
    assert message.raw == "a\ufffdb"
    assert message.raw_bytes is not None
    assert bytes(message.raw_bytes) == b"a\x00b"
