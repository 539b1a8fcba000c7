"""Meta (Facebook, Instagram) parser against the synthetic corpus in tests/corpus/meta."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crisiscell.digital.parsers.meta import parse_meta_path, repair_mojibake
from crisiscell.digital.parsers.types import ExportError, normalise

META = Path(__file__).parent / "corpus" / "meta"


def zipped(folder: Path, tmp_path: Path) -> Path:
    path = tmp_path / f"{folder.name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return path


@pytest.mark.parametrize("layout", sorted(p.name for p in META.iterdir()))
def test_every_layout_parses_from_folder_and_zip_alike(layout: str, tmp_path: Path) -> None:
    from_folder = parse_meta_path(META / layout)
    from_zip = parse_meta_path(zipped(META / layout, tmp_path))
    assert from_folder.messages
    assert [m.raw for m in from_folder.messages] == [m.raw for m in from_zip.messages]
    assert [m.attachments for m in from_folder.messages] == [m.attachments for m in from_zip.messages]
    for m in from_folder.messages:
        # raw_lines is the message's JSON text, found where line and offset say.
        data = (META / layout / m.source).read_bytes()
        assert data[m.offset :].startswith(m.raw_lines[0].encode())
        assert data[: m.offset].count(b"\n") + 1 == m.line
        assert json.loads(m.raw_lines[0]).get("content", "") == m.raw
        assert m.normalised == normalise(m.display)
        assert m.time is not None
        assert m.time.tzinfo is not None
    warnings = " ".join(from_folder.report.warnings)
    assert "secure-storage download" in warnings


def test_old_layout_repairs_mis_encoding_for_display_only() -> None:
    result = parse_meta_path(META / "facebook_old")
    first, second = result.messages  # time order, although the file is newest first
    assert first.raw == "Caf\u00c3\u00a9 at 5? \u00e2\u009c\u0085"  # exactly as the JSON holds it
    assert first.display == "Café at 5? ✅"
    assert first.normalised == "café at 5? ✅"
    assert first.author == "Sana Tést"
    assert first.time == datetime(2023, 12, 30, 16, 0, tzinfo=UTC)
    assert second.display == "Bahut shukriya 😊"
    (reaction,) = second.reactions
    assert (reaction.actor, reaction.display, reaction.raw) == ("Sana Tést", "❤", "\u00e2\u009d\u00a4")
    assert result.report.threads[0].title == "Sana Tést"
    assert result.report.threads[0].folder == "inbox"


def test_thread_split_over_two_files_is_merged_in_time_order() -> None:
    result = parse_meta_path(META / "facebook_2022")
    inbox = [m for m in result.messages if m.thread and m.thread.endswith("inbox/bilaltest_1")]
    assert [m.raw for m in inbox] == [
        "oldest, in message_2",
        "older, in message_2",
        "",
        "newest, in message_1",
    ]
    assert [m.source.rsplit("/", 1)[1] for m in inbox] == [
        "message_2.json",
        "message_2.json",
        "message_1.json",
        "message_1.json",
    ]
    times = [m.time for m in inbox]
    assert times == sorted(t for t in times if t is not None)
    photo = inbox[2]
    assert photo.kind == "attachment"
    assert photo.attachment == "123.jpg"
    assert photo.attachments[0].present is True
    assert photo.attachment_member == "your_activity_across_facebook/messages/inbox/bilaltest_1/photos/123.jpg"
    folders = {t.folder for t in result.report.threads}
    assert folders == {"inbox", "archived_threads", "message_requests"}
    (thread,) = [t for t in result.report.threads if t.folder == "inbox"]
    assert len(thread.files) == 2
    assert thread.messages == 4
    assert result.report.format == "facebook"


def test_missing_attachment_is_reported() -> None:
    result = parse_meta_path(META / "facebook_2022")
    (request,) = [m for m in result.messages if m.thread and "message_requests" in m.thread]
    assert request.attachments[0].kind == "video"
    assert request.attachments[0].present is False
    assert result.report.media_missing == (
        "your_activity_across_facebook/messages/message_requests/stranger_9/videos/missing.mp4",
    )


def test_e2ee_cutover_thread_is_included_marked_and_warned_about() -> None:
    result = parse_meta_path(META / "facebook_2024")
    cutover = [m for m in result.messages if "e2ee_cutover" in m.flags]
    assert len(cutover) == 2
    assert cutover[0].display == "last message before encryption — آخری پیغام"
    unsent = cutover[1]
    assert unsent.kind == "deleted"
    assert "unsent" in unsent.flags
    assert result.report.extra["e2ee_cutover_threads"] == ["Ayesha Test"]
    first_warning = result.report.warnings[0]
    assert "1 chat(s) became end-to-end encrypted (Ayesha Test)" in first_warning
    assert "NOT in this download" in first_warning
    audio = next(m for m in result.messages if m.kind == "attachment")
    assert [a.kind for a in audio.attachments] == ["audio", "file"]


def test_apostrophe_layout_share_links_and_system_lines() -> None:
    result = parse_meta_path(META / "facebook_2023")
    share, joined = result.messages
    assert share.attachments[0].kind == "share"
    assert share.attachment == "https://example.org/post/1"
    assert share.display == "Ñandú test"
    assert joined.kind == "system"


def test_instagram_layout_with_reactions_and_shares() -> None:
    result = parse_meta_path(META / "instagram")
    assert result.report.format == "instagram"
    assert result.report.threads[0].platform == "instagram"
    texts = [m.display for m in result.messages]
    assert texts == ["Kiya haal hai? 😘", "", "Liked a message"]
    share = result.messages[1]
    assert share.reactions[0].display == "😢"
    assert share.attachment == "https://www.instagram.com/p/TESTONLY/"


def test_repair_leaves_proper_text_alone() -> None:
    assert repair_mojibake("plain") == "plain"
    assert repair_mojibake("آخری") == "آخری"  # code points above U+00FF: never mis-encoded
    assert repair_mojibake("\u00e9") == "\u00e9"  # a lone é is not a UTF-8 sequence: kept
    assert repair_mojibake("\u00c3\u00a9") == "é"


def test_broken_json_file_is_kept_as_unparsed(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(META / "facebook_old", folder)
    bad = folder / "messages/inbox/broken_1/message_1.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"participants": [], "messages": [{"sender_name": "X"', encoding="ascii")
    result = parse_meta_path(folder)
    (unparsed,) = [m for m in result.messages if m.kind == "unparsed"]
    assert unparsed.raw == bad.read_text()
    assert result.report.unparsed[0].source == "messages/inbox/broken_1/message_1.json"
    assert len(result.messages) == 3


def test_no_threads_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(ExportError, match="no Meta message threads"):
        parse_meta_path(tmp_path)
