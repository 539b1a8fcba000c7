"""Intake benchmark: register N cases with identities through the services, then measure
the CNIC look-up of a returning survivor and the case page of a case with a full history.

    .venv/bin/python bench/intake.py [--cases N] [--database-url URL]

Targets: CNIC look-up under 5 ms (median) and case page server time under 50 ms
(median) among N = 100,000 cases. Every case is registered through ``case_register``
in one process; the look-up and the case page are also measured at checkpoints
during the run (``--checkpoint``), so a long run reports figures as it goes.
Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bootstrap, database_label, median_ms, p95_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--lookups", type=int, default=1_000)
    parser.add_argument("--page-requests", type=int, default=200)
    parser.add_argument("--progress", type=int, default=10_000, help="print the cost per case every N cases")
    parser.add_argument("--checkpoint", type=int, default=25_000, help="measure look-up and case page every N cases")
    args = parser.parse_args()
    bootstrap(args.database_url, "intake")

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from crisiscell.access.policy import Role
    from crisiscell.cases.selectors import survivor_lookup
    from crisiscell.cases.services import case_register, case_update, consent_record
    from crisiscell.cases.tests.helpers import intake_data
    from crisiscell.cells.models import Cell
    from crisiscell.survivors.services import SurvivorIdentity
    from crisiscell.tests.factories import login_client, make_staff

    cell = Cell.objects.create(code="KHI", name="Bench cell", city="Karachi", hospital="Bench", address="-")
    desk = make_staff(Role.DESK_OFFICER, cell, username="bench-desk")
    worker = make_staff(Role.CASE_WORKER, cell, username="bench-worker")
    rng = random.Random(7)
    now = timezone.now()

    def cnic(i: int) -> str:
        return f"{10000 + i % 90000:05d}-{i:07d}-{i % 10}"

    # One case with a full history (many consent decisions and corrections), registered
    # first so that its page can be measured at every checkpoint of the run.
    case = case_register(actor=desk, cell=cell, data=intake_data())
    for n in range(20):
        consent_record(
            actor=worker, case=case, purpose="photographs", decision="given" if n % 2 else "refused",
            given_by="survivor", method="verbal",
        )  # fmt: skip
        case = case_update(
            actor=worker, case=case, expected_version=case.version, changes={"district": f"District {n}"}
        )
    url = reverse("cases:detail", kwargs={"code": case.code})
    login_client(worker).get(url)  # warm templates and caches

    def measure(registered: int) -> None:
        """The figures for the cases registered so far: their cost, CNIC look-ups among them, the case page."""
        print(
            f"  at {registered:,} cases: registered in {time.perf_counter() - started:.0f} s, "
            f"median {median_ms(per_case):.2f} ms, p95 {p95_ms(per_case):.2f} ms per case",
            flush=True,
        )
        client = login_client(worker)  # a fresh session: a long run outlasts the idle timeout
        client.get(url)
        lookups: list[float] = []
        for _ in range(args.lookups):
            i = rng.randrange(registered)
            t0 = time.perf_counter()
            with transaction.atomic():
                matches = survivor_lookup(desk, cnic=cnic(i))
            lookups.append(time.perf_counter() - t0)
            if len(matches) != 1:
                raise SystemExit(f"Look-up of case {i} found {len(matches)} survivors")
        pages: list[float] = []
        for _ in range(args.page_requests):
            t0 = time.perf_counter()
            response = client.get(url)
            pages.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"Case page answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"  at {registered:,} cases: CNIC look-up median {median_ms(lookups):.2f} ms, "
            f"p95 {p95_ms(lookups):.2f} ms; case page median {median_ms(pages):.2f} ms, "
            f"p95 {p95_ms(pages):.2f} ms, {len(queries)} queries",
            flush=True,
        )
        results[registered] = (lookups, pages, len(queries))

    results: dict[int, tuple[list[float], list[float], int]] = {}
    print(f"crisiscell intake benchmark on {database_label()}: {args.cases:,} cases through case_register", flush=True)
    per_case: list[float] = []
    started = time.perf_counter()
    for i in range(args.cases):
        data = intake_data(
            identity=SurvivorIdentity(
                name=f"Bench Survivor {i} (synthetic)", cnic=cnic(i), phones=[f"+92399{i:07d}"], address="Synthetic"
            ),
            arrival_at=now - timedelta(minutes=i % 50_000, seconds=rng.randrange(60)),
        )
        data.incident_at = data.arrival_at - timedelta(hours=3)
        t0 = time.perf_counter()
        case_register(actor=desk, cell=cell, data=data)
        per_case.append(time.perf_counter() - t0)
        done = i + 1
        if done % args.progress == 0:
            recent = per_case[-args.progress :]
            print(
                f"  {done:,} registered ({time.perf_counter() - started:.0f} s; last {len(recent):,}: "
                f"median {median_ms(recent):.2f} ms, p95 {p95_ms(recent):.2f} ms per case)",
                flush=True,
            )
        if done % args.checkpoint == 0 and done != args.cases:
            measure(done)
    total = time.perf_counter() - started
    measure(args.cases)
    lookups, pages, page_queries = results[args.cases]

    print()
    print(f"{'measure':44} {'median':>10} {'p95':>10}")
    print(f"{'register one case (services, identity)':44} {median_ms(per_case):8.2f}ms {p95_ms(per_case):8.2f}ms")
    print(f"{'CNIC look-up among ' + format(args.cases, ',') + ' cases':44} {median_ms(lookups):8.2f}ms "
          f"{p95_ms(lookups):8.2f}ms")  # fmt: skip
    print(f"{'case page, full history (server time)':44} {median_ms(pages):8.2f}ms {p95_ms(pages):8.2f}ms")
    print(f"registered {args.cases:,} cases in {total:.1f} s ({args.cases / total:,.1f} cases/s, one process); "
          f"case page runs {page_queries} queries")  # fmt: skip
    print(
        f"targets: look-up < 5 ms: {'met' if median_ms(lookups) < 5 else 'NOT met'}; "
        f"case page < 50 ms: {'met' if median_ms(pages) < 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
