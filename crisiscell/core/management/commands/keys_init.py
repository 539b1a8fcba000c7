"""Create the key ring at set-up. Safe to run again: an existing ring is never touched."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from crisiscell.core.keyring import init_keyring, keyring_path


class Command(BaseCommand):
    help = "Create the key ring (master keys and audit signing key) if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        created = init_keyring()
        path = keyring_path()
        if created:
            self.stdout.write(f"Created key ring at {path}. Back it up now: see docs/operations.md.")
        else:
            self.stdout.write(f"Key ring already present at {path}; left unchanged.")
        if not settings.PRODUCTION:
            return
        self.stdout.write("Production: keep this directory out of database backups.")
