"""Print an inclusion proof (JSON) for audit events against the latest signed tree head."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from crisiscell.audit.proofs import NotSealedYet, inclusion_proofs
from crisiscell.audit.services import audit_record


class Command(BaseCommand):
    help = "Produce Merkle inclusion proofs for the given audit event ids."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event_ids", nargs="+", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            bundle = inclusion_proofs(options["event_ids"])
        except NotSealedYet as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            audit_record(
                action="audit.proof_issued",
                actor=None,
                object_type="audit_event",
                object_ref=",".join(str(i) for i in options["event_ids"])[:64],
            )
        self.stdout.write(json.dumps(bundle, indent=2))
