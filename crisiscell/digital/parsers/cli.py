"""``parse_chat FILE [--tz ZONE] [--order dmy|mdy|ymd]``: parse an export, store nothing.

Reads a WhatsApp export (``.txt``, ``.zip`` or unpacked folder) or a Meta
(Facebook/Instagram) export (``.zip``, folder, or one ``message_N.json``) and writes

* to standard output, one JSON object per message: ``time`` (ISO 8601 or null),
  ``author``, ``raw``, ``line``, ``kind``, ``source``, ``offset``, ``attachment``, and
  where they apply ``edited``, ``display``, ``attachments``, ``reactions``, ``thread``,
  ``flags``; a line that is not UTF-8 also carries ``raw_bytes_hex``, its exact bytes;
* to standard error, one JSON summary line: counts, format, date order, why and on what it rests, time
  zone, unparsed lines, warnings.

Exit status: 0 when parsed (unparsed lines are reported, not fatal); 2 when the file
cannot be read at all (missing, empty, not UTF-8 text and not a zip, an empty zip, a
zip or folder with no chat, an unknown time zone); 1 when it is text but holds no
WhatsApp message at all.

Runs without Django: ``python -m crisiscell.digital.parsers.cli FILE`` works too.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crisiscell.digital.parsers import meta, whatsapp
from crisiscell.digital.parsers.types import ExportError, Message, ParseReport, ParseResult

SUMMARY_UNPARSED: int = 50  # unparsed lines listed in the summary line (all are counted)


class NoMessages(ExportError):
    """Readable text, but not a single message header in it."""


def read_export(path: Path, *, tz: str = whatsapp.DEFAULT_TZ, order: whatsapp.Order | None = None) -> ParseResult:
    """Parse whatever export ``path`` is. Raises :class:`ExportError` when it cannot be read at all."""
    result = _read(path, tz=tz, order=order)
    if result.report.format == "unknown":
        if result.report.extra.get("invalid_utf8_lines"):
            raise ExportError("not UTF-8 text and not a zip archive")
        lines = result.report.counts["lines"]
        raise NoMessages(f"no WhatsApp message header found in {result.report.source} ({lines} lines)")
    return result


def _read(path: Path, *, tz: str, order: whatsapp.Order | None) -> ParseResult:
    if not path.exists():
        raise ExportError("no such file or folder")
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
        chat, _notes = whatsapp.pick_chat_member(names)
        if chat is not None and any(whatsapp.is_chat_member(n) for n in names):
            return whatsapp.parse_whatsapp_dir(path, tz=tz, order=order)
        if meta.is_meta_export(names):
            return meta.parse_meta_path(path, tz=tz)
        if chat is not None:
            return whatsapp.parse_whatsapp_dir(path, tz=tz, order=order)
        raise ExportError("no WhatsApp chat (_chat.txt) and no Meta message_N.json in this folder")
    if not path.is_file():
        raise ExportError("not a regular file")
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                names = [i.filename for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExportError(f"damaged zip archive: {exc}") from exc
        if not names:
            raise ExportError("the zip archive is empty")
        if any(whatsapp.is_chat_member(n) for n in names):
            return whatsapp.parse_whatsapp_zip(path, tz=tz, order=order)
        if meta.is_meta_export(names):
            return meta.parse_meta_path(path, tz=tz)
        return whatsapp.parse_whatsapp_zip(path, tz=tz, order=order)  # the only .txt, or a clear error
    data = path.read_bytes()
    if not data:
        raise ExportError("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportError("UTF-16 text; WhatsApp and Meta exports are UTF-8 (export the chat again)")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        raise ExportError("a damaged zip archive")
    if meta.is_meta_export([path.name]):
        return meta.parse_meta_tree(meta.single_file_tree(path), tz=tz)
    return whatsapp.parse_whatsapp(data, source=path.name, tz=tz, order=order)


# Characters JSON allows raw inside strings but that many line-based tools take for a
# line break or mangle: escaped, so that one record is always exactly one line.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def _json_line(record: dict[str, Any]) -> str:
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from undecodable bytes: escape them
        text = json.dumps(record, ensure_ascii=True)
    if _UNSAFE.search(text) is not None:
        text = _UNSAFE.sub(_escape, text)
    return text + "\n"


def message_record(message: Message) -> dict[str, Any]:
    record = message.to_json()
    if "invalid_utf8" in message.flags:
        record["raw_bytes_hex"] = message.raw.encode("utf-8", "surrogateescape").hex()
    return record


def summary_record(report: ParseReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "format": report.format,
        "header": report.header,
        "timezone": report.timezone,
        "date_order": report.date_order,
        "date_order_reason": report.date_order_reason,
        "date_order_basis": report.date_order_basis,
        "counts": report.counts,
        "unparsed_count": len(report.unparsed),
        "unparsed": [
            {"source": u.source, "line": u.line, "offset": u.offset, "reason": u.reason, "text": u.text[:200]}
            for u in report.unparsed[:SUMMARY_UNPARSED]
        ],
        "warnings": list(report.warnings),
        "bom": report.bom,
        "members": len(report.members),
        "media_linked": report.media_linked,
        "media_missing": list(report.media_missing),
        "media_unreferenced": len(report.media_unreferenced),
        "threads": [
            {
                "path": t.path,
                "title": t.title,
                "platform": t.platform,
                "folder": t.folder,
                "files": len(t.files),
                "messages": t.messages,
                "e2ee_cutover": t.e2ee_cutover,
            }
            for t in report.threads
        ],
        "lookalike_lines": report.extra.get("lookalike_lines", []),
    }


def _utf8(stream: TextIO) -> TextIO:
    if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
        stream.reconfigure(encoding="utf-8")
    return stream


def main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = "parse_chat",
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    out = _utf8(stdout or sys.stdout)
    err = _utf8(stderr or sys.stderr)
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Parse a WhatsApp or Meta chat export and print it as JSON lines. Stores nothing.",
    )
    parser.add_argument("file", type=Path, help="a .txt or .zip WhatsApp export, a Meta .zip, or an unpacked folder")
    parser.add_argument("--tz", default=whatsapp.DEFAULT_TZ, help="time zone of the phone (default: %(default)s)")
    parser.add_argument(
        "--order", choices=whatsapp.ORDERS, help="date order, when the file cannot show it (default: detect)"
    )
    args = parser.parse_args(argv)
    try:
        ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        err.write(f"{prog}: error: unknown time zone {args.tz!r} (use an IANA name such as Asia/Karachi)\n")
        return 2
    try:
        result = read_export(args.file, tz=args.tz, order=args.order)
    except NoMessages as exc:
        err.write(f"{prog}: error: {args.file}: {exc}\n")
        return 1
    except (ExportError, ZoneInfoNotFoundError) as exc:
        err.write(f"{prog}: error: {args.file}: {exc}\n")
        return 2
    except OSError as exc:
        err.write(f"{prog}: error: cannot read {args.file}: {exc.strerror or exc}\n")
        return 2
    write = out.write
    for message in result.messages:
        write(_json_line(message_record(message)))
    out.flush()
    err.write(_json_line(summary_record(result.report)))
    err.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
