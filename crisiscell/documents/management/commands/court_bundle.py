"""Produce the court bundle of a case: crisiscell court_bundle CASE_CODE --by USERNAME --order REF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisiscell.accounts.models import User
from crisiscell.cases.models import Case
from crisiscell.documents.services import court_bundle_issue


class Command(BaseCommand):
    help = "Build a case's court bundle (ZIP), record it in the disclosure ledger, write it to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_code")
        parser.add_argument("--by", required=True, help="The staff member issuing it (needs evidence export).")
        parser.add_argument("--order", default="", help="The court order or request reference.")
        parser.add_argument("--recipient", default="Special court", help="The court or office it goes to.")
        parser.add_argument("--output", help="Where to write the ZIP (default: ./court-bundle-CODE.zip).")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.select_related("cell").filter(code=options["case_code"]).first()
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        if case is None or actor is None:
            raise CommandError("No such case, or no such active staff member.")
        try:
            bundle, disclosure = court_bundle_issue(
                actor=actor,
                case=case,
                recipient_kind="court",
                recipient=options["recipient"],
                purpose="Court bundle",
                order_reference=options["order"],
                certificate=None,
            )
        except PermissionDenied as error:
            raise CommandError(f"{actor.username} may not export evidence of {case.code}.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        target = Path(options["output"] or f"{bundle.name}.zip")
        target.write_bytes(bundle.data)
        self.stdout.write(f"Wrote {target} ({len(bundle.data):,} bytes, {len(bundle.event_ids)} audit events).")
        self.stdout.write(f"Recorded in the disclosure ledger; SHA-256 {disclosure.sha256}.")
