"""``crisiscell parse_chat FILE [--tz ZONE] [--order dmy|mdy|ymd]``.

Parses a WhatsApp or Meta export without storing anything and prints one JSON object
per message on standard output and a JSON summary on standard error. The whole
implementation is :func:`crisiscell.digital.parsers.cli.main`; this command only hands
it the arguments, so the command line behaves the same with or without Django.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisiscell.digital.parsers import cli


class Command(BaseCommand):
    help = "Parse a WhatsApp (.txt/.zip) or Meta (.zip/folder) export and print it as JSON lines. Stores nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cli_args", nargs=argparse.REMAINDER, help="FILE [--tz ZONE] [--order dmy|mdy|ymd]")

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [program, "parse_chat", ...]: the parser's own argparse reads the rest,
        # so --help and errors read the same as ``python -m crisiscell.digital.parsers.cli``.
        code = cli.main(argv[2:], prog=f"crisiscell {argv[1]}")
        if code:
            raise SystemExit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        code = cli.main([*args, *options.get("cli_args", [])])
        if code:
            raise CommandError(f"parse_chat failed (exit status {code}); see the message above.")
