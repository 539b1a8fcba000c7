"""The background worker: seals audit events every few seconds and raises alerts every minute.

``crisiscell serve`` starts it beside gunicorn; in production run one per deployment
(two are safe: sealing takes a lock and alerts are raised once).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from crisiscell.audit.sealing import seal_all
from crisiscell.cases.alerts import alerts_scan


class Command(BaseCommand):
    help = "Seal audit events and raise deadline alerts, until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seal-every", type=float, default=float(settings.CRISISCELL_SEAL_INTERVAL_SECONDS))
        parser.add_argument("--alerts-every", type=float, default=60.0)
        parser.add_argument("--once", action="store_true", help="Run each job once and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        running = True

        def stop(*_: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

        def seal() -> None:
            seal_all()

        def alerts() -> None:
            alerts_scan(now=timezone.now())

        jobs: list[tuple[str, float, Callable[[], None]]] = [
            ("seal", options["seal_every"], seal),
            ("alerts", options["alerts_every"], alerts),
        ]
        due = {name: 0.0 for name, _every, _job in jobs}
        while running:
            close_old_connections()
            for name, every, job in jobs:
                if time.monotonic() < due[name]:
                    continue
                try:
                    job()
                except Exception as exc:  # a database hiccup must not stop the worker
                    self.stderr.write(f"worker {name}: {type(exc).__name__}; retrying")
                due[name] = time.monotonic() + every
            if options["once"]:
                return
            time.sleep(0.2)
