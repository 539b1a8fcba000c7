"""``crisiscell api_client_create NAME --centre ID | --laboratory CODE --scope S ...``: a client and its token, once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisiscell.api.services import client_create
from crisiscell.cells.models import PoliceReportingCentre


class Command(BaseCommand):
    help = "Create an integration client bound to one police reporting centre or laboratory; print its token once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        bound = parser.add_mutually_exclusive_group(required=True)
        bound.add_argument("--centre", help="The police reporting centre's id (UUID).")
        bound.add_argument("--laboratory", help="pfsa, nfsa, sindh, kp or other.")
        parser.add_argument("--scope", action="append", required=True, help="cases:notify, fir:write or lab:write.")
        parser.add_argument("--rate-limit", type=int, default=120, help="Requests per minute (default 120).")

    def handle(self, *args: Any, **options: Any) -> None:
        centre = None
        if options["centre"]:
            centre = PoliceReportingCentre.objects.filter(pk=options["centre"]).first()
            if centre is None:
                raise CommandError("No police reporting centre with this id.")
        try:
            client, token = client_create(
                actor_label="command:api_client_create",
                name=options["name"],
                scopes=options["scope"],
                police_reporting_centre=centre,
                laboratory=options["laboratory"] or "",
                rate_limit_per_minute=options["rate_limit"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Client {client.name} ({', '.join(client.scopes)}).")
        self.stdout.write("Token (shown once; store it in the client's secret store):")
        self.stdout.write(token)
