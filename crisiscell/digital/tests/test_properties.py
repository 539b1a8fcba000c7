"""Property-based tests: random chats rendered as exports in several formats, then parsed.

For every generated chat:
(a) nothing is lost: joining every message's ``raw_lines`` gives back the input exactly;
(b) raw text is never altered: each generated text equals the parsed ``raw``, and
    author and time come back too.
Authors and texts are random Unicode (synthetic, never real people), with newlines,
direction marks, and lines shaped like date prefixes or other formats' headers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crisiscell.digital.parsers.types import normalise
from crisiscell.digital.parsers.whatsapp import Dialect, header_pattern, parse_whatsapp, sniff_dialect

KHI = ZoneInfo("Asia/Karachi")
SETTINGS = settings(
    max_examples=int(os.environ.get("CHAT_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

URDU_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def h12(t: datetime) -> int:
    return t.hour % 12 or 12


def am(t: datetime) -> bool:
    return t.hour < 12


# Each format renders a header (without the author) for a time; `seconds` says whether it keeps them.
@dataclass(frozen=True)
class Format:
    name: str
    render: Callable[[datetime], str]
    seconds: bool = False
    lrm: bool = False  # some lines start with U+200E, as iPhone exports do


FORMATS = (
    Format("android_mdy_12h", lambda t: f"{t.month}/{t.day}/{t:%y}, {h12(t)}:{t:%M} {'AM' if am(t) else 'PM'} - "),
    Format("android_dmy_24h", lambda t: f"{t:%d/%m/%Y}, {t:%H:%M} - "),
    Format("android_dmy_dots", lambda t: f"{t:%d.%m.%y}, {t:%H:%M} - "),
    Format("android_ymd", lambda t: f"{t:%Y-%m-%d}, {t:%H:%M} - "),
    Format(
        "android_urdu",
        lambda t: (
            f"{t:%d/%m/%Y}".translate(URDU_DIGITS)
            + "، "
            + f"{h12(t)}:{t:%M}".translate(URDU_DIGITS)
            + (" قبل دوپہر" if am(t) else " بعد دوپہر")
            + " - "
        ),
    ),
    Format(
        "android_arabic",
        lambda t: (
            f"{t.day}\u200f/{t.month}\u200f/{t.year}".translate(ARABIC_DIGITS)
            + "، "
            + f"{h12(t)}:{t:%M}".translate(ARABIC_DIGITS)
            + (" ص" if am(t) else " م")
            + " - "
        ),
    ),
    Format("iphone_dmy_24h", lambda t: f"[{t:%d/%m/%Y}, {t:%H:%M:%S}] ", seconds=True, lrm=True),
    Format(
        "iphone_mdy_12h",
        lambda t: f"[{t.month}/{t.day}/{t:%y}, {h12(t)}:{t:%M:%S}\u202f{'AM' if am(t) else 'PM'}] ",
        seconds=True,
        lrm=True,
    ),
)

# Lines a person might type or paste inside a message. The first group can never be
# a header; the second are whole headers of other formats, which the parser must keep
# as text as long as the file's own format is the more common one.
NOT_HEADERS = (
    "31/12/2023 meeting notes",
    "12/31/23, 9:15 PM",
    "[31/12/2023, 21:15:03]",
    "2023-12-31 21:15",
    "31/12/2023, 21:15 -",
    "۳۱/۱۲/۲۰۲۳",
    "- 31/12/2023, 21:15 - Sana Test: quoted",
)
OTHER_HEADERS = (
    "[31/12/2023, 21:10:00] Bilal Test: forged-looking",
    "31.12.2023, 21:11 - Ayesha Test: other separator",
    "12/31/23, 9:15 PM - Sana Test: American",
    "2023-12-31, 21:15 - Sana Test: year first",
)

BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
author_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=BREAKS + ":"),
    min_size=1,
    max_size=20,
)
NAMES = st.one_of(
    st.sampled_from(
        ["Sana Test", "Bilal Test", "ثناء ٹیسٹ", "+92 300 0000012", "~\u202fAyesha Test", "👩\u200d👩\u200d👧"]
    ),
    author_text,
)
# Any Unicode but "\r" (a "\r" before a newline is read as part of a CRLF line ending).
line_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=40)
extra_line = st.one_of(line_text, st.sampled_from(NOT_HEADERS), st.sampled_from(OTHER_HEADERS))
TEXTS = st.builds(lambda first, rest: "\n".join([first, *rest]), line_text, st.lists(extra_line, max_size=4))
SYSTEM = ("Sana Test added Bilal Test", "Bilal Test left", "Messages and calls are end-to-end encrypted.")


@dataclass(frozen=True)
class Generated:
    time: datetime
    author: str | None
    text: str


@st.composite
def chats(draw: st.DrawFn) -> tuple[Format, list[Generated], str, bool, bool]:
    fmt = draw(st.sampled_from(FORMATS))
    crlf = draw(st.booleans()) if fmt.name.startswith("iphone") else False
    bom = draw(st.booleans())
    # The first day is above 12, so every format's date order can be read from the file.
    start = datetime(draw(st.integers(2012, 2030)), draw(st.integers(1, 12)), draw(st.integers(13, 28)), tzinfo=KHI)
    start += timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    count = draw(st.integers(2, 8))
    messages: list[Generated] = []
    when = start
    for index in range(count):
        # The first message is dated the start: days added before it could reach the next
        # month's first days, and a file whose every date reads both ways has no order to find.
        if index:
            when += timedelta(seconds=draw(st.integers(0, 3 * 86400)))
        stamp = when if fmt.seconds else when.replace(second=0)
        if draw(st.integers(0, 9)) == 0:
            messages.append(Generated(stamp, None, draw(st.sampled_from(SYSTEM))))
        else:
            messages.append(Generated(stamp, draw(NAMES), draw(TEXTS)))
    lines = []
    for m in messages:
        prefix = "\u200e" if fmt.lrm and draw(st.booleans()) else ""
        header = prefix + fmt.render(m.time)
        if m.author is None:
            body = ("Test Group: \u200e" if fmt.name.startswith("iphone") else "") + m.text
        else:
            body = f"{m.author}: {m.text}"
        lines.append(header + body)
    ending = "\r\n" if crlf else "\n"
    text = ending.join(line.replace("\n", ending) for line in lines)
    # A file that does not end with a newline cannot end with an empty line: if the last
    # text ends with one, the file's own final newline is what shows it.
    if messages[-1].text.endswith("\n") or draw(st.booleans()):
        text += ending
    return fmt, messages, text, crlf, bom


def dialect_of(text: str) -> Dialect:
    dialect = sniff_dialect(text.split("\n"))
    assert dialect is not None
    return dialect


@SETTINGS
@given(chats())
def test_random_chats_lose_nothing_and_keep_raw_text(chat: tuple[Format, list[Generated], str, bool, bool]) -> None:
    fmt, generated, text, crlf, bom = chat
    header = header_pattern(dialect_of(text))
    continuation = [line for m in generated for line in m.text.split("\n")[1:]]
    # A continuation line in the file's own header format would start a new message: that
    # is ambiguous by construction, so such chats are not generated.
    assume(not any(header.match(line) for line in continuation))
    others = sum(1 for line in continuation if line in OTHER_HEADERS)
    assume(others < len(generated))  # the file's own format must stay the more common one

    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    result = parse_whatsapp(data)
    messages = result.messages

    # (a) Nothing lost: raw_lines rebuild the input exactly.
    assert "".join("".join(m.raw_lines) for m in messages) == text
    # (b) Raw text never altered; authors and times come back.
    assert [m.kind for m in messages if m.kind == "unparsed"] == []
    assert len(messages) == len(generated)
    ending = "\r\n" if crlf else "\n"
    for parsed, expected in zip(messages, generated, strict=True):
        want = expected.text.replace("\n", ending)
        if expected.author is None and fmt.name.startswith("iphone"):
            want = "\u200e" + want
        assert parsed.raw == want
        assert parsed.normalised == normalise(parsed.raw)
        if expected.author is None:
            assert parsed.author is None
            assert parsed.kind == "system"
        elif not (parsed.kind == "system" and fmt.name.startswith("iphone")):
            assert parsed.author == expected.author
        assert parsed.time == expected.time
    assert result.report.format == ("iphone" if fmt.name.startswith("iphone") else "android")
    assert result.report.bom is bom
    assert messages[0].offset == (3 if bom else 0)


@SETTINGS
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n"), max_size=30).filter(
            lambda s: not s[:1].isdigit() and not s.startswith(("[", "\u200e", "\u200f"))
        ),
        max_size=4,
    ),
    chats(),
)
def test_garbage_before_the_chat_is_kept_as_unparsed_lines(
    garbage: list[str], chat: tuple[Format, list[Generated], str, bool, bool]
) -> None:
    _fmt, generated, text, _crlf, _bom = chat
    header = header_pattern(dialect_of(text))
    assume(not any(header.match(line) for m in generated for line in m.text.split("\n")[1:]))
    others = sum(1 for m in generated for line in m.text.split("\n")[1:] if line in OTHER_HEADERS)
    assume(others < len(generated))
    full = "".join(g + "\n" for g in garbage) + text
    result = parse_whatsapp(full.encode())
    assert "".join("".join(m.raw_lines) for m in result.messages) == full
    unparsed = [m for m in result.messages if m.kind == "unparsed"]
    assert len(unparsed) == len(garbage)
    assert [u.line for u in result.report.unparsed] == list(range(1, len(garbage) + 1))


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from([b"", b"31/12/2023, 21:15 - Sana Test: hi\n"]))
def test_any_bytes_never_crash_and_are_kept(noise: bytes, prefix: bytes) -> None:
    data = prefix + noise
    result = parse_whatsapp(data)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    assert "".join("".join(m.raw_lines) for m in result.messages).encode("utf-8", "surrogateescape") == body
    assert result.report.counts["total"] == len(result.messages)


@SETTINGS
@given(st.text(max_size=60))
def test_search_copy_rules(text: str) -> None:
    value = normalise(text)
    assert value == value.strip()
    assert "  " not in value
    assert not any(c in value for c in "\u200e\u200f\u061c\u2066\u2067\u2068\u2069")
    assert not any(c in value for c in "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")
