"""Fixtures shared by every test: a throw-away key ring, fast hashing, staff factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from crisiscell.core import keyring
from crisiscell.tests.factories import (
    CellFactory,
    UserFactory,
    login_client,
    make_staff,
)

# Property tests check behaviour, never speed: a per-example deadline is a timing assertion that
# fails on a busy CI machine, so it is off (the suite's own run time is what stays watched).
hypothesis_settings.register_profile("crisiscell", deadline=None)
hypothesis_settings.load_profile("crisiscell")


@pytest.fixture(scope="session", autouse=True)
def _test_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test run gets its own key ring; the development ring is never touched."""
    directory = tmp_path_factory.mktemp("keys")
    with override_settings(
        CRISISCELL_KEY_DIR=directory,
        # Argon2 is the production hasher (see test_settings); tests use a fast one.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        keyring.init_keyring(directory)
        yield directory
    keyring._cache.clear()


@pytest.fixture
def cell(db: None) -> Any:
    return CellFactory(code="KHI")


@pytest.fixture
def other_cell(db: None) -> Any:
    return CellFactory(code="LHR1")


@pytest.fixture
def staff(db: None) -> Callable[..., Any]:
    """``staff(role, cell)`` makes an active staff member with a confirmed TOTP device."""
    return make_staff


@pytest.fixture
def logged_in() -> Callable[[Any], Client]:
    """``logged_in(user)`` returns a client past both factors (session set up directly)."""
    return login_client


@pytest.fixture
def user_factory() -> Any:
    return UserFactory


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A page in a real headless Chromium (see ``crisiscell.tests.browser``)."""
    from crisiscell.tests.browser import open_browser_page

    yield from open_browser_page()


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A request in Urdu activates Urdu for its thread; the next test expects the default again."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _own_anchor_file(tmp_path: Path, settings: Any) -> None:
    """Each test writes tree-head anchors to its own file, never to a shared one."""
    settings.CRISISCELL_ANCHOR_FILE = str(tmp_path / "tree-heads.jsonl")


@pytest.fixture(autouse=True)
def _own_media_dir(tmp_path: Path, settings: Any) -> None:
    """Each test stores files (laboratory results, court bundles) in its own directory."""
    settings.CRISISCELL_MEDIA_DIR = tmp_path / "media"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test must restore the migrated data (offences, content types).

    A flush without ``serialized_rollback`` would empty the tables seeded by data
    migrations for every later test in the same process.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(f"{item.nodeid}: transactional tests need serialized_rollback=True")
