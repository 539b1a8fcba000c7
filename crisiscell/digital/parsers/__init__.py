"""Chat export parsers: pure functions from the bytes of an export to messages and a report.

No database, no Django: they can run anywhere, and nothing here stores anything.

* :func:`~crisiscell.digital.parsers.whatsapp.parse_whatsapp` and ``parse_whatsapp_path``
  for WhatsApp (Android and iPhone; ``.txt``, ``.zip`` or folder);
* :func:`~crisiscell.digital.parsers.meta.parse_meta_path` for Facebook and Instagram;
* :func:`~crisiscell.digital.parsers.cli.read_export` picks the right one for a path;
* :mod:`~crisiscell.digital.parsers.types` holds what they return.
"""

from crisiscell.digital.parsers.types import ExportError, Message, ParseReport, ParseResult

__all__ = ["ExportError", "Message", "ParseReport", "ParseResult"]
