"""``crisiscell parse_chat`` end to end, in a subprocess: JSON lines out, summary on stderr, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crisiscell.digital.parsers.cli import main

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).resolve().parents[3]


def run(*args: str | Path, django: bool = True) -> subprocess.CompletedProcess[bytes]:
    module = ["-m", "crisiscell", "parse_chat"] if django else ["-m", "crisiscell.digital.parsers.cli"]
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}  # the command must not depend on the locale
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, *module, *map(str, args)], capture_output=True, cwd=REPO, env=env, timeout=120, check=False
    )


def lines(stdout: bytes) -> list[dict[str, object]]:
    text = stdout.decode("utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text[:-1].split("\n")]


def summary(stderr: bytes) -> dict[str, object]:
    text = stderr.decode("utf-8").strip()
    assert "\n" not in text
    result: dict[str, object] = json.loads(text)
    return result


def test_android_export_as_json_lines_with_summary_on_stderr() -> None:
    done = run(CORPUS / "android_mdy_12h.txt", "--tz", "Asia/Karachi")
    assert done.returncode == 0, done.stderr
    records = lines(done.stdout)
    assert len(records) == 13
    first = records[0]
    assert set(first) >= {"time", "author", "raw", "line", "kind", "source", "offset", "attachment"}
    assert first["time"] == "2023-12-30T21:15:00+05:00"
    assert first["kind"] == "system"
    assert records[4]["raw"] == "First line\nsecond line\n\nfourth line after an empty one"
    assert records[11]["raw"] == "آپ کہاں ہیں؟"
    report = summary(done.stderr)
    assert report["format"] == "android"
    assert report["date_order"] == "mdy"
    assert "12/30/23" in str(report["date_order_reason"])
    assert report["date_order_basis"] == "dates"
    assert report["timezone"] == "Asia/Karachi"
    assert report["unparsed_count"] == 0
    assert report["counts"]["total"] == 13


def test_order_and_time_zone_options() -> None:
    done = run(CORPUS / "ambiguous_dmy_by_chronology.txt", "--order", "mdy", "--tz", "UTC")
    assert done.returncode == 0
    assert lines(done.stdout)[0]["time"] == "2024-10-01T09:00:00+00:00"
    report = summary(done.stderr)
    assert report["date_order"] == "mdy"
    assert report["timezone"] == "UTC"


def test_zip_export_and_the_module_entry_point_without_django() -> None:
    done = run(CORPUS / "iphone_with_media.zip", django=False)
    assert done.returncode == 0, done.stderr
    records = lines(done.stdout)
    assert records[0]["attachment"] == "00000012-PHOTO-2023-12-31-09-00-00.jpg"
    assert records[0]["attachment_member"] == "00000012-PHOTO-2023-12-31-09-00-00.jpg"
    assert records[0]["source"] == "_chat.txt"
    assert summary(done.stderr)["format"] == "iphone"


def test_meta_folder() -> None:
    done = run(CORPUS / "meta" / "facebook_2024")
    assert done.returncode == 0, done.stderr
    records = lines(done.stdout)
    assert records[0]["display"] == "last message before encryption — آخری پیغام"
    assert records[0]["flags"] == ["e2ee_cutover"]
    report = summary(done.stderr)
    assert report["format"] == "facebook"
    assert "NOT in this download" in str(report["warnings"])


def test_lines_that_are_not_utf8_are_reported_with_their_bytes() -> None:
    done = run(CORPUS / "garbage_and_bad_bytes.txt")
    assert done.returncode == 0
    records = lines(done.stdout)  # still valid UTF-8 JSON
    bad = records[3]
    assert bad["kind"] == "unparsed"
    assert bytes.fromhex(str(bad["raw_bytes_hex"])) == b"31/12/2023, 21:16 - Bilal Test: bad bytes \xff\xfe here"
    report = summary(done.stderr)
    assert report["unparsed_count"] == 4
    assert [u["line"] for u in report["unparsed"]] == [1, 2, 4, 5]


def unreadable(tmp_path: Path) -> dict[str, tuple[Path, int]]:
    empty_zip = tmp_path / "empty.zip"
    zipfile.ZipFile(empty_zip, "w").close()
    photos = tmp_path / "photos.zip"
    with zipfile.ZipFile(photos, "w") as archive:
        archive.writestr("a.jpg", b"x")
        archive.writestr("b.jpg", b"y")
    notes = tmp_path / "notes.zip"
    with zipfile.ZipFile(notes, "w") as archive:
        archive.writestr("notes.txt", "A note, not a chat.\n")
    binary = tmp_path / "picture.txt"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    note = tmp_path / "note.txt"
    note.write_text("Just a note, not a chat.\n", encoding="utf-8")
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("31/12/2023, 21:15 - Sana Test: hi\n", encoding="utf-16")
    return {
        "missing": (tmp_path / "nowhere.txt", 2),
        "empty file": (empty, 2),
        "not UTF-8 and not a zip": (binary, 2),
        "UTF-16": (utf16, 2),
        "empty zip": (empty_zip, 2),
        "zip with no chat": (photos, 2),
        "text with no message": (note, 1),
        "zip holding a note": (notes, 1),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "empty file",
        "not UTF-8 and not a zip",
        "UTF-16",
        "empty zip",
        "zip with no chat",
        "text with no message",
        "zip holding a note",
    ],
)
def test_unreadable_input_exits_non_zero_with_a_clear_message(case: str, tmp_path: Path) -> None:
    path, status = unreadable(tmp_path)[case]
    done = run(path)
    assert done.returncode == status
    assert done.stdout == b""
    message = done.stderr.decode("utf-8")
    assert message.startswith("crisiscell parse_chat: error: ")
    assert str(path) in message


def test_unknown_time_zone(tmp_path: Path) -> None:
    done = run(CORPUS / "android_dmy_24h.txt", "--tz", "Mars/Olympus")
    assert done.returncode == 2
    assert b"unknown time zone" in done.stderr


def test_main_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CORPUS / "android_dmy_dots.txt")]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["raw"] for line in out.splitlines()] == ["Hallo", "Guten Morgen"]
    assert json.loads(err)["header"] == "d.m.y, HH:mm - Name: text"


def test_call_command_runs_the_same_code(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("parse_chat", str(CORPUS / "android_ymd_dashes.txt"))
    out, err = capsys.readouterr()
    assert [json.loads(line)["raw"] for line in out.splitlines()] == ["year first", "still year first"]
    assert json.loads(err)["date_order"] == "ymd"
    with pytest.raises(CommandError):
        call_command("parse_chat", str(CORPUS / "nowhere.txt"))
