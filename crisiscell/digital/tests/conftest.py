"""Fixtures for digital evidence tests: a case, its staff, and a media folder per test."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crisiscell.access.policy import Role
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.digital.services import source_upload

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.CRISISCELL_MEDIA_DIR = root
    return root


@pytest.fixture
def worker(cell: Any, staff: Any) -> Any:
    return staff(Role.CASE_WORKER, cell, username="worker")


@pytest.fixture
def case(cell: Any, staff: Any) -> Any:
    desk = staff(Role.DESK_OFFICER, cell, username="desk")
    return case_register(actor=desk, cell=cell, data=intake_data())


def upload(actor: Any, case: Any, data: bytes, name: str, **kwargs: Any) -> Any:
    """Receive ``data`` as if uploaded under ``name``."""
    return source_upload(actor=actor, case=case, upload=io.BytesIO(data), name=name, size=len(data), **kwargs)


def uploaded_file(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
