"""WhatsApp chat exports, Android and iPhone, as text or as a ``.zip`` with media.

    result = parse_whatsapp(data)                 # bytes of the .txt
    result = parse_whatsapp_path("export.zip")    # .txt, .zip or an unpacked folder
    result.messages, result.report

How it reads a file, in one pass over its lines:

1. **Decode.** UTF-8, line by line (the lines split at ``b"\\n"``, so byte offsets come
   from the same split), a byte order mark skipped (and recorded). A file that is not
   valid UTF-8 is decoded with ``errors="surrogateescape"`` and every line holding an
   undecodable byte becomes an ``unparsed`` message, reported; nothing crashes.
2. **Detect the header shape** (:class:`Dialect`). A permissive header pattern is tried
   on the lines until 500 headers are seen; the most frequent shape wins (ties: the
   one seen first). The shape fixes the bracket (``[…]`` is iPhone, ``… - `` Android),
   the date separator, the comma (``,``, ``،`` or none), seconds and AM/PM. Only lines
   with exactly that shape start a message; a line shaped like another header (say an
   iPhone header pasted into an Android chat) stays part of the message it is in, and
   the report lists it.
3. **Split.** Each line either starts a message (header of the file's shape),
   continues the previous one, or, before the first message or after an unreadable
   line, becomes an ``unparsed`` message of its own. Every line lands in exactly one
   message's ``raw_lines``, so joining them rebuilds the decoded file exactly.
4. **Date order** for the whole file (:func:`decide_order`): a first component with
   three or four digits is a year (YMD); a first component above 12 means day first,
   a second above 12 month first; otherwise the order under which the dates run
   forward (fewest backward steps) wins, ties going to day first, the order used in
   Pakistan. The choice and the reason go in the report.
5. **Build messages**: author split at the first ``": "`` of the first line, system
   lines recognised, attachments, deletions and edits marked, times made aware in the
   given zone (``Asia/Karachi`` by default). Dates and times are parsed once per
   distinct value and cached.
"""

from __future__ import annotations

import gc
import re
import zipfile
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate, chain, compress, repeat
from operator import add, gt, itemgetter, methodcaller, ne, sub
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal, NamedTuple, cast
from zoneinfo import ZoneInfo

from crisiscell.digital.parsers.types import (
    KINDS,
    OMITTED,
    ExportError,
    Kind,
    ParseReport,
    ParseResult,
    UnparsedLine,
    messages_from_rows,
)

Order = Literal["dmy", "mdy", "ymd"]
ORDERS: Final[tuple[Order, ...]] = ("dmy", "mdy", "ymd")
ORDER_NAMES: Final[dict[str, str]] = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}
DEFAULT_TZ: Final = "Asia/Karachi"
FIRST_YEAR: Final = 2009  # WhatsApp's first release: an earlier date means the order was misread

# The largest chat text read out of an archive. A real export of 100,000 messages is
# about 10 MB (and parsing takes about 25 times its size in memory); the cap only stops
# a zip bomb.
MAX_CHAT_BYTES: Final = 256 * 1024 * 1024
SNIFF_HEADERS: Final = 500

# --- Pieces of the header ------------------------------------------------------------
# Digits: ASCII, Arabic-Indic (U+0660-U+0669) and Extended Arabic-Indic, as Urdu writes them
# (U+06F0-U+06F9). int() reads all three.
_D: Final = "[0-9\u0660-\u0669\u06f0-\u06f9]"
# Direction marks WhatsApp puts around dates, names and markers: LRM, RLM, ALM,
# embeddings and overrides, isolates.
_M: Final = "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
# Spaces: plain, no-break, and the narrow no-break space iOS puts before AM/PM.
_SP: Final = "[ \u00a0\u202f]"
# AM/PM markers. English (AM, am, a.m.) and Spanish-style "a. m."; Arabic ص (AM) and
# م (PM) from CLDR "ar"; Urdu قبل دوپہر / بعد دوپہر (before / after noon) from CLDR
# "ur" (current CLDR gives Urdu plain AM/PM, which the first form covers).
_AMPM: Final = rf"[AaPp]\.?{_SP}?[Mm]\.?|قبل دوپہر|بعد دوپہر|ص|م"
_PM_TOKENS: Final = frozenset({"pm", "بعددوپہر", "م"})
_AMPM_STRIP: Final = re.compile(r"[.\s\u00a0\u202f]")

