"""The demo network: idempotent, synthetic, refused in production, documented truthfully."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP

from crisiscell.accounts.models import Membership, User
from crisiscell.cases.models import Case, Consent
from crisiscell.cells.models import Cell
from crisiscell.demo.network import DEMO_PASSWORD, demo_totp_base32, demo_totp_key
from crisiscell.survivors.models import Survivor
from crisiscell.survivors.services import vault_read

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.django_db
def test_demo_is_idempotent_and_covers_every_role_in_every_cell() -> None:
    call_command("demo", years=[2024])
    call_command("demo", years=[2024])
    assert sorted(Cell.objects.values_list("code", flat=True)) == [
        "ISB", "KHI", "LHR1", "LHR2", "MUL", "RWP",
    ]  # fmt: skip
    assert User.objects.count() == 6 * 8 + 2
    assert all(u.is_demo for u in User.objects.all())
    assert all("(demo)" in c.name and "(demo)" in c.hospital for c in Cell.objects.all())
    for cell in Cell.objects.all():
        assert Membership.objects.filter(cell=cell).values("role").distinct().count() == 8


@pytest.mark.django_db
def test_demo_refuses_production() -> None:
    with override_settings(PRODUCTION=True), pytest.raises(CommandError):
        call_command("demo")


@pytest.mark.django_db
def test_a_demo_account_logs_in_with_its_published_second_factor() -> None:
    call_command("demo", years=[1999])  # the network and staff, no history
    client = Client()
    client.post(reverse("accounts:login"), {"username": "khi-desk", "password": DEMO_PASSWORD})
    code = f"{TOTP(demo_totp_key('khi-desk')).token():06d}"
    response = client.post(reverse("accounts:login_verify"), {"token": code})
    assert response["Location"] == reverse("core:home")
    with override_settings(CRISISCELL_DEMO=True):
        assert b"Synthetic data only" in client.get(reverse("core:home")).content


@pytest.mark.django_db
def test_the_2024_history_matches_the_published_figures() -> None:
    call_command("demo", years=[2024])
    cases_2024 = Case.objects.filter(arrival_at__year=2024)
    assert cases_2024.values("survivor").distinct().count() == 437
    assert sum(1 for case in cases_2024 if case.is_child) == 219
    assert set(cases_2024.values_list("cell__code", flat=True)) == {"ISB", "KHI", "LHR1", "LHR2", "MUL", "RWP"}
    assert cases_2024.filter(gbv_type="rape").count() > cases_2024.filter(gbv_type="physical_assault").count()
    names = [vault_read(s.identity)["name"] for s in Survivor.objects.all()[:20]]
    assert all(name.endswith("(synthetic)") for name in names)
    # Her consent ledger agrees with her choices: no examination consent from a survivor who
    # declined medical care, no evidence consent from one who declined its collection.
    declined_care = cases_2024.filter(choice_medical="no")
    declined_evidence = cases_2024.filter(choice_evidence="no")
    assert declined_care.exists()
    assert declined_evidence.exists()
    given = Consent.objects.filter(decision="given")
    assert not given.filter(case__in=declined_care, purpose__in=["examination", "treatment"]).exists()
    assert not given.filter(case__in=declined_evidence, purpose__in=["evidence", "photographs"]).exists()
    assert Consent.objects.filter(case__in=declined_care, purpose="examination", decision="refused").exists()
    # Codes run with arrival time within each cell.
    khi = list(cases_2024.filter(cell__code="KHI").order_by("code").values_list("arrival_at", flat=True))
    assert khi == sorted(khi)


def test_readme_lists_the_real_demo_secrets() -> None:
    rows = re.findall(r"^\| ([a-z0-9-]+) \|.*\| `([A-Z2-7]{32})` \|$", README.read_text(), re.M)
    assert len(rows) >= 10
    for username, secret in rows:
        assert demo_totp_base32(username) == secret, username
