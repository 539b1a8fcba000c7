"""Serve crisiscell with the production-grade server and the background worker beside it.

gunicorn serves requests (static files through WhiteNoise); the worker seals audit
events into the Merkle log every few seconds and raises deadline alerts every
minute, so no request waits for either. Stopping this command stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# Method, path and protocol, never the query string (gunicorn's %(r)s, %(q)s) nor the
# referrer (%(f)s): our paths carry case codes and ids, never identities, but a query
# string is where a filter or a search typed by hand would carry names or words.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(M)sms'


class Command(BaseCommand):
    help = "Run gunicorn and the background worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
        web = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                python,
                "-m",
                "gunicorn",
                "crisiscell.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--no-control-socket",
                "--access-logfile",
                "-",
                "--access-logformat",
                ACCESS_LOG_FORMAT,
            ],
            env=env,
        )
        worker = subprocess.Popen(  # noqa: S603 - the worker: audit sealing and alerts
            [python, "-m", "crisiscell", "worker"],
            env=env,
        )
        self.stdout.write(f"crisiscell is serving on http://{options['bind']}/ (Ctrl-C stops it)")

        def stop(*_: object) -> None:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while web.poll() is None and worker.poll() is None:
                time.sleep(0.5)
        finally:
            stop()
            web.wait(timeout=30)
            worker.wait(timeout=30)
        if web.returncode not in (0, -signal.SIGTERM):
            raise SystemExit(web.returncode)
