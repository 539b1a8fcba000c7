"""Images: PDQ matching in the cell, viewing copies without metadata, intimate images blurred."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFilter, ImageStat

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.digital import images
from crisiscell.digital.models import IntimateViewing
from crisiscell.digital.selectors import image_matches
from crisiscell.digital.services import intimate_view
from crisiscell.digital.tests.conftest import upload
from crisiscell.documents import storage


def picture(seed: int, size: tuple[int, int] = (400, 300)) -> Image.Image:
    """A synthetic picture with structure (shapes), different for each seed."""
    image = Image.new("RGB", size, (20 * seed % 255, 90, 160))
    draw = ImageDraw.Draw(image)
    w, h = size
    for i in range(12):
        x = (i * 37 * (seed + 3)) % w
        y = (i * 53 * (seed + 5)) % h
        colour = ((i * 40 + seed * 70) % 255, (i * 90) % 255, (seed * 30 + i * 10) % 255)
        draw.ellipse([x, y, x + w // 4, y + h // 4], fill=colour)
        draw.rectangle([w - x - w // 6, h - y - h // 8, w - x, h - y], fill=colour[::-1])
    return image


def encoded(image: Image.Image, fmt: str = "JPEG", **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def with_gps(image: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SyntheticCam"  # Make
    exif[0x8825] = {1: "N", 2: (24.0, 51.0, 0.0)}  # GPSInfo
    return encoded(image, exif=exif)


def edge_energy(data: bytes) -> float:
    edges = Image.open(io.BytesIO(data)).convert("L").filter(ImageFilter.FIND_EDGES)
    w, h = edges.size
    return float(ImageStat.Stat(edges.crop((10, 10, w - 10, h - 10))).mean[0])  # the frame is no edge


def test_same_picture_reencoded_or_resized_matches_and_another_does_not() -> None:
    original = picture(1)
    a = images.facts(encoded(original, quality=95))
    b = images.facts(encoded(original.resize((200, 150)), quality=40))
    c = images.facts(encoded(original.convert("RGB"), "PNG"))
    other = images.facts(encoded(picture(7)))
    assert a.pdq_quality >= images.MIN_QUALITY
    assert images.matches(a.pdq_hash, a.pdq_quality, b.pdq_hash, b.pdq_quality)
    assert images.matches(a.pdq_hash, a.pdq_quality, c.pdq_hash, c.pdq_quality)
    assert images.distance(a.pdq_hash, other.pdq_hash) > images.MATCH_DISTANCE
    assert not images.matches(a.pdq_hash, a.pdq_quality, other.pdq_hash, other.pdq_quality)
    # A flat image has no quality: never compared
    flat = images.facts(encoded(Image.new("RGB", (100, 100), "white")))
    assert flat.pdq_quality < images.MIN_QUALITY
    assert not images.matches(flat.pdq_hash, flat.pdq_quality, flat.pdq_hash, flat.pdq_quality)


def test_the_same_picture_in_another_case_of_the_cell_is_found(
    worker: Any, case: Any, cell: Any, other_cell: Any, staff: Any
) -> None:
    # Given the same photo received in two cases of the cell (one resized) and in another cell
    desk = staff(Role.DESK_OFFICER, cell, username="desk3")
    second = case_register(actor=desk, cell=cell, data=intake_data())
    other_desk = staff(Role.DESK_OFFICER, other_cell, username="desk4")
    elsewhere = case_register(actor=other_desk, cell=other_cell, data=intake_data())
    other_worker = staff(Role.CASE_WORKER, other_cell, username="worker4")
    mine = upload(worker, case, encoded(picture(2)), "a.jpg")
    twin = upload(worker, second, encoded(picture(2).resize((300, 225)), quality=60), "b.jpg")
    upload(other_worker, elsewhere, encoded(picture(2)), "c.jpg")
    upload(worker, second, encoded(picture(9)), "d.jpg")
    # When the case's matches are computed
    found = image_matches(case)
    # Then only the twin in the same cell is found
    assert [s.pk for s in found[mine.pk]] == [twin.pk]


def test_viewing_copy_has_no_metadata_and_original_keeps_it(worker: Any, case: Any) -> None:
    data = with_gps(picture(3))
    source = upload(worker, case, data, "photo.jpg")
    assert b"".join(storage.read_chunks(source.file)) == data
    assert Image.open(io.BytesIO(data)).getexif()
    assert source.viewing_copy is not None
    view = Image.open(io.BytesIO(b"".join(storage.read_chunks(source.viewing_copy))))
    assert not view.getexif()
    assert "exif" not in view.info


def test_intimate_image_is_blurred_for_everyone(worker: Any, case: Any, logged_in: Any) -> None:
    # Given an intimate image
    data = encoded(picture(4))
    source = upload(worker, case, data, "p.jpg", intimate=True)
    # When the case worker opens it
    response = logged_in(worker).get(reverse("digital:image", kwargs={"source_id": source.pk}))
    # Then what comes back is not the viewing copy but a blurred one
    assert response.status_code == 200
    assert source.viewing_copy is not None
    clear = b"".join(storage.read_chunks(source.viewing_copy))
    assert response.content != clear
    # Far less detail: the edges are mostly gone
    assert edge_energy(response.content) < edge_energy(clear) / 4
    assert AuditEvent.objects.filter(action="digital.image_viewed").exists()


def test_unblur_needs_an_allowed_role_and_a_reason_and_is_recorded(
    worker: Any, case: Any, cell: Any, staff: Any, logged_in: Any
) -> None:
    source = upload(worker, case, encoded(picture(5)), "p.jpg", intimate=True)
    # The case worker may not
    with pytest.raises(PermissionDenied):
        intimate_view(actor=worker, source=source, reason="I want to see it please")
    assert logged_in(worker).post(
        reverse("digital:unblur", kwargs={"source_id": source.pk}), {"reason": "Checking the exhibit"}
    ).status_code in {403, 404}
    # The legal adviser may, with a reason
    adviser = staff(Role.LEGAL_ADVISER, cell, username="adviser")
    client = logged_in(adviser)
    refused = client.post(reverse("digital:unblur", kwargs={"source_id": source.pk}), {"reason": "x"})
    assert refused.status_code == 302
    assert not IntimateViewing.objects.exists()
    shown = client.post(
        reverse("digital:unblur", kwargs={"source_id": source.pk}), {"reason": "Preparing the complaint exhibit list"}
    )
    assert shown.status_code == 200
    assert b"data:image/jpeg;base64," in shown.content
    viewing = IntimateViewing.objects.get()
    assert viewing.viewer == adviser
    assert viewing.reason == "Preparing the complaint exhibit list"
    event = AuditEvent.objects.get(action="digital.intimate_viewed")
    assert "Preparing" not in event.details


def test_ncii_form_refuses_a_pin(worker: Any, case: Any, logged_in: Any) -> None:
    from crisiscell.digital.forms import NciiForm
    from crisiscell.digital.models import NciiReport

    assert not NciiForm({"service": "stopncii", "case_number": "AB12CD34", "pin": "1234"}).is_valid()
    assert not NciiForm({"service": "stopncii", "case_number": "482913"}).is_valid()
    client = logged_in(worker)
    url = reverse("digital:ncii_record", kwargs={"code": case.code})
    client.post(url, {"service": "stopncii", "case_number": "4829", "pin": "4829"})
    assert not NciiReport.objects.exists()
    client.post(url, {"service": "stopncii", "case_number": "SNC-7H2K-9QX4"})
    report = NciiReport.objects.get()
    assert report.case_number == "SNC-7H2K-9QX4"
    assert AuditEvent.objects.filter(action="digital.ncii_recorded").count() == 1
