"""Integration clients for tests and the benchmark (synthetic)."""

from __future__ import annotations

from typing import Any

from crisiscell.api.services import client_create
from crisiscell.cells.models import PoliceReportingCentre


def police_client(cell: Any, *, scopes: list[str] | None = None, name: str = "PRC test", rate: int = 1000) -> Any:
    """A police reporting centre linked to ``cell``, and a client of it: (client, token)."""
    centre = cell.police_reporting_centre
    if centre is None:
        centre = PoliceReportingCentre.objects.create(name=f"{name} centre (synthetic)", city=cell.city)
        cell.police_reporting_centre = centre
        cell.save(update_fields=["police_reporting_centre"])
    return client_create(
        actor_label="test",
        name=name,
        scopes=scopes or ["cases:notify", "fir:write"],
        police_reporting_centre=centre,
        rate_limit_per_minute=rate,
    )


def lab_client(laboratory: str = "pfsa", *, name: str = "Lab test", rate: int = 1000) -> Any:
    return client_create(
        actor_label="test", name=name, scopes=["lab:write"], laboratory=laboratory, rate_limit_per_minute=rate
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
