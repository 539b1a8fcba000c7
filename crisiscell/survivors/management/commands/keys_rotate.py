"""Rotate the identity vault's master key without downtime."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crisiscell.survivors.services import keys_rotate


class Command(BaseCommand):
    help = "Add a new master key, make it active and re-wrap every vault record's data key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        key_id, count = keys_rotate(batch=options["batch"])
        self.stdout.write(
            f"Active master key is now {key_id}; re-wrapped {count} record(s). "
            "Back up the key ring now (docs/operations.md)."
        )
