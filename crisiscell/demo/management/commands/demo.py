"""Load the synthetic demo network. Idempotent; refuses to run in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisiscell.demo.counselling import ensure_counselling
from crisiscell.demo.digital import ensure_digital
from crisiscell.demo.evidence import ensure_evidence
from crisiscell.demo.followups import ensure_follow_ups
from crisiscell.demo.history import load_history
from crisiscell.demo.justice import ensure_justice
from crisiscell.demo.medical import ensure_medical, ensure_unexamined_recorded
from crisiscell.demo.network import DEMO_PASSWORD, ensure_network, ensure_staff
from crisiscell.demo.police import ensure_police
from crisiscell.demo.referrals import ensure_referrals
from crisiscell.demo.roster import ensure_roster


class Command(BaseCommand):
    help = "Create the demo cells and demo staff (synthetic data, public passwords)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, nargs="*", help="Only the history of these years.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo has public passwords and never runs in production.")
        cells = ensure_network()
        created = ensure_staff(cells)
        # Before the history, so the recent cases are offered to the staff on duty when they arrived.
        shifts, assignments = ensure_roster(cells)
        years = set(options["years"]) if options.get("years") else None
        cases = load_history(years=years, progress=self.stdout.write)
        ensure_counselling()
        # Evidence first: the examinations link the samples they find.
        evidence_cases = ensure_evidence()
        live, archived = ensure_medical()
        unexamined = ensure_unexamined_recorded()
        visits = ensure_follow_ups()
        firs, reports = ensure_police()
        justice = ensure_justice()
        digital = ensure_digital()
        referrals, transfers = ensure_referrals()
        self.stdout.write(
            f"Demo network ready: {len(cells)} cells, {created} new demo accounts, {cases} new demo cases, "
            f"{shifts} new shifts with {assignments} staff assignments, "
            f"evidence on {evidence_cases} cases, {live + archived} new medico-legal examinations "
            f"({unexamined} more recorded as never done), "
            f"{visits} follow-up visits newly recorded as attended, {firs} new FIRs and {reports} interim reports; "
            f"after the FIRs: {justice}; digital evidence on {digital} more cases, "
            f"{referrals} new referrals and {transfers} transfers. "
            f"Password for every demo account: {DEMO_PASSWORD}. "
            "Run `crisiscell demo_accounts` for usernames, TOTP secrets and current codes."
        )
