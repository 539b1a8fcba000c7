"""How a view declares what it needs. Every view carries exactly one declaration.

* ``@public``: no login (login page, health check, public help pages).
* ``@staff``: a logged-in staff member who passed the second factor and holds at
  least one active membership; no survivor data behind it.
* ``@requires(section, action)``: as ``@staff``, and a role that grants ``action`` on
  ``section`` in at least one cell (or nationally). Object-level scoping, to the
  cells where the role is held, happens in the selectors.
* ``@integration_token``: the integration API (``crisiscell.api``). No session at all:
  the view authenticates a hashed bearer token of an ``IntegrationClient`` itself,
  checks its scopes and its bound cells, and answers 401 without one. Only
  ``crisiscell.api.urls`` applies it (``test_url_classification`` checks that).

``AccessPolicyMiddleware`` enforces the declaration before the view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crisiscell.access.policy import Action, Section


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    section: Section | None = None
    action: Action | None = None
    # Requests that do not count as staff activity (live board polling).
    passive: bool = False
    # Authenticated by an integration client's token, not a staff session (crisiscell.api).
    token: bool = False

    def describe(self) -> str:
        if self.public:
            return "public"
        if self.token:
            return "integration token"
        if self.section is None:
            return "staff"
        return f"{self.section}:{self.action}"


def _mark[V: Callable[..., Any]](view: V, rule: AccessRule) -> V:
    if getattr(view, "access_rule", None) is not None:
        raise RuntimeError(f"{view!r} already has an access rule.")
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public[V: Callable[..., Any]](view: V) -> V:
    return _mark(view, AccessRule(public=True))


def integration_token[V: Callable[..., Any]](view: V) -> V:
    return _mark(view, AccessRule(token=True))


def staff[V: Callable[..., Any]](view: V) -> V:
    return _mark(view, AccessRule())


def requires[V: Callable[..., Any]](
    section: Section, action: Action = Action.VIEW, *, passive: bool = False
) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        return _mark(view, AccessRule(section=section, action=action, passive=passive))

    return decorate


def rule_of(view: Callable[..., Any]) -> AccessRule | None:
    rule = getattr(view, "access_rule", None)
    if rule is None:
        # Class-based views: as_view() keeps the class on view_class.
        view_class = getattr(view, "view_class", None)
        rule = getattr(view_class, "access_rule", None)
    return rule if isinstance(rule, AccessRule) else None
