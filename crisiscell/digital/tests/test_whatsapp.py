"""WhatsApp parser against the synthetic corpus (tests/corpus; every name in it is invented)."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crisiscell.digital.parsers.types import OMITTED, ExportError, Message, ParseResult, normalise
from crisiscell.digital.parsers.whatsapp import (
    decide_order,
    parse_whatsapp,
    parse_whatsapp_dir,
    parse_whatsapp_path,
    parse_whatsapp_zip,
)

CORPUS = Path(__file__).parent / "corpus"
KHI = ZoneInfo("Asia/Karachi")


def parse(name: str, **kwargs: object) -> ParseResult:
    return parse_whatsapp_path(CORPUS / name, **kwargs)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=KHI)  # type: ignore[misc]


def rebuilt(messages: list[Message]) -> str:
    return "".join("".join(m.raw_lines) for m in messages)


def decoded(name: str) -> str:
    return (CORPUS / name).read_bytes().decode("utf-8-sig", "surrogateescape")


TEXT_FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


@pytest.mark.parametrize("name", TEXT_FILES)
def test_every_corpus_file_is_rebuilt_exactly_from_raw_lines(name: str) -> None:
    result = parse(name)
    assert rebuilt(result.messages) == decoded(name)
    assert result.report.counts["total"] == len(result.messages)
    for m in result.messages:
        assert m.normalised == normalise(m.raw)
        assert m.display == m.raw
        assert m.source == name


@pytest.mark.parametrize("name", TEXT_FILES)
def test_offsets_are_byte_offsets_of_each_first_line(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    for m in parse(name).messages:
        assert data[m.offset :].startswith(m.raw_lines[0].encode("utf-8", "surrogateescape"))
        line_start = sum(1 for _ in data[: m.offset].split(b"\n")) if m.offset else 1
        assert m.line == line_start


def test_android_month_first_12_hour_with_every_kind() -> None:
    result = parse("android_mdy_12h.txt")
    report = result.report
    assert report.format == "android"
    assert report.date_order == "mdy"
    assert "12/30/23" in report.date_order_reason
    assert report.date_order_basis == "dates"
    assert report.timezone == "Asia/Karachi"
    assert report.header == "m/d/y, h:mm AM/PM - Name: text"
    by_line = {m.line: m for m in result.messages}

    encryption = by_line[1]
    assert encryption.kind == "system"
    assert encryption.author is None
    assert encryption.time == at(2023, 12, 30, 21, 15)
    assert by_line[2].kind == "system"  # created group
    assert by_line[3].raw == "Sana Test added Bilal Test"

    multi = by_line[5]
    assert multi.author == "Bilal Test"
    assert multi.raw == "First line\nsecond line\n\nfourth line after an empty one"
    assert len(multi.raw_lines) == 4
    assert multi.raw_lines[0] == "12/30/23, 9:18 PM - Bilal Test: First line\n"
    assert multi.normalised == "first line second line fourth line after an empty one"

    attached = by_line[9]
    assert (attached.kind, attached.attachment) == ("attachment", "IMG-20231231-WA0001.jpg")
    assert attached.time == at(2023, 12, 31, 10, 0)
    omitted = by_line[10]
    assert (omitted.kind, omitted.attachment, omitted.raw) == ("attachment", OMITTED, "<Media omitted>")
    assert by_line[11].kind == "deleted"
    assert by_line[12].kind == "deleted"
    edited = by_line[13]
    assert (edited.kind, edited.edited) == ("edited", True)
    assert edited.raw == "Meeting at 5 <This message was edited>"

    subject = by_line[14]
    assert subject.kind == "system"
    assert subject.author is None
    assert subject.raw == 'Sana Test changed the subject from "Family" to "Family: Eid plans"'
    urdu = by_line[15]
    assert urdu.raw == "آپ کہاں ہیں؟"
    assert urdu.time == at(2023, 12, 31, 12, 0)  # 12 PM is noon
    left = by_line[16]
    assert left.time == at(2024, 1, 1, 0, 30)  # 12:30 AM is just after midnight
    assert left.kind == "system"
    assert report.counts == {
        "message": 3,
        "system": 5,
        "attachment": 2,
        "deleted": 2,
        "edited": 1,
        "unparsed": 0,
        "total": 13,
        "edited_flag": 1,
        "lines": 16,
    }


def test_android_day_first_24_hour_and_attachment_caption() -> None:
    result = parse("android_dmy_24h.txt")
    assert result.report.date_order == "dmy"
    assert [m.time for m in result.messages] == [
        at(2023, 12, 31, 21, 15),
        at(2023, 12, 31, 23, 59),
        at(2024, 1, 1, 0, 1),
        at(2024, 1, 13, 8, 30),
    ]
    video = result.messages[-1]
    assert video.attachment == "VID-20240113-WA0002.mp4"
    assert video.raw == "VID-20240113-WA0002.mp4 (file attached)\nCaption on the next line"


def test_dots_and_two_digit_years() -> None:
    result = parse("android_dmy_dots.txt")
    assert result.report.header == "d.m.y, HH:mm - Name: text"
    assert [m.time for m in result.messages] == [at(2023, 12, 30, 21, 15), at(2023, 12, 31, 7, 5)]


def test_year_first_with_dashes() -> None:
    result = parse("android_ymd_dashes.txt")
    assert result.report.date_order == "ymd"
    assert "is a year" in result.report.date_order_reason
    assert result.report.date_order_basis == "dates"
    assert result.messages[1].time == at(2024, 1, 2, 9, 0)


def test_urdu_digits_arabic_comma_and_urdu_am_pm() -> None:
    result = parse("android_urdu_digits.txt")
    assert result.report.date_order == "dmy"
    first, second = result.messages
    assert first.author == "ثناء ٹیسٹ"
    assert first.time == at(2023, 12, 30, 21, 15)  # بعد دوپہر: after noon
    assert second.time == at(2023, 12, 31, 10, 5)  # قبل دوپہر: before noon
    assert second.raw == "وعلیکم السلام، کل \u06f5 بجے\nدوسری سطر"
    assert "5" in second.normalised  # Urdu digit made ASCII in the search copy only
    assert "\u06f5" in second.raw


def test_arabic_indic_digits_with_right_to_left_marks_in_the_date() -> None:
    result = parse("android_arabic_digits.txt")
    first, second = result.messages
    assert first.time == at(2023, 12, 30, 21, 15)  # م
    assert second.time == at(2023, 12, 31, 10, 5)  # ص
    assert second.raw == "أهلا ٣ مرات"
    assert second.normalised == "أهلا 3 مرات"
    assert "\u200f" in first.raw_lines[0]


def test_iphone_bom_crlf_marks_and_markers() -> None:
    result = parse("iphone_dmy_24h.txt")
    report = result.report
    assert report.format == "iphone"
    assert report.bom is True
    assert report.header == "[d/m/y, HH:mm:ss] Name: text"
    messages = result.messages
    assert messages[0].offset == 3  # after the byte order mark
    assert messages[0].kind == "system"
    assert messages[0].author is None
    assert messages[0].raw.startswith("\u200eMessages and calls")
    assert messages[1].kind == "system"
    multi = messages[2]
    assert multi.raw == "Salam\r\nmulti-line\r\nmessage"  # the file's own newlines
    assert multi.raw_lines[-1] == "message\r\n"
    photo = messages[3]
    assert (photo.kind, photo.attachment) == ("attachment", "00000012-PHOTO-2023-12-31-09-00-00.jpg")
    assert photo.raw_lines[0].startswith("\u200e[31/12/2023")
    assert (messages[4].kind, messages[4].attachment) == ("attachment", OMITTED)
    assert messages[5].kind == "deleted"
    assert (messages[6].kind, messages[6].edited) == ("edited", True)
    joiners = messages[7]
    assert joiners.raw == "zero\u200dwidth joiner 👩\u200d👩\u200d👧 and \u200fRLM kept"
    assert "\u200f" not in joiners.normalised
    assert "\u200d" in joiners.normalised  # zero-width joiners are not direction marks
    assert joiners.time == at(2023, 12, 31, 13, 45, 10)


def test_iphone_12_hour_with_narrow_no_break_space() -> None:
    result = parse("iphone_mdy_12h.txt")
    assert result.report.date_order == "mdy"
    assert [m.time for m in result.messages] == [
        at(2023, 12, 30, 21, 15, 3),
        at(2023, 12, 31, 0, 0),
        at(2023, 12, 31, 12, 0),
        at(2023, 12, 31, 12, 1),
    ]
    call = result.messages[-1]
    assert call.author == "Bilal Test"  # a call notice still has its author
    assert "\u202f" in result.messages[0].raw_lines[0]


def test_ambiguous_dates_resolved_by_chronology() -> None:
    dmy = parse("ambiguous_dmy_by_chronology.txt").report
    assert dmy.date_order == "dmy"
    assert "time order" in dmy.date_order_reason
    assert dmy.date_order_basis == "chronology"
    assert not dmy.warnings
    mdy = parse("ambiguous_mdy_by_chronology.txt")
    assert mdy.report.date_order == "mdy"
    assert mdy.messages[3].time == at(2024, 2, 1, 9, 0)


def test_undecidable_order_defaults_to_day_first_and_says_so() -> None:
    report = parse("ambiguous_tie.txt").report
    assert report.date_order == "dmy"
    assert "usual order in Pakistan" in report.date_order_reason
    assert report.date_order_basis == "assumed"
    assert any("assumption" in w for w in report.warnings)


def test_order_given_by_the_user_wins() -> None:
    result = parse("ambiguous_dmy_by_chronology.txt", order="mdy")
    assert result.report.date_order == "mdy"
    assert "given by the user" in result.report.date_order_reason
    assert result.report.date_order_basis == "given"
    assert result.messages[0].time == at(2024, 10, 1, 9, 0)


def test_forced_order_that_makes_dates_impossible_leaves_time_empty() -> None:
    result = parse("android_dmy_24h.txt", order="mdy")
    assert result.messages[0].time is None  # 31/12 cannot be month 31
    assert "invalid_date" in result.messages[0].flags
    assert any("impossible" in w for w in result.report.warnings)
    assert rebuilt(result.messages) == decoded("android_dmy_24h.txt")


def test_garbage_and_bytes_that_are_not_utf8_become_unparsed_lines() -> None:
    result = parse("garbage_and_bad_bytes.txt")
    kinds = [(m.line, m.kind) for m in result.messages]
    assert kinds == [(1, "unparsed"), (2, "unparsed"), (3, "message"), (4, "unparsed"), (5, "unparsed"), (6, "message")]
    reasons = {u.line: u.reason for u in result.report.unparsed}
    assert reasons == {
        1: "before the first message",
        2: "before the first message",
        4: "not valid UTF-8",
        5: "follows an unreadable line",
    }
    bad = result.messages[3]
    assert "invalid_utf8" in bad.flags
    assert bad.raw.encode("utf-8", "surrogateescape") == b"31/12/2023, 21:16 - Bilal Test: bad bytes \xff\xfe here"
    assert result.report.extra["invalid_utf8_lines"] == [4]
    data = (CORPUS / "garbage_and_bad_bytes.txt").read_bytes()
    assert rebuilt(result.messages).encode("utf-8", "surrogateescape") == data


def test_lines_shaped_like_other_headers_stay_in_the_message_and_are_reported() -> None:
    result = parse("lookalike_lines.txt")
    first = result.messages[0]
    assert len(result.messages) == 2
    assert first.raw.splitlines()[1] == "[31/12/2023, 21:10:00] Bilal Test: forged-looking iPhone line"
    assert result.report.extra["lookalike_lines"] == [2, 3]
    assert any("look like a header" in w for w in result.report.warnings)


def test_iphone_zip_links_attachments_to_members() -> None:
    result = parse_whatsapp_zip(CORPUS / "iphone_with_media.zip")
    photo, audio, text = result.messages
    assert photo.attachment_member == "00000012-PHOTO-2023-12-31-09-00-00.jpg"
    assert audio.attachment == "00000013-AUDIO-2023-12-31-09-05-00.opus"
    assert audio.attachment_member is None
    assert text.source == "_chat.txt"
    report = result.report
    assert report.media_linked == 1
    assert report.media_missing == ("00000013-AUDIO-2023-12-31-09-05-00.opus",)
    assert report.media_unreferenced == ("00000099-PHOTO-2023-12-30-08-00-00.jpg",)
    assert "_chat.txt" in report.members


def test_android_zip_named_after_the_chat() -> None:
    result = parse("android_with_media.zip")
    assert result.messages[0].source == "WhatsApp Chat with Sana Test.txt"
    assert result.messages[0].attachment_member == "IMG-20231231-WA0001.jpg"


def test_unpacked_folder_links_files_beside_the_chat(tmp_path: Path) -> None:
    with zipfile.ZipFile(CORPUS / "iphone_with_media.zip") as archive:
        archive.extractall(tmp_path)
    result = parse_whatsapp_dir(tmp_path)
    assert result.messages[0].attachment_member == "00000012-PHOTO-2023-12-31-09-00-00.jpg"


def test_zip_without_a_chat_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.jpg", b"x")
        archive.writestr("b.jpg", b"y")
    with pytest.raises(ExportError, match="no WhatsApp chat"):
        parse_whatsapp_zip(path)


def test_empty_zip_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    zipfile.ZipFile(path, "w").close()
    with pytest.raises(ExportError, match="empty"):
        parse_whatsapp_zip(path)


def test_text_without_any_header_is_kept_line_by_line() -> None:
    result = parse_whatsapp(b"just a note\nand another\n")
    assert result.report.format == "unknown"
    assert result.report.date_order_basis == "none"
    assert [m.kind for m in result.messages] == ["unparsed", "unparsed"]
    assert rebuilt(result.messages) == "just a note\nand another\n"


def test_empty_input() -> None:
    result = parse_whatsapp(b"")
    assert result.messages == []
    assert result.report.counts["total"] == 0


def test_last_line_without_newline_and_other_line_separators() -> None:
    text = "31/12/2023, 21:15 - Sana Test: a\u2028b\x0cc\n31/12/2023, 21:16 - Bilal Test: end without newline"
    result = parse_whatsapp(text.encode())
    assert [m.raw for m in result.messages] == ["a\u2028b\x0cc", "end without newline"]
    assert rebuilt(result.messages) == text


def test_time_zone_is_a_parameter_and_recorded() -> None:
    result = parse("android_dmy_24h.txt", tz="UTC")
    assert result.report.timezone == "UTC"
    assert result.messages[0].time == datetime(2023, 12, 31, 21, 15, tzinfo=ZoneInfo("UTC"))


def test_decide_order_needs_no_dates() -> None:
    decision = decide_order([])
    assert (decision.order, decision.basis) == ("dmy", "none")


def test_dates_that_disagree_are_a_conflict_and_say_so() -> None:
    # 31/01 reads only day first, 01/31 only month first: the file contradicts itself.
    text = "31/01/2024, 09:00 - Sana Test: first\n01/31/2024, 09:05 - Bilal Test: second\n"
    report = parse_whatsapp(text.encode()).report
    assert report.date_order_basis == "conflict"
    assert report.date_order_reason.startswith("conflicting dates")
    assert any(w.startswith("Dates disagree") for w in report.warnings)


def test_messages_are_frozen() -> None:
    message = parse("android_dmy_dots.txt").messages[0]
    with pytest.raises(AttributeError):
        message.raw = "changed"  # type: ignore[misc]


def test_long_runs_of_marks_and_spaces_stay_linear() -> None:
    # A crafted export: without possessive loops these lines take quadratic time.
    marks = "\u200e" * 50_000
    text = (
        f"{marks}x\n"
        f"31/12/2023, 21:15 - Sana Test: {marks} (file attached) edited> omitted deleted {marks}\n"
        f"31/12/2023,{' ' * 50_000}x\n"
        f"31/12/2023, 21:16 - Bilal Test: {marks}<This message was edited>{marks}\n"
    )
    result = parse_whatsapp(text.encode())
    assert [m.kind for m in result.messages] == ["unparsed", "message", "edited"]
    assert rebuilt(result.messages) == text


@pytest.mark.parametrize(
    ("text", "expected", "fmt"),
    [
        # Android with seconds, 24-hour and 12-hour.
        ("31/12/2023, 21:15:07 - Sana Test: hi\n", at(2023, 12, 31, 21, 15, 7), "android"),
        ("12/31/23, 9:15:07 PM - Sana Test: hi\n", at(2023, 12, 31, 21, 15, 7), "android"),
        # iPhone without seconds, 24-hour and 12-hour (U+202F before PM).
        ("[31/12/2023, 21:15] Sana Test: hi\n", at(2023, 12, 31, 21, 15), "iphone"),
        ("[12/31/23, 9:15\u202fPM] Sana Test: hi\n", at(2023, 12, 31, 21, 15), "iphone"),
        # iPhone with dots (German locale) and with dashes (year first).
        ("[31.12.23, 21:15:03] Sana Test: hi\n", at(2023, 12, 31, 21, 15, 3), "iphone"),
        ("[2023-12-31, 21:15:03] Sana Test: hi\n", at(2023, 12, 31, 21, 15, 3), "iphone"),
    ],
)
def test_seconds_and_clock_variants_on_both_platforms(text: str, expected: datetime, fmt: str) -> None:
    # Given one message in a shape the corpus files do not hold
    # When it is parsed
    result = parse_whatsapp(text)
    # Then its time, platform and raw text are right, and nothing is left over
    assert [m.time for m in result.messages] == [expected]
    assert result.report.format == fmt
    assert result.messages[0].raw == "hi"
    assert rebuilt(result.messages) == text
