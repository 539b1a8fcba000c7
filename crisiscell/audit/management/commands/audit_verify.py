"""Verify the sealed audit log; exit 0 when it holds, 1 naming the first problem."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from crisiscell.audit.services import audit_record
from crisiscell.audit.verification import verify_log


class Command(BaseCommand):
    help = "Recompute the Merkle tree from the events and check every signed tree head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-record", action="store_true", help="Do not add an audit.verified event.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_log()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Checked {report.events_checked} sealed events under {report.heads_checked} "
            f"signed tree heads in {elapsed:.2f} s; {report.unsealed} event(s) awaiting a seal."
        )
        if not options["no_record"]:
            with transaction.atomic():
                audit_record(
                    action="audit.verified",
                    actor=None,
                    details={"ok": report.ok, "events": report.events_checked},
                )
        if report.ok:
            self.stdout.write("OK: the audit log is intact.")
            return
        for problem in report.problems:
            self.stderr.write(f"FAIL [{problem.kind}] {problem.message}")
        raise SystemExit(1)
