"""Audit log benchmark: append, seal and verify N events, measured against raw SHA-256.

    .venv/bin/python bench/audit.py [--events N] [--database-url URL] [--repeat R]

Runs on its own throw-away SQLite database and key ring in a temporary directory,
or on the (empty) PostgreSQL database given with ``--database-url``. It

1. appends N realistic events with ``bulk_create``, and separately times single
   ``audit_record`` calls each in its own ``transaction.atomic()`` (the cost an
   audited request pays);
2. seals them all with ``seal_all()``;
3. verifies the whole log with ``verify_log()``;
4. rebuilds the canonical leaf bytes of every event from the database and times
   plain ``hashlib.sha256`` over them, the Merkle core alone (leaf hash and
   frontier) over the same bytes, and the hashing floor: the leaf and node hashes
   any verifier must compute, with nothing else, which bounds what a verifier
   written in Python can reach.

Targets: ``verify_log`` at least half the throughput of raw hashing, and a median
audit write under one millisecond. Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crisiscell.accounts.models import User
    from crisiscell.cells.models import Cell

REPO = Path(__file__).resolve().parent.parent
SINGLE_WRITES = 2_000
BULK_BATCH = 10_000

# How often each kind of event occurs in a working network, roughly.
ACTION_WEIGHTS = {
    "auth.login": 30,
    "auth.logout": 20,
    "auth.session_expired": 10,
    "auth.login_failed": 5,
    "auth.otp_failed": 2,
    "admin.staff_listed": 15,
    "admin.role_changed": 3,
    "admin.staff_invited": 2,
    "audit.log_viewed": 8,
    "audit.proof_issued": 1,
}


@dataclass
class Row:
    label: str
    events: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else float("inf")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log")
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty PostgreSQL database to run on (default: a temporary SQLite file)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read-only step")
    parser.add_argument("--profile", action="store_true", help="print where one verification's time goes")
    args = parser.parse_args(argv)
    if args.events < 1 or args.repeat < 1:
        parser.error("--events and --repeat must be positive.")
    return args


def _setup(workdir: Path, database_url: str) -> None:
    """Point settings at the temporary database and key ring, then start Django."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "crisiscell.settings"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'audit-bench.sqlite3'}"
    os.environ["CRISISCELL_KEY_DIR"] = str(workdir / "keys")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))

    import django

    django.setup()

    from django.core.management import call_command

    from crisiscell.core.keyring import init_keyring

    init_keyring(workdir / "keys")
    call_command("migrate", verbosity=0, interactive=False)


def _people() -> tuple[list[User], list[Cell]]:
    from django.contrib.auth.hashers import make_password

    from crisiscell.accounts.models import User
    from crisiscell.cells.models import Cell, PoliceReportingCentre

    centre = PoliceReportingCentre.objects.create(name="Bench police centre", city="Karachi")
    cells = [
        Cell.objects.create(
            code=f"B{i:02d}",
            name=f"Bench cell {i}",
            city="Karachi",
            hospital="Bench hospital",
            address="Bench address",
            police_reporting_centre=centre,
        )
        for i in range(8)
    ]
    unusable = make_password(None)
    users = [User.objects.create(username=f"bench.staff{i:03d}", password=unusable) for i in range(60)]
    return users, cells


def _details(action: str, rng: random.Random) -> str:
    if action == "admin.role_changed":
        data: dict[str, Any] = {
            "from": "case_worker",
            "to": "cell_head",
            "version": rng.randint(1, 9),
        }
    elif action == "audit.log_viewed":
        data = {"action": "auth.login", "since": "2026-01-01"}
    elif action == "auth.login_failed":
        data = {"reason": "bad_password"}
    else:
        return ""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _bulk_append(count: int, users: list[User], cells: list[Cell], start: datetime) -> float:
    from django.db import transaction

    from crisiscell.audit.models import AuditEvent

    rng = random.Random(6962)
    actions = list(ACTION_WEIGHTS)
    weights = list(ACTION_WEIGHTS.values())
    step = timedelta(milliseconds=40)
    cell_of = {user.pk: cells[i % len(cells)] for i, user in enumerate(users)}
    elapsed = 0.0
    done = 0
    while done < count:
        size = min(BULK_BATCH, count - done)
        batch = []
        for i in range(done, done + size):
            action = rng.choices(actions, weights)[0]
            user = None if rng.random() < 0.05 else rng.choice(users)
            batch.append(
                AuditEvent(
                    at=start + i * step + timedelta(microseconds=rng.randrange(40_000)),
                    action=action,
                    actor=user,
                    actor_label=user.username if user else "system",
                    cell=cell_of[user.pk] if user else None,
                    object_type="membership" if action.startswith("admin.") else "",
                    object_ref=str(rng.randrange(1, 50_000)) if action.startswith("admin.") else "",
                    request_id=f"{rng.getrandbits(128):032x}" if user else "",
                    client_ip=(
                        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" if user else None
                    ),
                    details=_details(action, rng),
                )
            )
        started = time.perf_counter()
        with transaction.atomic():
            AuditEvent.objects.bulk_create(batch, batch_size=2_000)
        elapsed += time.perf_counter() - started
        done += size
    return elapsed


