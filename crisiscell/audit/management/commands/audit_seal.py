"""Seal pending audit events into the Merkle log, once or every few seconds."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from crisiscell.audit.sealing import seal_all


class Command(BaseCommand):
    help = "Seal unsealed audit events under a new signed tree head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sealing until stopped.")
        parser.add_argument("--every", type=float, default=5.0, help="Seconds between seals.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            heads = seal_all()
            self.stdout.write(f"Sealed under {heads} new tree head(s).")
            return
        running = True

        def stop(*_: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            close_old_connections()
            try:
                seal_all()
            except Exception as exc:  # keep sealing after a transient database error
                self.stderr.write(f"audit sealer: {type(exc).__name__}; retrying")
            deadline = time.monotonic() + options["every"]
            while running and time.monotonic() < deadline:
                time.sleep(0.2)
