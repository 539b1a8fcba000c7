"""Encrypted write-once storage, streamed; PDFs in English and Urdu with their exact text."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template import engines

from crisiscell.documents import storage
from crisiscell.documents.models import StoredFile
from crisiscell.documents.pdf import render_pdf, visible_text, warm_up
from crisiscell.tests.pdf import attached_text, is_pdf, page_text


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> Path:
    root = tmp_path / "media"
    settings.CRISISCELL_MEDIA_DIR = root
    return root


@pytest.mark.django_db
@pytest.mark.parametrize("size", [0, 1, storage.CHUNK - 1, storage.CHUNK, storage.CHUNK + 1, 3 * storage.CHUNK + 17])
def test_a_file_round_trips_with_its_hash(size: int, media: Path) -> None:
    data = os.urandom(size)
    record = storage.store(io.BytesIO(data), kind="test", max_bytes=10 * storage.CHUNK)
    assert (record.size, record.sha256) == (size, hashlib.sha256(data).hexdigest())
    assert b"".join(storage.read_chunks(record)) == data
    on_disk = storage.path_of(record.id).read_bytes()
    if size >= 16:
        assert data[:16] not in on_disk  # encrypted at rest
    assert storage.verify(record)


@pytest.mark.django_db
def test_an_iterable_source_is_stored_the_same(media: Path) -> None:
    pieces = [os.urandom(700_000) for _ in range(4)]
    record = storage.store(iter(pieces), kind="test", max_bytes=10 * storage.CHUNK)
    assert b"".join(storage.read_chunks(record)) == b"".join(pieces)


@pytest.mark.django_db
def test_too_large_is_refused_and_leaves_nothing(media: Path) -> None:
    with pytest.raises(storage.FileTooLarge):
        storage.store(io.BytesIO(b"x" * (storage.CHUNK + 5)), kind="test", max_bytes=storage.CHUNK)
    assert not StoredFile.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["flip", "truncate", "swap", "drop_last"])
def test_any_change_on_disk_is_detected(media: Path, tamper: str) -> None:
    data = os.urandom(2 * storage.CHUNK + 100)
    record = storage.store(io.BytesIO(data), kind="test", max_bytes=10 * storage.CHUNK)
    path = storage.path_of(record.id)
    path.chmod(0o600)
    raw = bytearray(path.read_bytes())
    header = len(storage.MAGIC)
    first_len = int.from_bytes(raw[header : header + 4], "big")
    first = raw[header : header + 4 + first_len]
    second = raw[header + 4 + first_len : header + 8 + 2 * first_len]
    if tamper == "flip":
        raw[header + 10] ^= 1
    elif tamper == "truncate":
        del raw[-20:]
    elif tamper == "swap":
        raw[header : header + 8 + 2 * first_len] = second + first
    else:
        raw = raw[: header + 8 + 2 * first_len]
    path.write_bytes(bytes(raw))
    assert not storage.verify(record)
    with pytest.raises(storage.StoredFileCorrupt):
        b"".join(storage.read_chunks(record))


@pytest.mark.django_db
def test_stored_files_are_write_once(media: Path) -> None:
    record = storage.store(io.BytesIO(b"evidence"), kind="test", max_bytes=100)
    path = storage.path_of(record.id)
    assert oct(path.stat().st_mode & 0o777) == "0o400"
    with pytest.raises(FileExistsError):
        os.link(path, path)


@pytest.mark.django_db
def test_orphans_are_swept_but_recorded_files_kept(media: Path) -> None:
    kept = storage.store(io.BytesIO(b"kept"), kind="test", max_bytes=100)
    orphan = storage.path_of(kept.id).parent / ("f" * 32)
    orphan.write_bytes(b"orphan")
    assert storage.sweep_orphans(older_than_seconds=-1) == 1
    assert not orphan.exists()
    assert storage.path_of(kept.id).exists()


URDU = "طبی قانونی سرٹیفکیٹ"


def test_urdu_pdf_carries_its_exact_text_and_right_to_left_layout() -> None:
    template = engines["django"].from_string(
        '{% extends "documents/base.html" %}{% block body %}<h1>' + URDU + "</h1><p>KHI-2026-0042</p>{% endblock %}"
    )
    pdf = render_pdf(template, {}, language="ur")
    assert is_pdf(pdf)
    copies = attached_text(pdf)
    assert list(copies) == ["text-ur.txt"]
    assert copies["text-ur.txt"].splitlines() == [URDU, "KHI-2026-0042"]
    # The page itself holds Urdu glyphs and the case code.
    text = page_text(pdf)
    assert "KHI-2026-0042" in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_visible_text_skips_styles_and_keeps_blocks() -> None:
    html = (
        "<html><head><style>p{}</style><title>t</title></head><body><h1>A  b</h1><p>c</p>"
        "<table><tr><td>d</td><td>e</td></tr></table></body></html>"
    )
    assert visible_text(html) == "A b\nc\nd e\n"


def test_a_time_after_urdu_words_keeps_its_order_on_the_page() -> None:
    """The page lays glyphs out in reading order: the date before the hour, not after it."""
    template = engines["django"].from_string(
        '{% extends "documents/base.html" %}{% block body %}<p>' + URDU + " {{ at|local_time }}</p>{% endblock %}"
    )
    at = datetime(2026, 11, 23, 3, 1, tzinfo=UTC)  # 08:01 in Karachi
    text = page_text(render_pdf(template, {"at": at}, language="ur"))
    assert "2026-11-23 08:01" in text, text
    assert "08:01 2026-11-23" not in text


def test_the_warm_up_page_lays_out_both_scripts() -> None:
    """A worker's warm-up uses both fonts, so the first real document after a restart loads neither."""
    pdf = warm_up()
    assert is_pdf(pdf)
    text = page_text(pdf)
    assert "crisiscell" in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)