def _single_writes(count: int, users: list[User], cells: list[Cell]) -> tuple[list[float], ...]:
    """Each write as a request makes it: its own transaction, request context bound."""
    from django.db import transaction

    from crisiscell.audit.services import audit_record
    from crisiscell.core import context

    rng = random.Random(9162)
    with_commit: list[float] = []
    call_only: list[float] = []
    for i in range(count):
        user = users[i % len(users)]
        token = context.bind(context.RequestContext(request_id=f"{rng.getrandbits(128):032x}", client_ip="10.1.2.3"))
        try:
            t0 = time.perf_counter()
            with transaction.atomic():
                t1 = time.perf_counter()
                audit_record(
                    action="admin.staff_listed",
                    actor=user,
                    cell=cells[i % len(cells)],
                    object_type="cell",
                    object_ref=str(i),
                    details={"page": 1 + i % 5},
                )
                t2 = time.perf_counter()
            t3 = time.perf_counter()
        finally:
            context.unbind(token)
        with_commit.append(t3 - t0)
        call_only.append(t2 - t1)
    return with_commit, call_only


def _median_seconds[T](repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _leaf_data() -> list[bytes]:
    """The canonical leaf bytes of every sealed event, rebuilt from the database rows."""
    from crisiscell.audit.leaves import EVENT_FIELDS, leaf_bytes
    from crisiscell.audit.models import AuditLeaf

    rows = (
        AuditLeaf.objects.order_by("index")
        .values_list("index", *(f"event__{name}" for name in EVENT_FIELDS))
        .iterator(chunk_size=20_000)
    )
    return [leaf_bytes(row[0], row[1:]) for row in rows]


def _raw_hashing(data: list[bytes]) -> None:
    sha256 = hashlib.sha256
    for item in data:
        sha256(item).digest()


def _merkle_core(data: list[bytes]) -> bytes:
    from crisiscell.audit import merkle

    # As the verifier does it: every leaf hashed, then the tree built a perfect subtree at a time.
    frontier = merkle.Frontier()
    sha256 = hashlib.sha256
    frontier.extend([sha256(b"\x00" + item).digest() for item in data])
    return frontier.root()


def _hashing_floor(data: list[bytes]) -> bytes:
    """The hashing any verifier must do, and nothing else: the least a pure-Python verifier can cost.

    Every leaf hash and the n - 1 node hashes of a tree over them, as tight list
    comprehensions over leaves already in memory: no reading, no encoding, no comparing.
    Pairs are taken level by level, the odd node carried up; RFC 6962 shapes the tree
    differently but hashes the same number of nodes of the same size.
    """
    sha256 = hashlib.sha256
    level = [sha256(b"\x00" + item).digest() for item in data]
    while len(level) > 1:
        carried = level.pop() if len(level) % 2 else None
        pairs = iter(level)
        level = [sha256(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=True)]
        if carried is not None:
            level.append(carried)
    return level[0] if level else sha256(b"").digest()


def _database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        else:
            cursor.execute("SELECT version()")
        row = cursor.fetchone()
    return str(row[0]).split(" on ")[0] if row else connection.vendor


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    with tempfile.TemporaryDirectory(prefix="crisiscell-audit-bench-") as tmp:
        _setup(Path(tmp), args.database_url)
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    import django
    from django.utils import timezone

    from crisiscell.audit.models import AuditEvent, TreeHead
    from crisiscell.audit.sealing import seal_all
    from crisiscell.audit.verification import verify_log

    if AuditEvent.objects.exists():
        print("The database already holds audit events; give the benchmark an empty one.")
        return 2
    print(
        f"crisiscell audit benchmark: {args.events:,} events on {_database()}, "
        f"Python {sys.version.split()[0]}, Django {django.get_version()}"
    )

    users, cells = _people()
    singles = min(SINGLE_WRITES, args.events)
    bulk = args.events - singles
    rows: list[Row] = []

    start = timezone.now() - timedelta(hours=1) - bulk * timedelta(milliseconds=40)
    print(f"  appending {bulk:,} events with bulk_create...", flush=True)
    rows.append(Row("append (bulk_create)", bulk, _bulk_append(bulk, users, cells, start)))

    print(f"  {singles:,} single audit_record writes...", flush=True)
    with_commit, call_only = _single_writes(singles, users, cells)
    rows.append(Row("append (audit_record, 1 per txn)", singles, sum(with_commit)))

    print("  sealing...", flush=True)
    started = time.perf_counter()
    heads = seal_all()
    rows.append(Row("seal_all", args.events, time.perf_counter() - started, f"{heads} heads"))

    print("  verifying...", flush=True)
    median = f"median of {args.repeat}"
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(verify_log)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    verify_seconds, report = _median_seconds(args.repeat, verify_log)
    rows.append(Row("verify_log", report.events_checked, verify_seconds, median))

    print("  rebuilding leaf bytes and hashing...", flush=True)
    started = time.perf_counter()
    data = _leaf_data()
    rows.append(Row("fetch rows + leaf bytes (ORM)", len(data), time.perf_counter() - started))
    raw_seconds, _ = _median_seconds(args.repeat, lambda: _raw_hashing(data))
    rows.append(Row("raw sha256 over leaf bytes", len(data), raw_seconds, median))
    core_seconds, root = _median_seconds(args.repeat, lambda: _merkle_core(data))
    rows.append(Row("merkle core (leaf hash + frontier)", len(data), core_seconds, median))
    floor_seconds, _ = _median_seconds(args.repeat, lambda: _hashing_floor(data))
    rows.append(Row("hashing floor (leaf + node hashes)", len(data), floor_seconds, median))

    last = TreeHead.objects.order_by("-tree_size").first()
    consistent = last is not None and bytes(last.root_hash) == root and last.tree_size == len(data)

    print()
    print(f"{'step':<36} {'events':>11} {'seconds':>9} {'events/s':>12}  note")
    for row in rows:
        print(f"{row.label:<36} {row.events:>11,} {row.seconds:>9.3f} {row.rate:>12,.0f}  {row.note}")
    mean_leaf = sum(map(len, data)) / len(data)
    raw_rate = len(data) / raw_seconds
    verify_ratio = (report.events_checked / verify_seconds) / raw_rate
    core_ratio = (len(data) / core_seconds) / raw_rate
    floor_ratio = (len(data) / floor_seconds) / raw_rate
    write_median = statistics.median(with_commit)
    print()
    print(f"mean leaf size                        {mean_leaf:.0f} bytes")
    print(
        f"audit write, atomic() incl. commit    median {_ms(write_median)}, "
        f"p95 {_ms(statistics.quantiles(with_commit, n=20)[-1])} over {singles:,} writes"
    )
    print(f"audit_record call alone               median {_ms(statistics.median(call_only))}")
    print(f"verify_log / raw hashing              {verify_ratio:.2f}x")
    print(f"merkle core / raw hashing             {core_ratio:.2f}x")
    print(f"hashing floor / raw hashing           {floor_ratio:.2f}x  (no verifier in Python can be faster)")
    print(f"log verified                          {'ok' if report.ok else 'FAILED'}")
    print(f"recomputed root = last signed head    {'yes' if consistent else 'NO'}")
    print()
    verify_met = verify_ratio >= 0.5
    write_met = write_median < 0.001
    print(
        f"Targets: verify >= 0.5x raw hashing: {'met' if verify_met else 'NOT met'} "
        f"({verify_ratio:.2f}x); audit write median < 1 ms: {'met' if write_met else 'NOT met'} "
        f"({_ms(write_median)})."
    )
    if not report.ok:
        for problem in report.problems:
            print(f"FAIL [{problem.kind}] {problem.message}")
    return 0 if report.ok and consistent else 1


if __name__ == "__main__":
    sys.exit(main())
