"""API benchmark: the FIR-status update under 20 concurrent clients, against the production server.

    .venv/bin/python bench/api.py [--clients 20] [--requests 1000] [--rounds 3] [--database-url URL]

Starts ``crisiscell serve`` (gunicorn with its gthread workers and the background
worker, as ``make run`` serves) on 127.0.0.1 only, on a scratch database with a
police reporting centre's integration client, and sends, from ``--clients``
threads with keep-alive connections, ``--requests`` FIR-status updates (an interim
report reported on a case with a recorded FIR: a real write through the justice
services, an idempotency record, a rate-limit count and two audit events) and as
many calls of ``GET /api/v1/me`` (the trivial authenticated call: token, rate
limit and audit, no domain work), alternating in ``--rounds`` rounds so both are
measured side by side in the same run. Bounded in count and in time
(``--max-seconds``). Prints requests per second, latency percentiles and the ratio
of the update to the trivial call; any error (non-2xx or exception) is counted and
makes the run fail. Figures only; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, bootstrap, database_label


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def add(self, other: Phase) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.wall += other.wall


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _wait_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not start in time")


Request = tuple[str, str, bytes | None, str | None]  # method, path, body, idempotency key


def _run_phase(name: str, port: int, token: str, jobs: list[list[Request]], stop_at: float) -> Phase:
    """Each thread sends its own list of requests over one keep-alive connection."""
    results = [Phase(name) for _ in jobs]
    barrier = threading.Barrier(len(jobs) + 1)

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        for method, path, body, key in jobs[i]:
            if time.monotonic() > stop_at:
                results[i].errors.append("time limit reached")
                return
            headers = {"Authorization": f"Bearer {token}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if key is not None:
                headers["Idempotency-Key"] = key
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                results[i].errors.append(f"{type(error).__name__}: {error}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            results[i].latencies.append(time.perf_counter() - started)
            if not 200 <= response.status < 300:
                results[i].errors.append(f"{response.status}: {payload[:200]!r}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    total = Phase(name, wall=time.perf_counter() - started)
    for result in results:
        total.latencies += result.latencies
        total.errors += result.errors
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="per endpoint, over all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (as make run: WEB_WORKERS or 3)")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    scratch = bootstrap(args.database_url, "api")

    from django.utils import timezone

    from crisiscell.access.policy import Role
    from crisiscell.api.tests.helpers import police_client
    from crisiscell.cases.services import case_register
    from crisiscell.cases.tests.helpers import intake_data
    from crisiscell.cells.models import Cell
    from crisiscell.justice.tests.helpers import fir
    from crisiscell.tests.factories import make_staff

    cell = Cell.objects.create(code="KHI", name="Bench cell", city="Karachi", hospital="Bench", address="-")
    desk = make_staff(Role.DESK_OFFICER, cell, username="bench-desk")
    liaison = make_staff(Role.POLICE_LIAISON, cell, username="bench-liaison")
    _client, token = police_client(cell, name="Bench PRC", rate=10**9)
    # Each thread updates its own cases, so no two concurrent requests touch one case.
    per_thread = 5
    codes = []
    for _ in range(args.clients * per_thread):
        case = case_register(actor=desk, cell=cell, data=intake_data(arrival_at=timezone.now() - timedelta(days=3)))
        fir(liaison, case, registered_at=case.arrival_at + timedelta(hours=2))
        codes.append(case.code)
    from django.db import connections

    connections.close_all()

    port = _free_port()
    env = dict(os.environ)
    env.update({"WEB_WORKERS": str(args.workers), "DJANGO_SETTINGS_MODULE": "crisiscell.settings"})
    server = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
        [sys.executable, "-m", "crisiscell", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(port, time.monotonic() + 60)
        stop_at = time.monotonic() + args.max_seconds
        per_round = max(1, args.requests // args.rounds // args.clients)
        today = timezone.localdate().isoformat()
        body = json.dumps({"status": "interim_report", "on": today}).encode()
        trivial, update = Phase("GET /api/v1/me"), Phase("POST /api/v1/cases/{code}/fir")
        sequence = 0
        # One warm-up request per thread and endpoint, not measured.
        warm_me: list[list[Request]] = [[("GET", "/api/v1/me", None, None)] for _ in range(args.clients)]
        warm_fir: list[list[Request]] = [
            [("POST", f"/api/v1/cases/{codes[t]}/fir", body, f"warm-{t}")] for t in range(args.clients)
        ]
        for phase_jobs in (warm_me, warm_fir):
            _run_phase("warm-up", port, token, phase_jobs, stop_at)
        for _round in range(args.rounds):
            jobs_me: list[list[Request]] = [
                [("GET", "/api/v1/me", None, None)] * per_round for _ in range(args.clients)
            ]
            trivial.add(_run_phase(trivial.name, port, token, jobs_me, stop_at))
            jobs_fir: list[list[Request]] = []
            for t in range(args.clients):
                own = codes[t * per_thread : (t + 1) * per_thread]
                thread_jobs: list[Request] = []
                for n in range(per_round):
                    sequence += 1
                    code = own[n % per_thread]
                    thread_jobs.append(("POST", f"/api/v1/cases/{code}/fir", body, f"bench-{sequence}"))
                jobs_fir.append(thread_jobs)
            update.add(_run_phase(update.name, port, token, jobs_fir, stop_at))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"crisiscell API benchmark on {database_label()}: {args.clients} concurrent clients, "
        f"{args.workers} gunicorn workers x 4 threads on 127.0.0.1, {args.rounds} alternating rounds"
    )
    print(f"{'endpoint':34} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for phase in (trivial, update):
        n = len(phase.latencies)
        rps = n / phase.wall if phase.wall else 0.0
        print(
            f"{phase.name:34} {n:8d} {rps:8.1f} {_percentile(phase.latencies, 0.5):8.1f} "
            f"{_percentile(phase.latencies, 0.9):8.1f} {_percentile(phase.latencies, 0.99):8.1f} {len(phase.errors):7d}"
        )
    t_rps = len(trivial.latencies) / trivial.wall
    u_rps = len(update.latencies) / update.wall
    print(
        f"ratio FIR update / trivial: throughput {u_rps / t_rps:.2f}x, "
        f"median latency {statistics.median(update.latencies) / statistics.median(trivial.latencies):.2f}x"
    )
    errors = trivial.errors + update.errors
    if errors:
        print(f"{len(errors)} errors, e.g. {errors[:3]}")
        raise SystemExit(1)
    print("zero errors")
    print(f"(scratch database and keys in {scratch})")


if __name__ == "__main__":
    main()