_SNIFF: Final = re.compile(
    rf"{_M}*+(?P<open>\[)?{_M}*+"
    rf"{_D}{{1,4}}{_M}*+(?P<sep>[/.\-]){_M}*+{_D}{{1,2}}{_M}*+(?P=sep){_M}*+{_D}{{1,4}}\.?"
    rf"{_M}*+(?P<comma>[,،]?){_M}*+{_SP}++{_M}*+"
    rf"{_D}{{1,2}}[:.]{_D}{{2}}(?P<s>[:.]{_D}{{2}})?"
    rf"(?:{_SP}*+{_M}*+(?P<ap>{_AMPM}))?{_M}*+"
    rf"(?(open)\]{_M}*+ | - )"
)
# A header starts with one of these (a cheap test before the header pattern itself).
_HEADER_FIRST_CHARS: Final = frozenset(
    "[0123456789\u200e\u200f\u061c" + "".join(map(chr, [*range(0x0660, 0x066A), *range(0x06F0, 0x06FA)]))
    + "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
)  # fmt: skip
_DATE_PARTS: Final = re.compile(rf"({_D}+){_M}*[/.\-]{_M}*({_D}+){_M}*[/.\-]{_M}*({_D}+)")
_TIME_PARTS: Final = re.compile(rf"({_D}+)[:.]({_D}+)(?:[:.]({_D}+))?(?:{_SP}*{_M}*({_AMPM}))?")
_SURROGATE: Final = re.compile("[\udc80-\udcff]")

