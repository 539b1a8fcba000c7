"""``crisiscell parse_chat``: a thin wrapper until ``crisiscell.digital`` becomes an app.

Django only finds commands in installed apps, so this module re-exports the command
defined in ``crisiscell.digital``; the implementation is
:func:`crisiscell.digital.parsers.cli.main`. Delete this file once
``crisiscell.digital`` is in ``INSTALLED_APPS``.
"""

from crisiscell.digital.management.commands.parse_chat import Command

__all__ = ["Command"]
