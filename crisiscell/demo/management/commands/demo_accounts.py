"""Print the demo accounts with their TOTP secrets and the code valid right now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from crisiscell.demo.network import demo_accounts, demo_totp_base32, demo_totp_key


class Command(BaseCommand):
    help = "List demo accounts, their TOTP secrets (base32) and current codes. Demo only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cell", help="Only this cell code.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts do not exist in production.")
        for account in demo_accounts():
            if options["cell"] and account.cell_code != options["cell"]:
                continue
            code = TOTP(demo_totp_key(account.username)).token()
            self.stdout.write(
                f"{account.username:24} {account.role:22} {account.cell_code or '-':5} "
                f"{demo_totp_base32(account.username)}  now: {code:06d}"
            )
