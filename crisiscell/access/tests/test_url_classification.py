"""Deny by default: every URL must declare its access rule, and every URL must be named."""

from __future__ import annotations

from crisiscell.access.decorators import rule_of
from crisiscell.tests.urlwalk import walk


def test_every_url_is_classified() -> None:
    unclassified = [route for _name, view, route in walk() if rule_of(view) is None]
    assert not unclassified, f"URLs without an access declaration: {unclassified}"


def test_every_url_is_named_so_the_matrix_can_cover_it() -> None:
    unnamed = [route for name, _view, route in walk() if not name]
    assert not unnamed, f"Unnamed URLs: {unnamed}"


def test_public_urls_are_few_and_known() -> None:
    public = sorted(name for name, view, _route in walk() if rule_of(view).public)
    assert public == sorted(
        [
            "core:healthz",
            "accounts:login",
            "accounts:login_verify",
            "accounts:logout",
            "accounts:invitation_open",
            "accounts:invitation_password",
            "accounts:invitation_enrol",
            "accounts:password_reset",
            "accounts:password_reset_done",
            "accounts:password_reset_confirm",
            "accounts:password_reset_complete",
            "set_language",
            "digital:public_help",
            # The integration API's description (crisiscell.api): no data.
            "api:openapi-json",
            "api:docs",
        ]
    )


def test_only_the_integration_api_authenticates_by_token() -> None:
    token = sorted(name for name, view, _route in walk() if rule_of(view).token)
    assert token, "the API's operations are marked @integration_token"
    assert all(name.startswith("api:") for name in token), token
    api = sorted(name for name, _view, _route in walk() if name.startswith("api:"))
    assert set(api) - set(token) == {"api:openapi-json", "api:docs"}
