"""Who an API request is: the integration client behind a bearer token, and what it may touch.

Reviewed mechanism (see docs/api.md):

* Tokens look like ``cc_<prefix>_<secret>``; the prefix finds the client, the SHA-256
  of the whole token is compared in constant time. Inactive clients are refused.
* ``client_actor`` returns the client's service account with **in-memory**
  memberships: for each cell the client is bound to, only the roles its scopes need
  (``SCOPE_ROLES``). The domain services then apply the ordinary access policy to
  it, so the API can never do more than a staff member of that role in that cell.
  Nothing is stored: the account has no membership rows, never appears in a staff
  list or roster and cannot log in.
* A police reporting centre's client is bound to the cells linked to that centre; a
  laboratory's client to the laboratory, and reaches only the submissions addressed
  to it (``crisiscell.api.selectors``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.security import HttpBearer

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership, User
from crisiscell.api.models import IntegrationClient, Scope
from crisiscell.cells.models import Cell

TOKEN_PREFIX = "cc"  # noqa: S105 - the tokens' fixed prefix, not a secret

# The roles (in each bound cell) that each scope lends to the client's service account.
SCOPE_ROLES: dict[str, tuple[str, ...]] = {
    # case_register needs case and identity edit: the desk officer's rights at intake.
    Scope.CASES_NOTIFY: (Role.DESK_OFFICER,),
    # The FIR is the legal section's: the police liaison's rights.
    Scope.FIR_WRITE: (Role.POLICE_LIAISON,),
    # Laboratory receipt and results are the evidence section's.
    Scope.LAB_WRITE: (Role.EVIDENCE_CUSTODIAN,),
}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str, str]:
    """(token, prefix, sha256). The token is shown once and never stored."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, token_digest(token)


def client_for_token(token: str) -> IntegrationClient | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    client = IntegrationClient.objects.select_related("user").filter(token_prefix=parts[1], is_active=True).first()
    if client is None or not hmac.compare_digest(client.token_sha256, token_digest(token)):
        return None
    return client


def bound_cells(client: IntegrationClient) -> QuerySet[Cell]:
    if client.police_reporting_centre_id is not None:
        return Cell.objects.filter(police_reporting_centre_id=client.police_reporting_centre_id, is_active=True)
    return Cell.objects.filter(is_active=True)


def client_actor(client: IntegrationClient) -> User:
    """The service account, with the roles of its scopes in its bound cells (in memory only)."""
    user = client.user
    memberships = [
        Membership(user=user, cell=cell, role=role)
        for cell in bound_cells(client)
        for scope in client.scopes
        for role in SCOPE_ROLES.get(scope, ())
    ]
    vars(user)["_crisiscell_memberships"] = memberships
    return user


class ClientToken(HttpBearer):
    """Bearer authentication for ninja: sets ``request.client`` and ``request.actor``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        client = client_for_token(token)
        if client is None:
            return None
        request.client = client  # type: ignore[attr-defined]
        request.actor = client_actor(client)  # type: ignore[attr-defined]
        return client