# --- Message contents ----------------------------------------------------------------
# Only messages holding one of these (in the file's own encoding) get a closer look.
_TRIGGERS: Final = ("omitted", "attached", "deleted", "edited>")
_TRIGGERS_BYTES: Final = tuple(t.encode() for t in _TRIGGERS)
_LRM_BYTES: Final = "\u200e".encode()
_EDITED_MARKER: Final = "<This message was edited>"
_MARK_CHARS: Final = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DELETED: Final = re.compile(rf"{_M}*(?:This message was deleted|You deleted this message)\.?{_M}*\s*\Z")
# iPhone: "‎<attached: 00000012-PHOTO-2024-01-01-21-15-03.jpg>".
_ATTACHED_IOS: Final = re.compile(rf"{_M}*<attached: ([^>\n]+)>")
# Android: "IMG-20240101-WA0001.jpg (file attached)".
_ATTACHED_ANDROID: Final = re.compile(rf"{_M}*+([^\n]+?) \(file attached\){_M}*+\r?(?:\n|\Z)")
_EXACT_MARKERS: Final[dict[str, Kind]] = {
    "<Media omitted>": "attachment",
    "This message was deleted": "deleted",
    "You deleted this message": "deleted",
    "\u200eThis message was deleted.": "deleted",
    "\u200eYou deleted this message.": "deleted",
    "\u200eimage omitted": "attachment",
    "\u200evideo omitted": "attachment",
    "\u200eaudio omitted": "attachment",
    "\u200esticker omitted": "attachment",
}
# Android "<Media omitted>"; iPhone "‎image omitted", "‎Report.pdf • ‎3 pages ‎document omitted".
_OMITTED: Final = re.compile(
    rf"{_M}*<Media omitted>{_M}*\r?(?:\n|\Z)"
    rf"|{_M}*(?:image|video|audio|sticker|GIF|document|Contact card|video note) omitted{_M}*\r?(?:\n|\Z)"
    rf"|\u200e[^\n]*?\u200e(?:document|image|video|audio) omitted{_M}*\r?(?:\n|\Z)"
)
# A name followed by ": " that is really a system line, e.g.
# 'Sana changed the subject from "Plans" to "Plans: Friday"'.
_SYSTEM_BEFORE_COLON: Final = re.compile(
    r" (?:changed the subject|changed the group|changed this group|created group|changed the description"
    r"|changed their phone number|changed to \+)"
)
# iPhone writes system lines as "[date] Chat name: ‎<notice>"; the notice starts with a
# left-to-right mark. These are the notices it can be.
_SYSTEM_IOS: Final = re.compile(
    r"end-to-end encrypted|end-to-end encryption|created group|created this group|\badded\b|\bremoved\b"
    r"|\bleft\Z|joined using|changed the subject|changed this group|changed the group|deleted this group"
    r"|changed their phone number|changed to \+|security code|now an admin|no longer an admin"
    r"|[Dd]isappearing messages|blocked this contact|business account|pinned a message|is a contact"
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """The shape of a header line in one export."""

    bracket: bool  # "[date, time] " (iPhone) rather than "date, time - " (Android)
    sep: str  # date separator: / . -
    comma: str  # between date and time: "," "،" or ""
    seconds: bool
    twelve_hour: bool

    @property
    def format(self) -> str:
        return "iphone" if self.bracket else "android"

    def describe(self, order: Order = "dmy") -> str:
        clock = ("h" if self.twelve_hour else "HH") + ":mm" + (":ss" if self.seconds else "")
        clock += " AM/PM" if self.twelve_hour else ""
        date = self.sep.join(order)
        core = f"{date}{self.comma} {clock}"
        return f"[{core}] Name: text" if self.bracket else f"{core} - Name: text"


def header_pattern(dialect: Dialect) -> re.Pattern[str]:
    """The strict pattern of a message's first line in ``dialect``: groups ``date`` and ``time``."""
    sep = re.escape(dialect.sep)
    date = rf"(?P<date>{_D}{{1,4}}{_M}*+{sep}{_M}*+{_D}{{1,2}}{_M}*+{sep}{_M}*+{_D}{{1,4}})\.?"
    seconds = rf"[:.]{_D}{{2}}" if dialect.seconds else ""
    ampm = rf"{_SP}*+{_M}*+(?:{_AMPM})" if dialect.twelve_hour else ""
    time = rf"(?P<time>{_D}{{1,2}}[:.]{_D}{{2}}{seconds}{ampm})"
    opening = r"\[" if dialect.bracket else ""
    closing = rf"\]{_M}*+ " if dialect.bracket else " - "
    comma = re.escape(dialect.comma)
    # Possessive loops (*+, ++): runs of marks and spaces are never given back, so a
    # line of thousands of marks fails in linear time instead of quadratic.
    return re.compile(rf"{_M}*+{opening}{_M}*+{date}{_M}*+{comma}{_M}*+{_SP}++{_M}*+{time}{_M}*+{closing}")


def message_pattern(dialect: Dialect) -> re.Pattern[str]:
    """:func:`header_pattern` followed by the author (up to the first ": ", if any) and the rest of the line."""
    # The author runs to the first ": " of the line. Written as a possessive run of
    # anything but ":" (or a ":" not followed by a space) inside an alternation rather
    # than an optional lazy group: the same match, found with far fewer steps per line.
    return re.compile(header_pattern(dialect).pattern + r"(?:([^:\n]*+(?::(?! )[^:\n]*+)*+): |)(.*)")


def sniff_dialect(lines: Sequence[str], limit: int = SNIFF_HEADERS) -> Dialect | None:
    """The most frequent header shape among the first ``limit`` header-like lines (ties: first seen)."""
    counts: Counter[Dialect] = Counter()
    first_seen: dict[Dialect, int] = {}
    match = _SNIFF.match
    for index, line in enumerate(lines):
        m = match(line)
        if m is None:
            continue
        dialect = Dialect(
            bracket=m["open"] is not None,
            sep=m["sep"],
            comma=m["comma"],
            seconds=m["s"] is not None,
            twelve_hour=m["ap"] is not None,
        )
        counts[dialect] += 1
        first_seen.setdefault(dialect, index)
        if counts.total() >= limit:
            break
    if not counts:
        return None
    return max(counts, key=lambda d: (counts[d], -first_seen[d]))


# --- Dates ---------------------------------------------------------------------------


_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return day <= 29
    return day <= _DAYS[month - 1]


@dataclass(frozen=True, slots=True)
class _RawDate:
    text: str
    a: int
    b: int
    c: int
    a_digits: int
    c_digits: int
    line: int  # 1-based, first line where this date appears

    def ymd(self, order: Order) -> tuple[int, int, int] | None:
        if order == "dmy":
            year, month, day, year_digits = self.c, self.b, self.a, self.c_digits
        elif order == "mdy":
            year, month, day, year_digits = self.c, self.a, self.b, self.c_digits
        else:
            year, month, day, year_digits = self.a, self.b, self.c, self.a_digits
        if year_digits <= 2:
            year += 2000
        if not _valid_date(year, month, day):
            return None
        return year, month, day


def _raw_date(text: str, line: int) -> _RawDate | None:
    m = _DATE_PARTS.match(text)
    if m is None:  # the header pattern guarantees the shape; kept for safety
        return None
    a, b, c = m.group(1, 2, 3)
    return _RawDate(text, int(a), int(b), int(c), len(a), len(c), line)


class OrderDecision(NamedTuple):
    """The date order for a whole file, why (in English, for the record), and what it rests on."""

    order: Order
    reason: str
    warnings: list[str]
    basis: str  # given, dates, chronology, conflict, assumed or none (``DateOrderBasis`` in the models)


def decide_order(sequence: Sequence[_RawDate], forced: Order | None = None) -> OrderDecision:
    """The date order for the whole file, the reason, any warnings, and its basis.

    ``sequence`` is the file's dates in order of appearance, consecutive repeats removed.
    """
    warnings: list[str] = []
    if forced is not None:
        bad = sum(1 for d in sequence if d.ymd(forced) is None)
        if bad:
            warnings.append(f"{bad} distinct date(s) are impossible under the order given ({forced}).")
        return OrderDecision(forced, f"{ORDER_NAMES[forced]} ({forced}), as given by the user", warnings, "given")
    if not sequence:
        return OrderDecision("dmy", "no dates in the file", warnings, "none")

    year_first = next((d for d in sequence if d.a_digits >= 3 or d.a > 31), None)
    day_first = next((d for d in sequence if 12 < d.a <= 31 and d.a_digits <= 2), None)
    month_first = next((d for d in sequence if d.b > 12), None)
    if year_first is not None:
        reason = f"the first component of {year_first.text!r} (line {year_first.line}) is a year"
        return OrderDecision("ymd", reason, warnings, "dates")
    if day_first is not None and month_first is None:
        return OrderDecision(
            "dmy",
            f"the first component of {day_first.text!r} (line {day_first.line}) is {day_first.a}, above 12, "
            "so it is the day",
            warnings,
            "dates",
        )
    if month_first is not None and day_first is None:
        return OrderDecision(
            "mdy",
            f"the second component of {month_first.text!r} (line {month_first.line}) is {month_first.b}, above 12, "
            "so it is the day",
            warnings,
            "dates",
        )

    candidates: list[Order] = ["dmy", "mdy"]
    if all(d.a_digits == 2 and d.c_digits == 2 for d in sequence):
        candidates.append("ymd")
    # Score: impossible dates, then dates before WhatsApp existed, then backward steps.
    scores: dict[Order, tuple[int, int, int]] = {}
    for order in candidates:
        invalid = early = backward = 0
        previous: tuple[int, int, int] | None = None
        for d in sequence:
            value = d.ymd(order)
            if value is None:
                invalid += 1
                continue
            if value[0] < FIRST_YEAR:
                early += 1
            if previous is not None and value < previous:
                backward += 1
            previous = value
        scores[order] = (invalid, early, backward)
    chosen = min(candidates, key=lambda o: (*scores[o], ORDERS.index(o)))

    def score(o: Order) -> str:
        invalid, early, backward = scores[o]
        text = f"{ORDER_NAMES[o]}: {backward} backward step(s)"
        if invalid:
            text += f", {invalid} impossible date(s)"
        if early:
            text += f", {early} date(s) before {FIRST_YEAR}"
        return text

    summary = "; ".join(score(o) for o in candidates)
    if day_first is not None and month_first is not None:
        warnings.append(
            f"Dates disagree: {day_first.text!r} (line {day_first.line}) reads only as day first, "
            f"{month_first.text!r} (line {month_first.line}) only as month first."
        )
        reason = f"conflicting dates; chose the order with fewest impossible dates, then chronology ({summary})"
        return OrderDecision(chosen, reason, warnings, "conflict")
    tied = [o for o in candidates if scores[o] == scores[chosen]]
    if len(tied) > 1:
        basis = "assumed"
        preference = "day first, the usual order in Pakistan" if chosen == "dmy" else ORDER_NAMES[chosen]
        reason = (
            f"no date has a component above 12 and the dates do not decide between "
            f"{' and '.join(ORDER_NAMES[o] for o in tied)} ({summary}); defaulted to {preference}"
        )
        warnings.append("Day/month order is an assumption: nothing in the file decides it. Check it against the phone.")
    else:
        basis = "chronology"
        reason = (
            f"no date has a component above 12; {ORDER_NAMES[chosen]} puts the messages most nearly "
            f"in time order ({summary})"
        )
    return OrderDecision(chosen, reason, warnings, basis)


def _time_parts(text: str) -> tuple[int, int, int] | None:
    m = _TIME_PARTS.match(text)
    if m is None:
        return None
    hour, minute = int(m[1]), int(m[2])
    second = int(m[3]) if m[3] is not None else 0
    if m[4] is not None:
        if not 1 <= hour <= 12:
            return None
        pm = _AMPM_STRIP.sub("", m[4]).lower() in _PM_TOKENS
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


# --- Decoding ------------------------------------------------------------------------


def _lines(data: bytes) -> tuple[bytes, list[bytes], bool]:
    """(body without BOM, its lines each with its "\\n", had a BOM). Only "\\n" ends a line."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    if b"\r" not in body or body.count(b"\r") == body.count(b"\r\n"):
        # bytes.splitlines breaks at "\n", "\r\n" and a lone "\r" only: without a lone "\r" it
        # splits exactly where "\n" does.
        return body, body.splitlines(keepends=True), bom
    parts = body.split(b"\n")
    last = parts.pop()
    lines = list(map(add, parts, repeat(b"\n")))
    if last:
        lines.append(last)
    return body, lines, bom


def _decode_lines(lines: list[bytes]) -> tuple[list[str], bool]:
    """Each line decoded as UTF-8, and whether some byte was not UTF-8 (then kept as a surrogate escape).

    Line by line rather than the whole file at once: a line is only as wide as its own
    characters (one emoji makes a whole decoded file four bytes a character), and UTF-8
    decoding never runs across a "\\n", so the lines are the same either way.
    """
    try:
        return list(map(bytes.decode, lines)), False
    except UnicodeDecodeError:
        return list(map(bytes.decode, lines, repeat("utf-8"), repeat("surrogateescape"))), True


_NO_FLAGS: Final[frozenset[str]] = frozenset()
_INVALID_DATE: Final = frozenset({"invalid_date"})
_INVALID_UTF8: Final = frozenset({"invalid_utf8"})
_SYSTEM_IF_NO_AUTHOR: Final[dict[str | None, Kind]] = {None: "system"}
_MESSAGE: Final[Kind] = "message"
_groups: Final = cast("Callable[[re.Match[str] | None], tuple[str, str, str | None, str]]", re.Match.groups)


def parse_whatsapp(
    data: bytes | str,
    *,
    source: str = "_chat.txt",
    tz: str = DEFAULT_TZ,
    order: Order | None = None,
    media: Mapping[str, str] | None = None,
    members: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> ParseResult:
    """Parse one WhatsApp chat text.

    ``media`` maps attachment file names to where they are (archive member or file);
    ``members`` and ``warnings`` are carried into the report by the zip and folder readers.

    The cyclic garbage collector is paused while the messages are built: they hold no
    cycles, and a large chat otherwise triggers many full collections for nothing.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(data, source, ZoneInfo(tz), tz, order, media, members, warnings)
    finally:
        if collecting:
            gc.enable()


def _parse(
    data: bytes | str,
    source: str,
    zone: ZoneInfo,
    tz: str,
    order: Order | None,
    media: Mapping[str, str] | None,
    members: Sequence[str],
    warnings: Sequence[str],
) -> ParseResult:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    body, blines, bom = _lines(data)
    base = 3 if bom else 0
    notes: list[str] = list(warnings)

    # --- Lines, each with its line ending: what raw_lines holds. ---
    klines, had_errors = _decode_lines(blines)
    n = len(klines)
    terminated = not n or klines[-1].endswith("\n")
    # line_at[i]: offset of line i from the start of the body, in bytes.
    line_at = list(accumulate(map(len, blines), initial=0))
    del blines
    bad: set[int] = set()
    if had_errors:
        bad = {i for i, line in enumerate(klines) if _SURROGATE.search(line)}
        notes.append(
            f"{len(bad)} line(s) are not valid UTF-8; they are kept as unparsed lines "
            "(undecodable bytes as surrogate escapes)."
        )

    # --- Which lines start a message, and where each message ends. ---
    dialect = sniff_dialect(klines)
    if dialect is None:
        ms: list[re.Match[str] | None] = [None] * n
        starts: list[int] = []
        ends: list[int] = []
        orphans = list(range(n))
        if n:
            notes.append("No WhatsApp message header found: every line is kept as unparsed.")
    else:
        ms = list(map(message_pattern(dialect).match, klines))
        starts, ends, orphans = _spans(ms, bad, n)
    count = len(starts)

    # --- Columns, one entry per message, built with as little Python per message as possible. ---
    dates: Sequence[str] = ()
    times: Sequence[str] = ()
    authors: list[str | None] = []
    raws: list[str] = []
    same: dict[str | None, str | None] = {}
    if count:
        groups: Iterator[tuple[str, str, str | None, str]] = map(_groups, map(ms.__getitem__, starts))
        date_col, time_col, author_col, text_col = zip(*groups, strict=True)
        # One string per distinct author rather than one per message: less to hold and free.
        same = {author: author for author in set(author_col)}
        dates, times, authors, raws = date_col, time_col, list(map(same.__getitem__, author_col)), list(text_col)
        del date_col, time_col, author_col, text_col, groups
    # The match objects are the bulkiest thing held so far: let them go before the rows are built.
    del ms
    raw_lines: list[tuple[str, ...]] = list(zip(map(klines.__getitem__, starts), strict=True))
    multi = list(compress(range(count), map(gt, map(sub, ends, starts), repeat(1))))
    for i in multi:
        raw_lines[i] = lines_of = tuple(klines[starts[i] : ends[i]])
        tail = "".join(lines_of[1:])
        raws[i] += "\n" + (tail[:-1] if tail.endswith("\n") else tail)
    if b"\r" in body:
        # CRLF: the "\r" of the message's last line ending is not text (unless the file ends without a newline).
        open_last = count - 1 if count and ends[-1] == n and not terminated else -1
        for i in compress(range(count), map(methodcaller("endswith", "\r"), raws)):
            if i != open_last:
                raws[i] = raws[i][:-1]
    kinds: list[Kind] = list(map(_SYSTEM_IF_NO_AUTHOR.get, authors, repeat(_MESSAGE)))
    # 'Sana changed the subject to "Plans: Friday"' has a ": " but no author.
    notices = {a for a in same if a and _SYSTEM_BEFORE_COLON.search(a)}
    if notices:
        for i in [i for i, a in enumerate(authors) if a in notices]:
            raws[i] = f"{authors[i]}: {raws[i]}"
            authors[i] = None
            kinds[i] = "system"

    # Markers (attachments, deletions, edits) and iPhone system notices are rare: find
    # the few messages that may hold one by searching the file's bytes, then look closer.
    fixes: dict[int, dict[str, Any]] = {}
    linked: set[str] = set()
    missing: list[str] = []
    for i in _messages_holding(body, _TRIGGERS_BYTES, line_at, starts, ends):
        if kinds[i] != "system":
            _mark(i, raws[i], kinds, fixes, media, linked, missing)
    ios = dialect is not None and dialect.bracket
    for i in _messages_holding(body, (_LRM_BYTES,), line_at, starts, ends) if ios else ():
        if kinds[i] == "message" and raws[i].startswith("\u200e") and _SYSTEM_IOS.search(raws[i]) is not None:
            # iPhone system notice: "[date] Chat name: ‎Sana added Ayesha".
            kinds[i] = "system"
            authors[i] = None
    del body

    # --- Date order for the whole file, then the times. ---
    # The first message of each run of messages on one date, compared in C: a chat has a
    # few hundred such runs, so what follows loops over runs, not messages.
    runs = list(compress(range(count), map(ne, dates, chain((None,), dates))))
    first_row: dict[str, int] = {}
    for i in runs:
        first_row.setdefault(dates[i], i)
    raw_dates = {ds: _raw_date(ds, starts[i] + 1) for ds, i in first_row.items()}
    sequence = [rd for rd in (raw_dates[dates[i]] for i in runs) if rd is not None]
    chosen, reason, order_notes, basis = decide_order(sequence, order)
    notes.extend(order_notes)
    # Each time is its date's midnight plus its clock time: aware datetime + timedelta is
    # wall-clock arithmetic, so this equals datetime(y, m, d, H, M, S, tzinfo=zone).
    midnight: dict[str, datetime | None] = {}
    for ds, rd in raw_dates.items():
        day = rd.ymd(chosen) if rd is not None else None
        midnight[ds] = None if day is None else datetime(*day, tzinfo=zone)
    clock: dict[str, timedelta | None] = {}
    for ts in set(times):
        hms = _time_parts(ts)
        clock[ts] = None if hms is None else timedelta(hours=hms[0], minutes=hms[1], seconds=hms[2])
    invalid: list[int] = []
    if None in midnight.values() or None in clock.values():
        whens: list[datetime | None] = []
        for i, (ds, ts) in enumerate(zip(dates, times, strict=True)):
            start, delta = midnight[ds], clock[ts]
            if start is None or delta is None:
                whens.append(None)
                invalid.append(i)
                fixes.setdefault(i, {})["flags"] = _INVALID_DATE
            else:
                whens.append(start + delta)
    else:
        whens = list(map(add, map(midnight.__getitem__, dates), map(clock.__getitem__, times)))
    del dates, times  # a date and a time string per message, no longer needed

    # --- Rows, then messages. ---
    offsets = map(line_at.__getitem__, starts)
    if base:
        offsets = map(add, offsets, repeat(base))
    rows: list[dict[str, Any]] = [
        {
            "time": when, "author": author, "raw": raw,
            "kind": kind, "source": source, "line": line, "offset": offset, "raw_lines": lines_of,
            "display": raw,
        }
        for when, author, raw, kind, line, offset, lines_of in zip(
            whens, authors, raws, kinds, map(add, starts, repeat(1)), offsets, raw_lines, strict=True
        )
    ]  # fmt: skip
    for i, fix in fixes.items():
        rows[i].update(fix)
    unparsed: list[UnparsedLine] = []
    if orphans:
        first_header = starts[0] if starts else n
        for index in orphans:
            line = klines[index]
            raw = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line
            offset = base + line_at[index]
            if index in bad:
                why, flags = "not valid UTF-8", _INVALID_UTF8
            elif dialect is None:
                why, flags = "no WhatsApp message header in the file", _NO_FLAGS
            elif index < first_header:
                why, flags = "before the first message", _NO_FLAGS
            else:
                why, flags = "follows an unreadable line", _NO_FLAGS
            rows.append(
                {
                    "time": None, "author": None, "raw": raw, "kind": "unparsed",
                    "source": source, "line": index + 1, "offset": offset, "raw_lines": (klines[index],),
                    "display": raw, "flags": flags,
                }
            )  # fmt: skip
            unparsed.append(UnparsedLine(source, index + 1, offset, raw, why))
        rows.sort(key=itemgetter("line"))
    messages = messages_from_rows(rows)

    # --- Report. ---
    if invalid:
        notes.append(
            f"{len(invalid)} message(s) carry a date or time that does not exist under {chosen}; time left empty."
        )
    if unparsed:
        notes.append(f"{len(unparsed)} line(s) could not be read as messages; kept as unparsed (see 'unparsed').")
    lookalikes = _lookalikes(klines, starts, ends, multi)
    if lookalikes:
        shown = ", ".join(str(x) for x in lookalikes[:20]) + (" …" if len(lookalikes) > 20 else "")
        notes.append(
            f"{len(lookalikes)} line(s) inside messages look like a header of another shape and were kept as message "
            f"text (lines {shown}). Check them: they may have been typed or pasted."
        )
    unreferenced: tuple[str, ...] = ()
    if media is not None:
        unreferenced = tuple(sorted(set(media.values()) - linked))
        if missing:
            notes.append(f"{len(missing)} attachment(s) named in the chat are not in the export.")

    report = ParseReport(
        source=source,
        format=dialect.format if dialect is not None else "unknown",
        timezone=tz,
        date_order=chosen if dialect is not None else None,
        date_order_reason=reason if dialect is not None else "no message header found",
        date_order_basis=basis if dialect is not None else "none",
        counts=_counts(kinds, fixes, len(unparsed), n),
        unparsed=tuple(unparsed),
        warnings=tuple(notes),
        bom=bom,
        members=tuple(members) or (source,),
        media_linked=len(linked),
        media_missing=tuple(missing),
        media_unreferenced=unreferenced,
        header=dialect.describe(chosen) if dialect is not None else None,
        extra={"lookalike_lines": lookalikes, "invalid_utf8_lines": sorted(i + 1 for i in bad)},
    )
    return ParseResult(messages, report)


def _spans(ms: list[re.Match[str] | None], bad: set[int], n: int) -> tuple[list[int], list[int], list[int]]:
    """First line of each message, the line after its last, and the lines that belong to no message.

    A line that is not UTF-8 belongs to no message, nor do the lines after it up to the
    next header: they cannot be joined to a message they are cut off from.
    """
    if not bad:
        starts = list(compress(range(n), ms))
        ends = [*starts[1:], n]
        return starts, ends, list(range(starts[0] if starts else n))
    starts, ends, orphans = [], [], []
    open_message = False
    for index, m in enumerate(ms):
        if index in bad:
            ms[index] = None
            if open_message:
                ends.append(index)
                open_message = False
            orphans.append(index)
        elif m is not None:
            if open_message:
                ends.append(index)
            starts.append(index)
            open_message = True
        elif not open_message:
            orphans.append(index)
    if open_message:
        ends.append(n)
    return starts, ends, orphans


def _messages_holding(
    body: bytes,
    needles: Sequence[bytes],
    line_at: Sequence[int],
    starts: Sequence[int],
    ends: Sequence[int],
) -> list[int]:
    """Indexes of the messages whose lines contain one of ``needles``, in order.

    ``line_at[i]`` is where line ``i`` starts in ``body``; a hit in a line that belongs
    to no message is ignored. A hit in the header (say, in a name) only costs a closer
    look. ``bytes.find`` skips through the file far faster than a regular expression
    can, and the two look-ups per hit (line, then message) run in C.
    """
    hits: list[int] = []
    find = body.find
    for needle in needles:
        at = find(needle)
        while at >= 0:
            hits.append(at)
            at = find(needle, at + 1)
    if not hits:
        return []
    lines = list(map(sub, map(bisect_right, repeat(line_at), hits), repeat(1)))
    owners = map(sub, map(bisect_right, repeat(starts), lines), repeat(1))
    return sorted({i for i, line in zip(owners, lines, strict=True) if i >= 0 and line < ends[i]})


def _edited_at(raw: str) -> int:
    """Where a trailing "<This message was edited>" marker starts (with the marks and the space
    before it), or -1. Plain string work: linear however many marks surround it."""
    at = raw.rfind(_EDITED_MARKER)
    if at < 0 or raw[at + len(_EDITED_MARKER) :].strip(_MARK_CHARS + " \t\r\n\u00a0\u202f"):
        return -1
    while at > 0 and raw[at - 1] in _MARK_CHARS:
        at -= 1
    if at > 0 and raw[at - 1] in " \u00a0\u202f":
        at -= 1
    return at


def _mark(
    i: int,
    raw: str,
    kinds: list[Kind],
    fixes: dict[int, dict[str, Any]],
    media: Mapping[str, str] | None,
    linked: set[str],
    missing: list[str],
) -> None:
    """Deleted, attachment and edited markers, for the few messages that may carry one."""
    exact = _EXACT_MARKERS.get(raw)
    if exact is not None:  # the usual forms, without a closer look
        kinds[i] = exact
        if exact == "attachment":
            fixes.setdefault(i, {})["attachment"] = OMITTED
        return
    body = raw
    fix: dict[str, Any] = {}
    edited = _edited_at(raw)
    if edited >= 0:
        fix["edited"] = True
        body = raw[:edited]
    attached = (_ATTACHED_IOS.match(body) or _ATTACHED_ANDROID.match(body)) if "attached" in body else None
    if "deleted" in body and _DELETED.match(body) is not None:
        kinds[i] = "deleted"
    elif attached is not None:
        name = attached[1]
        kinds[i] = "attachment"
        fix["attachment"] = name
        if media is not None:
            member = media.get(name)
            if member is None:
                missing.append(name)
            else:
                linked.add(member)
                fix["attachment_member"] = member
    elif "omitted" in body and _OMITTED.match(body) is not None:
        kinds[i] = "attachment"
        fix["attachment"] = OMITTED
    elif edited >= 0:
        kinds[i] = "edited"
    if fix:
        fixes.setdefault(i, {}).update(fix)


def _lookalikes(lines: Sequence[str], starts: Sequence[int], ends: Sequence[int], multi: Sequence[int]) -> list[int]:
    """1-based numbers of continuation lines that match some header shape other than the file's."""
    if not multi:
        return []
    sniff = _SNIFF.match
    numbers = [index for i in multi for index in range(starts[i] + 1, ends[i])]
    first_chars = map(itemgetter(0), map(lines.__getitem__, numbers))  # lines are never empty
    return [
        index + 1
        for index in compress(numbers, map(_HEADER_FIRST_CHARS.__contains__, first_chars))
        if sniff(lines[index]) is not None
    ]


def _counts(kinds: Sequence[str], fixes: Mapping[int, Mapping[str, Any]], unparsed: int, lines: int) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    counts.update(Counter(kinds))
    counts["unparsed"] = unparsed
    counts["total"] = len(kinds) + unparsed
    counts["edited_flag"] = sum(1 for fix in fixes.values() if fix.get("edited"))
    counts["lines"] = lines
    return counts


# --- Archives and folders ------------------------------------------------------------

_CHAT_MEMBER: Final = re.compile(r"(?:^|/)(?:_chat\.txt|WhatsApp Chat (?:with|-) [^/]*\.txt)\Z", re.IGNORECASE)


def is_chat_member(name: str) -> bool:
    return _CHAT_MEMBER.search(name) is not None and not name.startswith("__MACOSX/")


def pick_chat_member(names: Sequence[str]) -> tuple[str | None, list[str]]:
    """The chat text among archive members, and warnings about the choice."""
    files = [n for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")]
    chats = sorted(n for n in files if is_chat_member(n))
    notes: list[str] = []
    if not chats:
        texts = sorted(n for n in files if n.lower().endswith(".txt"))
        if len(texts) == 1:
            notes.append(f"No member is named like a WhatsApp chat; read the only text file, {texts[0]!r}.")
            return texts[0], notes
        return None, notes
    if len(chats) > 1:
        notes.append(f"{len(chats)} chat files in the archive ({', '.join(chats)}); read {chats[0]!r} only.")
    return chats[0], notes


def _media_map(names: Sequence[str], chat: str) -> dict[str, str]:
    media: dict[str, str] = {}
    for name in sorted(names):
        if name == chat or name.endswith("/") or name.startswith("__MACOSX/"):
            continue
        media.setdefault(name.rsplit("/", 1)[-1], name)
    return media


def parse_whatsapp_zip(file: str | Path | BinaryIO, *, tz: str = DEFAULT_TZ, order: Order | None = None) -> ParseResult:
    """Parse a WhatsApp ``.zip`` export: the chat text, with attachments linked to the files in the archive."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportError(f"not a readable zip archive: {exc}") from exc
    with archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if not [i for i in infos if not i.is_dir()]:
            raise ExportError("the zip archive is empty")
        chat, notes = pick_chat_member(names)
        if chat is None:
            raise ExportError(
                "no WhatsApp chat in the zip archive (looked for _chat.txt and 'WhatsApp Chat with ….txt')"
            )
        info = archive.getinfo(chat)
        if info.file_size > MAX_CHAT_BYTES:
            raise ExportError(f"{chat} is larger than {MAX_CHAT_BYTES} bytes")
        with archive.open(info) as stream:
            data = stream.read(MAX_CHAT_BYTES + 1)
        if len(data) > MAX_CHAT_BYTES:
            raise ExportError(f"{chat} is larger than {MAX_CHAT_BYTES} bytes")
    media = _media_map(names, chat)
    return parse_whatsapp(
        data, source=chat, tz=tz, order=order, media=media, members=(chat, *sorted(media.values())), warnings=notes
    )


def parse_whatsapp_dir(folder: Path, *, tz: str = DEFAULT_TZ, order: Order | None = None) -> ParseResult:
    """An export unpacked into a folder: the chat text plus the media files beside it."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    chat, notes = pick_chat_member(names)
    if chat is None:
        raise ExportError(f"no WhatsApp chat in {folder} (looked for _chat.txt and 'WhatsApp Chat with ….txt')")
    media = _media_map(names, chat)
    data = (folder / chat).read_bytes()
    return parse_whatsapp(
        data, source=chat, tz=tz, order=order, media=media, members=(chat, *sorted(media.values())), warnings=notes
    )


def parse_whatsapp_path(path: str | Path, *, tz: str = DEFAULT_TZ, order: Order | None = None) -> ParseResult:
    """Parse a ``.txt``, a ``.zip`` or an unpacked folder."""
    path = Path(path)
    if path.is_dir():
        return parse_whatsapp_dir(path, tz=tz, order=order)
    if zipfile.is_zipfile(path):
        return parse_whatsapp_zip(path, tz=tz, order=order)
    return parse_whatsapp(path.read_bytes(), source=path.name, tz=tz, order=order)


def as_order(value: str | None) -> Order | None:
    if value is None:
        return None
    if value not in ORDERS:
        raise ValueError(f"date order must be one of {', '.join(ORDERS)}")
    return value
