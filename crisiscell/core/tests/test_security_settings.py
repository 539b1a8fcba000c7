"""Headers on every response, production settings that refuse to start unsafe, check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import crisiscell.settings as project_settings
from crisiscell.access.policy import Role
from crisiscell.core.keyring import init_keyring
from crisiscell.tests.factories import login_client

ROOT = Path(__file__).resolve().parents[3]


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    keys = tmp_path / "keys"
    init_keyring(keys)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "CRISISCELL_ENV": "production",
        "SECRET_KEY": "x" * 64 + "production-test-secret-not-used-anywhere",
        "DATABASE_URL": "postgres://crisiscell:unused@127.0.0.1:1/crisiscell",
        "ALLOWED_HOSTS": "crisiscell.example.org",
        "CRISISCELL_KEY_DIR": str(keys),
        "DJANGO_SETTINGS_MODULE": "crisiscell.settings",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "crisiscell", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_without_warnings(tmp_path: Path) -> None:
    result = _run(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "Production needs SECRET_KEY"),
        ("DATABASE_URL", "Production needs DATABASE_URL"),
        ("ALLOWED_HOSTS", "Production needs ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path: Path, missing: str, message: str) -> None:
    result = _run(_production_env(tmp_path, **{missing: ""}), "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_missing_key_directory(tmp_path: Path) -> None:
    result = _run(_production_env(tmp_path, CRISISCELL_KEY_DIR=str(tmp_path / "nowhere")), "check")
    assert result.returncode != 0
    assert "key directory" in result.stderr


def test_production_sends_hsts(tmp_path: Path) -> None:
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', secure=True, HTTP_HOST='crisiscell.example.org');"
        "print(r.headers.get('Strict-Transport-Security'))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "max-age=63072000; includeSubDomains; preload" in result.stdout, result.stderr


def test_argon2_is_the_password_hasher() -> None:
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_times_are_stored_in_utc_and_shown_in_karachi() -> None:
    assert project_settings.USE_TZ is True
    assert project_settings.TIME_ZONE == "Asia/Karachi"


def test_headers_on_a_public_page(db: None) -> None:
    response = Client().get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_authenticated_pages_are_never_cached(cell, staff) -> None:
    client = login_client(staff(Role.DESK_OFFICER, cell))
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "<script" not in response.content.decode()  # nothing inline for CSP to block


def test_healthz_reveals_nothing(db: None) -> None:
    response = Client().get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_error_pages_reveal_nothing(cell, staff) -> None:
    client = login_client(staff(Role.DESK_OFFICER, cell))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    for marker in (b"Traceback", b"Request Method", b"URLconf", b"seeing this error"):
        assert marker not in response.content


def _csrf_pair(client: Client) -> str:
    client.get(reverse("accounts:login"))
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("origin", "fetch_site", "allowed"),
    [
        ("null", "same-origin", True),  # what a browser sends under Referrer-Policy: no-referrer
        (None, "same-origin", True),
        ("null", "cross-site", False),
        ("https://evil.example", "cross-site", False),
        ("null", None, False),
    ],
)
def test_csrf_accepts_same_origin_posts_under_no_referrer(origin, fetch_site, allowed) -> None:
    client = Client(enforce_csrf_checks=True)
    token = _csrf_pair(client)
    headers = {}
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    if fetch_site is not None:
        headers["HTTP_SEC_FETCH_SITE"] = fetch_site
    response = client.post(
        reverse("accounts:login"), {"username": "x", "password": "y", "csrfmiddlewaretoken": token}, **headers
    )
    assert (response.status_code != 403) is allowed


@pytest.mark.django_db
def test_csrf_token_is_still_required() -> None:
    client = Client(enforce_csrf_checks=True)
    _csrf_pair(client)
    response = client.post(
        reverse("accounts:login"),
        {"username": "x", "password": "y"},
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 403
