"""Change a rule in force for this deployment, or restore its default; list the rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisiscell.cases.deadlines import UnknownRule
from crisiscell.cases.rules_in_force import rule_override, rules_in_force


class Command(BaseCommand):
    help = "crisiscell rules_set KEY HOURS --reason '...'  (or --default), or with no key: list the rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", nargs="?")
        parser.add_argument("hours", nargs="?", type=float)
        parser.add_argument("--reason", default="")
        parser.add_argument("--default", action="store_true", help="Restore the rule's default.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["key"]:
            for rule in rules_in_force().values():
                mark = " (overridden: " + rule.override_reason + ")" if rule.overridden else ""
                self.stdout.write(f"{rule.key:16} {rule.hours:8.1f} h  from {rule.anchor:22} [{rule.tag}]{mark}")
            return
        if options["hours"] is None and not options["default"]:
            raise CommandError("Give the new window in hours, or --default.")
        try:
            rule = rule_override(
                key=options["key"], hours=None if options["default"] else options["hours"], reason=options["reason"]
            )
        except UnknownRule as error:
            raise CommandError(f"No rule {options['key']!r}.") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{rule.key} is now {rule.hours} h.")
