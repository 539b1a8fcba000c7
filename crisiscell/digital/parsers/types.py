"""What every parser returns: messages that keep their original text, and a report of what was assumed.

A :class:`Message` carries two texts. ``raw`` is the message exactly as it stands in
the export (byte for byte once decoded as UTF-8; for Meta, the string exactly as the
JSON holds it, mis-encoding included). ``normalised`` is a search copy and nothing
else: never show it as the survivor's words. ``raw_lines`` holds the original
line(s) including the date prefix, so a WhatsApp export can be rebuilt exactly by
concatenating the ``raw_lines`` of every message in order.

The :class:`ParseReport` says what the parser had to assume (date order, time zone,
format) and why, and lists every line it could not read. Nothing is dropped: such a
line is a message of kind ``unparsed``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final, Literal

Kind = Literal["message", "system", "attachment", "deleted", "edited", "unparsed"]
KINDS: Final[tuple[Kind, ...]] = ("message", "system", "attachment", "deleted", "edited", "unparsed")

# ``Message.attachment`` when the export says a file existed but was left out of it.
OMITTED: Final = "omitted"

# Characters that only steer the direction of text. The search copy drops them;
# ``raw`` keeps them.
DIRECTION_MARKS: Final = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_MARKS_RE: Final = re.compile(f"[{DIRECTION_MARKS}]+")
_INDIC_DIGITS_RE: Final = re.compile("[\u0660-\u0669\u06f0-\u06f9]")


def _ascii_digit(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match[0]))


_FOLD_RE: Final = re.compile(f"[{DIRECTION_MARKS}\u0660-\u0669\u06f0-\u06f9]")


def normalise(text: str) -> str:
    """The search copy of a text: NFKC, no direction marks, ASCII digits, one space between words, lower case."""
    # Most texts only need lower-casing: printable (so no direction marks and no
    # whitespace but " "), no double space, and ASCII or already NFKC without Indic digits.
    if (
        text.isprintable()
        and "  " not in text
        and (text.isascii() or (unicodedata.is_normalized("NFKC", text) and _INDIC_DIGITS_RE.search(text) is None))
    ):
        return text.strip(" ").lower()
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if _FOLD_RE.search(text) is not None:
            text = _INDIC_DIGITS_RE.sub(_ascii_digit, _MARKS_RE.sub("", text))
    return " ".join(text.split()).lower()


class ExportError(ValueError):
    """The input cannot be read as an export at all (missing, empty, not text, no chat inside)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or link a message carried (Meta exports; WhatsApp uses ``Message.attachment``)."""

    kind: str  # photo, video, audio, file, gif, sticker, share
    uri: str  # as the export gives it (a path inside the export, or a link for a share)
    present: bool  # the file is in the export (always True for a share link)
    member: str | None = None  # where the file is inside the zip or folder, when present


@dataclass(frozen=True, slots=True)
class Reaction:
    """A reaction to a Meta message: ``raw`` as in the JSON, ``display`` repaired."""

    actor: str
    raw: str
    display: str


@dataclass(frozen=True)
class Message:
    """One message, or one line the parser could not read (kind ``unparsed``).

    Not slotted on purpose: parsers build hundreds of thousands of these, and
    :func:`messages_from_rows` fills each instance's ``__dict__`` in one step, three
    times faster than the generated ``__init__``; fields left at their default are
    read from the class.

    ``line`` and ``offset`` locate the message's first line in ``source``: a 1-based
    line number and a byte offset from the start of the file (after a UTF-8 byte
    order mark, which the report records). For Meta, they locate the message's JSON
    object in its ``message_N.json`` file, and ``raw_lines`` is that object's text.
    """

    time: datetime | None  # aware; None when the date could not be read
    author: str | None  # None for system lines and unparsed lines
    raw: str  # the text exactly as in the export
    normalised: str  # search copy, see normalise()
    kind: Kind
    source: str  # file name, or the member name inside an archive
    line: int
    offset: int
    raw_lines: tuple[str, ...]  # the original line(s), line endings included
    display: str  # text to show people: raw, or for Meta the mis-encoding repaired
    attachment: str | None = None  # file name, OMITTED when left out of the export, or None
    edited: bool = False
    attachment_member: str | None = None  # the archive member or file holding the attachment, if present
    attachments: tuple[Attachment, ...] = ()
    reactions: tuple[Reaction, ...] = ()
    thread: str | None = None  # Meta: the thread's folder inside the export
    flags: frozenset[str] = frozenset()  # e.g. "e2ee_cutover", "invalid_utf8", "invalid_date"

    if not TYPE_CHECKING:  # hidden from mypy, which would otherwise accept any attribute name

        def __getattr__(self, name: str) -> Any:
            """``normalised`` left out of a row is made from ``display`` when first read, then kept.

            Most parsed messages are never searched before they are stored, so the
            parser does not pay for 100,000 search copies up front.
            """
            if name != "normalised":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = self.__dict__["normalised"] = normalise(self.display)
            return value

    def to_json(self) -> dict[str, Any]:
        """The fields ``parse_chat`` prints, as JSON-ready values."""
        record: dict[str, Any] = {
            "time": self.time.isoformat() if self.time is not None else None,
            "author": self.author,
            "raw": self.raw,
            "line": self.line,
            "kind": self.kind,
            "source": self.source,
            "offset": self.offset,
            "attachment": self.attachment,
        }
        if self.edited:
            record["edited"] = True
        if self.attachment_member is not None:
            record["attachment_member"] = self.attachment_member
        if self.display is not self.raw and self.display != self.raw:
            record["display"] = self.display
        if self.attachments:
            record["attachments"] = [asdict(a) for a in self.attachments]
        if self.reactions:
            record["reactions"] = [asdict(r) for r in self.reactions]
        if self.thread is not None:
            record["thread"] = self.thread
        if self.flags:
            record["flags"] = sorted(self.flags)
        return record


def messages_from_rows(rows: Sequence[dict[str, Any]]) -> list[Message]:
    """:class:`Message` objects whose ``__dict__`` is each row, without running ``__init__``.

    Each row must name every field that has no default (fields left out are read from
    the class defaults), except ``normalised``, which is made on first read when left
    out. For parsers only: a row must not be changed afterwards. Equality, ``repr``,
    ``asdict`` and ``replace`` work as for any instance. Both steps run in C (``map``),
    which is what makes building 100,000 messages cheap.
    """
    messages: list[Message] = list(map(object.__new__, repeat(Message, len(rows))))
    deque(map(object.__setattr__, messages, repeat("__dict__"), rows), maxlen=0)
    return messages


@dataclass(frozen=True, slots=True)
class UnparsedLine:
    """A line that is neither a message nor the continuation of one."""

    source: str
    line: int
    offset: int
    text: str  # decoded; undecodable bytes appear as lone surrogates (errors="surrogateescape")
    reason: str


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """One Meta conversation: where it was found and what it holds."""

    path: str
    title: str
    platform: str  # facebook, instagram or unknown
    folder: str  # inbox, e2ee_cutover, archived_threads, message_requests, filtered_threads…
    files: tuple[str, ...]
    participants: tuple[str, ...]
    messages: int
    e2ee_cutover: bool


@dataclass(frozen=True, slots=True)
class ParseReport:
    """What the parser found, what it assumed and why, and every line it could not read."""

    source: str
    format: str  # android, iphone, facebook, instagram, meta (both) or unknown
    timezone: str
    date_order: str | None  # dmy, mdy or ymd (WhatsApp); None where dates are timestamps
    date_order_reason: str
    counts: dict[str, int]  # messages per kind, plus "total" and "lines"
    unparsed: tuple[UnparsedLine, ...] = ()
    warnings: tuple[str, ...] = ()
    bom: bool = False
    members: tuple[str, ...] = ()  # the archive members or files that were parsed
    media_linked: int = 0
    media_missing: tuple[str, ...] = ()  # attachments named in the chat but not in the archive
    media_unreferenced: tuple[str, ...] = ()  # files in the archive no message names
    threads: tuple[ThreadInfo, ...] = ()
    header: str | None = None  # the WhatsApp header shape detected, for the record
    # What the date order rests on, as one word a page can translate (``date_order_reason``
    # is the English detail): dates, chronology, assumed, conflict, given, none or timestamps.
    date_order_basis: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["unparsed_count"] = len(self.unparsed)
        return data


@dataclass(frozen=True, slots=True)
class ParseResult:
    messages: list[Message]
    report: ParseReport


def count_kinds(messages: Sequence[Message], lines: int | None = None) -> dict[str, int]:
    """Messages per kind, the total, how many carry the edited flag, and the lines read."""
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    counts.update(Counter(map(attrgetter("kind"), messages)))
    counts["total"] = len(messages)
    counts["edited_flag"] = sum(map(attrgetter("edited"), messages))
    if lines is not None:
        counts["lines"] = lines
    return counts
