"""The synthetic demo network: six cells, their police reporting centres and demo staff.

Everything here is invented and marked as demo. Demo accounts share one public
password and have TOTP secrets derived from their usernames, so anyone trying
the demo can log in; ``crisiscell demo`` refuses to run in production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership, User
from crisiscell.cells.models import Cell, PoliceReportingCentre

DEMO_PASSWORD = "crisiscell-demo"  # noqa: S105 - the public password of synthetic demo accounts


@dataclass(frozen=True)
class DemoCell:
    code: str
    city: str
    district: str
    latitude: str
    longitude: str
    phone_prefix: str


# The six cells of the published network: Karachi, Islamabad, two in Lahore, Multan, Rawalpindi.
DEMO_CELLS = [
    DemoCell("KHI", "Karachi", "Karachi South", "24.860700", "67.001100", "21"),
    DemoCell("ISB", "Islamabad", "Islamabad", "33.684400", "73.047900", "51"),
    DemoCell("LHR1", "Lahore", "Lahore", "31.549700", "74.343600", "42"),
    DemoCell("LHR2", "Lahore", "Lahore", "31.520400", "74.358700", "42"),
    DemoCell("MUL", "Multan", "Multan", "30.157800", "71.524900", "61"),
    DemoCell("RWP", "Rawalpindi", "Rawalpindi", "33.565100", "73.016900", "51"),
]

CELL_ROLES = [
    Role.DESK_OFFICER,
    Role.CASE_WORKER,
    Role.MEDICO_LEGAL_OFFICER,
    Role.PSYCHOLOGIST,
    Role.LEGAL_ADVISER,
    Role.POLICE_LIAISON,
    Role.EVIDENCE_CUSTODIAN,
    Role.CELL_HEAD,
]
ROLE_SLUGS = {
    Role.DESK_OFFICER: "desk",
    Role.CASE_WORKER: "caseworker",
    Role.MEDICO_LEGAL_OFFICER: "mlo",
    Role.PSYCHOLOGIST: "psychologist",
    Role.LEGAL_ADVISER: "legal",
    Role.POLICE_LIAISON: "police",
    Role.EVIDENCE_CUSTODIAN: "evidence",
    Role.CELL_HEAD: "head",
    Role.NATIONAL_ANALYST: "analyst",
    Role.AUDITOR: "auditor",
}
# The law asks for women in these roles; the demo staffs them so.
WOMEN_ROLES = {Role.MEDICO_LEGAL_OFFICER, Role.PSYCHOLOGIST, Role.POLICE_LIAISON}
NATIONAL_ACCOUNTS = [
    ("national-analyst", Role.NATIONAL_ANALYST),
    ("national-auditor", Role.AUDITOR),
]


def demo_username(cell_code: str, role: str) -> str:
    return f"{cell_code.lower()}-{ROLE_SLUGS[Role(role)]}"


def demo_staff(role: str) -> dict[str, User]:
    """Each demo cell's account for ``role``, by cell code, in one query."""
    wanted = {demo_username(cell.code, role): cell.code for cell in DEMO_CELLS}
    return {wanted[user.username]: user for user in User.objects.filter(username__in=wanted)}


def demo_totp_key(username: str) -> bytes:
    """A fixed, public TOTP secret per demo account (demo only)."""
    return hmac.new(b"crisiscell-demo-totp-v1", username.encode(), hashlib.sha256).digest()[:20]


def demo_totp_base32(username: str) -> str:
    return base64.b32encode(demo_totp_key(username)).decode("ascii")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    cell_code: str | None


def demo_accounts() -> list[DemoAccount]:
    accounts = [DemoAccount(demo_username(c.code, role), role, c.code) for c in DEMO_CELLS for role in CELL_ROLES]
    accounts += [DemoAccount(username, role, None) for username, role in NATIONAL_ACCOUNTS]
    return accounts


@transaction.atomic
def ensure_network() -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for spec in DEMO_CELLS:
        prc, _ = PoliceReportingCentre.objects.get_or_create(
            name=f"Police reporting centre {spec.code} (demo)",
            defaults={
                "city": spec.city,
                "district": spec.district,
                "address": f"Demo address, {spec.city}",
                "phone": f"+92 {spec.phone_prefix} 0000 0015",
            },
        )
        cell, _ = Cell.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": f"Crisis cell {spec.code} (demo)",
                "city": spec.city,
                "hospital": f"Government teaching hospital, {spec.city} (demo)",
                "address": f"Emergency block, demo address, {spec.city}",
                "phone_numbers": [f"+92 {spec.phone_prefix} 0000 0100"],
                "open_24_7": True,
                "latitude": Decimal(spec.latitude),
                "longitude": Decimal(spec.longitude),
                "police_reporting_centre": prc,
            },
        )
        cells[spec.code] = cell
    return cells


@transaction.atomic
def ensure_staff(cells: dict[str, Cell]) -> int:
    """Create the demo accounts that are missing; returns how many were created."""
    password_hash = make_password(DEMO_PASSWORD)
    created = 0
    for account in demo_accounts():
        role = Role(account.role)
        user, was_created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": "Demo",
                "last_name": f"{role.label} {account.cell_code or 'national'}",
                "email": f"{account.username}@demo.invalid",
                "password": password_hash,
                "is_demo": True,
                "gender": "female" if role in WOMEN_ROLES or role == Role.DESK_OFFICER else "male",
            },
        )
        created += int(was_created)
        cell = cells[account.cell_code] if account.cell_code else None
        Membership.objects.get_or_create(user=user, cell=cell, role=role)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user,
                name="demo authenticator",
                confirmed=True,
                key=demo_totp_key(user.username).hex(),
            )
    return created
