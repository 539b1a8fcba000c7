"""What every benchmark needs: a throw-away database and key ring, then Django.

    from common import bootstrap
    bootstrap(database_url)  # before importing any crisiscell model

With no URL a fresh SQLite file in a temporary directory is used; a PostgreSQL URL
must point at an empty database the benchmark may fill.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def bootstrap(database_url: str | None, label: str, *, directory: Path | None = None) -> Path:
    """Point Django at a scratch database and key ring, set it up and migrate. Returns the scratch dir.

    ``directory``: use (and keep) this directory instead of a temporary one; a database
    and key ring already there are used as they are.
    """
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    scratch = directory or Path(tempfile.mkdtemp(prefix=f"crisiscell-bench-{label}-"))
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["CRISISCELL_KEY_DIR"] = str(scratch / "keys")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from crisiscell.core.keyring import init_keyring

    init_keyring()
    call_command("migrate", verbosity=0)
    # Load every view and template tag now: a long run must not pick up source files
    # edited while it runs.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    return scratch


class HostReference:
    """Times of a fixed pure-Python workload that no change to crisiscell can alter.

    Machines of one kind differ in speed, and a machine's speed changes from minute to
    minute, and the same code's figures with both. Sampled between a benchmark's timed
    requests and printed beside its figures, this lets two runs be compared: a page that
    took longer in a run whose reference also took longer did not get slower.
    """

    def __init__(self) -> None:
        self.samples: list[float] = []

    def sample(self) -> None:
        t0 = time.perf_counter()
        table: dict[int, str] = {}
        for i in range(100_000):
            table[i % 997] = f"{i}:{i * 7 % 13}"
        words = sorted(table.values(), key=len)
        " ".join(words).split(":")
        self.samples.append(time.perf_counter() - t0)

    def median_ms(self) -> float:
        return median_ms(self.samples)


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def database_label() -> str:
    from django.db import connection

    return connection.vendor
