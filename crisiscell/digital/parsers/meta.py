"""Facebook Messenger and Instagram "Download your information" exports (JSON).

    result = parse_meta_path("facebook-export.zip")   # a .zip or an unpacked folder

Threads are found by their files, whatever the folder layout Meta used that year::

    messages/inbox/<thread>/message_1.json                          (older Facebook and Instagram)
    your_activity_across_facebook/messages/inbox/<thread>/…
    this_profile's_activity_across_facebook/messages/inbox/<thread>/…
    your_facebook_activity/messages/inbox/<thread>/…
    your_instagram_activity/messages/inbox/<thread>/…

and, beside ``inbox``, ``e2ee_cutover``, ``archived_threads``, ``message_requests`` and
``filtered_threads``. A thread split over ``message_1.json``, ``message_2.json``… is
merged and put in time order by ``timestamp_ms``.

Meta writes every string as UTF-8 bytes stored one per code point (``é`` arrives as
``\\u00c3\\u00a9``, "mojibake"). ``raw`` keeps the string exactly as the JSON holds it;
``display`` and ``normalised`` carry the repaired text; ``raw_lines`` holds the exact
JSON text of the message object, and ``line``/``offset`` say where it starts in its
file. Names (``author``, reaction actors, thread titles) are repaired.

A chat that became end-to-end encrypted (an ``e2ee_cutover`` thread) stops at the
switch: later messages are not in this download at all. The report says so.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Final
from zoneinfo import ZoneInfo

from crisiscell.digital.parsers.types import (
    Attachment,
    ExportError,
    Kind,
    Message,
    ParseReport,
    ParseResult,
    Reaction,
    ThreadInfo,
    UnparsedLine,
    count_kinds,
    normalise,
)

DEFAULT_TZ: Final = "Asia/Karachi"
MAX_JSON_BYTES: Final = 256 * 1024 * 1024  # one message_N.json; Meta splits threads into far smaller files
KNOWN_FOLDERS: Final = frozenset(
    {"inbox", "e2ee_cutover", "archived_threads", "message_requests", "filtered_threads", "legacy_threads"}
)
_MESSAGE_FILE: Final = re.compile(r"(?:^|/)message_(\d+)\.json\Z")
_WS: Final = re.compile(r"[ \t\n\r]*")
# Message fields that carry files, and the attachment kind each is.
_MEDIA_FIELDS: Final = (("photos", "photo"), ("videos", "video"), ("audio_files", "audio"), ("files", "file"))
_SYSTEM_TYPES: Final = frozenset({"Subscribe", "Unsubscribe"})

E2EE_WARNING: Final = (
    "Messages sent after a chat became end-to-end encrypted are NOT in this download. Meta keeps them "
    "apart: they need Meta's separate secure-storage download (the end-to-end encrypted chats download "
    "in Messenger's settings, with the PIN or device of the account holder), or the device itself."
)


def repair_mojibake(text: str) -> str:
    """Undo Meta's encoding: each UTF-8 byte stored as one code point U+0000 to U+00FF.

    A string that is not such a sequence (a code point above U+00FF, or bytes that are
    not UTF-8) is returned unchanged, so text that was never mis-encoded is safe.
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


@dataclass
class _Tree:
    """The files of an export, inside a zip or a folder, by POSIX path."""

    names: list[str]
    read: Callable[[str], bytes]
    label: str
    _names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self._names = frozenset(self.names)

    def has(self, name: str) -> bool:
        return name in self._names


def _zip_tree(archive: zipfile.ZipFile, label: str) -> _Tree:
    infos = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]

    def read(name: str) -> bytes:
        info = archive.getinfo(name)
        if info.file_size > MAX_JSON_BYTES:
            raise ExportError(f"{name} is larger than {MAX_JSON_BYTES} bytes")
        with archive.open(info) as stream:
            data = stream.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:  # the declared size lied: a zip bomb
            raise ExportError(f"{name} is larger than {MAX_JSON_BYTES} bytes")
        return data

    return _Tree([i.filename for i in infos], read, label)


def _dir_tree(folder: Path) -> _Tree:
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return _Tree(names, lambda name: (folder / name).read_bytes(), str(folder))


def single_file_tree(path: Path) -> _Tree:
    """One ``message_N.json`` on its own (its thread folder and layout unknown)."""
    return _Tree([path.name], lambda _name: path.read_bytes(), str(path))


def is_meta_export(names: Sequence[str]) -> bool:
    """Whether these archive members or files hold Meta message threads."""
    return any(_MESSAGE_FILE.search(name) for name in names)


def parse_meta_path(path: str | Path, *, tz: str = DEFAULT_TZ) -> ParseResult:
    """Parse a Meta export given as a ``.zip`` or as the folder it unpacks to."""
    path = Path(path)
    if path.is_dir():
        return parse_meta_tree(_dir_tree(path), tz=tz)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportError(f"not a readable zip archive: {exc}") from exc
    with archive:
        return parse_meta_tree(_zip_tree(archive, path.name), tz=tz)


@dataclass
class _Thread:
    directory: str
    folder: str
    files: list[tuple[int, str]] = field(default_factory=list)


def _threads(tree: _Tree) -> list[_Thread]:
    threads: dict[str, _Thread] = {}
    for name in tree.names:
        m = _MESSAGE_FILE.search(name)
        if m is None:
            continue
        directory = name[: m.start()] if m.start() else ""
        parent = PurePosixPath(directory).parent.name
        thread = threads.setdefault(directory, _Thread(directory, parent))
        thread.files.append((int(m[1]), name))
    for thread in threads.values():
        thread.files.sort()
    return [threads[k] for k in sorted(threads)]


def _platform(path: str) -> str:
    lowered = path.lower()
    if "instagram" in lowered:
        return "instagram"
    if "facebook" in lowered:
        return "facebook"
    return "unknown"


_ROOT_MARKERS: Final = (
    "your_activity_across_facebook/",
    "this_profile's_activity_across_facebook/",
    "your_facebook_activity/",
    "your_instagram_activity/",
    "messages/",
)


def _export_root(path: str) -> str:
    """The folder a message file's ``uri`` values are relative to: the export's top folder."""
    best = -1
    for marker in _ROOT_MARKERS:
        at = path.find(marker)
        if at == 0 or (at > 0 and path[at - 1] == "/"):
            best = at if best < 0 else min(best, at)
    return path[:best] if best > 0 else ""


def _scan(text: str) -> tuple[dict[str, Any], list[tuple[int, int, Any]]]:
    """The top-level object without its messages, and each message with where its JSON text starts and ends.

    Walks the top level by hand and decodes each value with ``raw_decode``, so every
    message keeps the exact span of text it came from.
    """
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        m = _WS.match(text, at)
        return at if m is None else m.end()

    top: dict[str, Any] = {}
    spans: list[tuple[int, int, Any]] = []
    pos = skip(0)
    if text[pos : pos + 1] != "{":
        raise ValueError("the file is not a JSON object")
    pos = skip(pos + 1)
    while text[pos : pos + 1] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos : pos + 1] != ":":
            raise ValueError(f"expected ':' at character {pos}")
        pos = skip(pos + 1)
        if key == "messages" and text[pos : pos + 1] == "[":
            pos = skip(pos + 1)
            while text[pos : pos + 1] != "]":
                value, end = decoder.raw_decode(text, pos)
                spans.append((pos, end, value))
                pos = skip(end)
                if text[pos : pos + 1] == ",":
                    pos = skip(pos + 1)
                elif text[pos : pos + 1] != "]":
                    raise ValueError(f"expected ',' or ']' at character {pos}")
            pos += 1
        else:
            top[key], pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos : pos + 1] == ",":
            pos = skip(pos + 1)
        elif text[pos : pos + 1] != "}":
            raise ValueError(f"expected ',' or '}}' at character {pos}")
    return top, spans


@dataclass
class _Located:
    """A message object from one file, with where it is."""

    value: Any
    raw_json: str
    source: str
    line: int
    offset: int
    order: int  # position in time order as Meta wrote it (files newest first, reversed)


def _locate(text: str, source: str, spans: list[tuple[int, int, Any]], base: int) -> list[_Located]:
    located: list[_Located] = []
    line, offset, previous = 1, base, 0
    ascii_text = text.isascii()
    for start, end, value in spans:
        line += text.count("\n", previous, start)
        offset += (start - previous) if ascii_text else len(text[previous:start].encode("utf-8", "surrogateescape"))
        previous = start
        located.append(_Located(value, text[start:end], source, line, offset, 0))
    return located


def parse_meta_tree(tree: _Tree, *, tz: str = DEFAULT_TZ) -> ParseResult:
    zone = ZoneInfo(tz)
    threads = _threads(tree)
    if not threads:
        raise ExportError(f"no Meta message threads (message_N.json) in {tree.label}")
    messages: list[Message] = []
    unparsed: list[UnparsedLine] = []
    infos: list[ThreadInfo] = []
    notes: list[str] = []
    parsed_files: list[str] = []
    referenced: set[str] = set()
    platforms: set[str] = set()
    e2ee: list[str] = []

    for thread in threads:
        located: list[_Located] = []
        top: dict[str, Any] = {}
        for _number, name in reversed(thread.files):  # message_1.json holds the newest messages
            data = tree.read(name)
            bom = data.startswith(b"\xef\xbb\xbf")
            try:
                text = data.decode("utf-8-sig")
                file_top, spans = _scan(text)
            except (UnicodeDecodeError, ValueError) as exc:
                raw = data.decode("utf-8", "surrogateescape")
                reason = f"not a readable Meta message file: {exc}"
                messages.append(_unparsed(raw, name, reason, thread.directory))
                unparsed.append(UnparsedLine(name, 1, 0, raw[:200], reason))
                continue
            parsed_files.append(name)
            top = top or file_top
            # Newest first within a file: reverse so that ties in timestamp keep their order.
            located.extend(reversed(_locate(text, name, spans, 3 if bom else 0)))
        for position, item in enumerate(located):
            item.order = position
        located.sort(key=lambda item: (_timestamp(item.value) is None, _timestamp(item.value) or 0, item.order))

        platform = _platform(thread.directory)
        platforms.add(platform)
        is_cutover = thread.folder == "e2ee_cutover"
        if thread.folder not in KNOWN_FOLDERS:
            notes.append(f"Thread {thread.directory!r} is in an unfamiliar folder {thread.folder!r}; parsed anyway.")
        root = _export_root(thread.files[0][1])
        title = repair_mojibake(str(top.get("title", ""))) or PurePosixPath(thread.directory).name
        participants = tuple(
            repair_mojibake(str(p.get("name", ""))) for p in top.get("participants", []) if isinstance(p, dict)
        )
        count = 0
        for item in located:
            if not isinstance(item.value, dict):
                reason = "a message entry that is not a JSON object"
                messages.append(_unparsed(item.raw_json, item.source, reason, thread.directory, item.line, item.offset))
                unparsed.append(UnparsedLine(item.source, item.line, item.offset, item.raw_json[:200], reason))
                continue
            message = _message(item, zone, thread.directory, root, tree, referenced, is_cutover)
            messages.append(message)
            count += 1
        if is_cutover:
            e2ee.append(title)
        infos.append(
            ThreadInfo(
                path=thread.directory,
                title=title,
                platform=platform,
                folder=thread.folder,
                files=tuple(name for _n, name in thread.files),
                participants=participants,
                messages=count,
                e2ee_cutover=is_cutover,
            )
        )

    if e2ee:
        notes.insert(
            0,
            f"{len(e2ee)} chat(s) became end-to-end encrypted ({', '.join(e2ee[:10])}"
            f"{' …' if len(e2ee) > 10 else ''}): they stop at the switch. " + E2EE_WARNING,
        )
    else:
        notes.insert(0, "No chat in this download is marked as switched to end-to-end encryption. " + E2EE_WARNING)
    media = {n for n in tree.names if "/messages/" in f"/{n}" and not _MESSAGE_FILE.search(n)}
    media = {n for n in media if PurePosixPath(n).suffix.lower() not in {".json", ".html"}}
    missing = tuple(
        sorted(
            {a.uri for m in messages for a in m.attachments if not a.present and a.kind != "share"},
        )
    )
    if missing:
        notes.append(f"{len(missing)} attachment(s) named in the messages are not in the export.")
    if unparsed:
        notes.append(f"{len(unparsed)} file(s) or entries could not be read; kept as unparsed.")
    known = platforms - {"unknown"}
    fmt = "meta" if len(known) > 1 else (known.pop() if known else "meta")
    report = ParseReport(
        source=tree.label,
        format=fmt,
        timezone=tz,
        date_order=None,
        date_order_reason="Meta exports carry timestamps (timestamp_ms, UTC); there is no date order to decide",
        date_order_basis="timestamps",
        counts=count_kinds(messages),
        unparsed=tuple(unparsed),
        warnings=tuple(notes),
        members=tuple(parsed_files),
        media_linked=len(referenced),
        media_missing=missing,
        media_unreferenced=tuple(sorted(media - referenced)),
        threads=tuple(infos),
        extra={"e2ee_cutover_threads": e2ee},
    )
    return ParseResult(messages, report)


def _timestamp(value: Any) -> int | None:
    if isinstance(value, dict):
        stamp = value.get("timestamp_ms")
        if isinstance(stamp, int) and not isinstance(stamp, bool):
            return stamp
    return None


def _unparsed(raw: str, source: str, reason: str, thread: str, line: int = 1, offset: int = 0) -> Message:
    return Message(
        time=None,
        author=None,
        raw=raw,
        normalised=normalise(raw),
        kind="unparsed",
        source=source,
        line=line,
        offset=offset,
        raw_lines=(raw,),
        display=raw,
        thread=thread,
        flags=frozenset({"unreadable"}),
    )


def _attachments(value: Mapping[str, Any], root: str, tree: _Tree, referenced: set[str]) -> Iterator[Attachment]:
    for key, kind in _MEDIA_FIELDS:
        for item in value.get(key) or ():
            if isinstance(item, dict) and isinstance(item.get("uri"), str):
                yield _file(kind, item["uri"], root, tree, referenced)
    gifs = value.get("gifs") or ()
    for item in gifs:
        if isinstance(item, dict) and isinstance(item.get("uri"), str):
            yield _file("gif", item["uri"], root, tree, referenced)
    sticker = value.get("sticker")
    if isinstance(sticker, dict) and isinstance(sticker.get("uri"), str):
        yield _file("sticker", sticker["uri"], root, tree, referenced)
    share = value.get("share")
    if isinstance(share, dict) and isinstance(share.get("link"), str):
        yield Attachment("share", share["link"], True, None)


def _file(kind: str, uri: str, root: str, tree: _Tree, referenced: set[str]) -> Attachment:
    for candidate in (root + uri, uri):
        if tree.has(candidate):
            referenced.add(candidate)
            return Attachment(kind, uri, True, candidate)
    return Attachment(kind, uri, False, None)


def _message(
    item: _Located,
    zone: ZoneInfo,
    thread: str,
    root: str,
    tree: _Tree,
    referenced: set[str],
    is_cutover: bool,
) -> Message:
    value: dict[str, Any] = item.value
    raw = value.get("content")
    raw = raw if isinstance(raw, str) else ""
    display = repair_mojibake(raw)
    sender = value.get("sender_name")
    author = repair_mojibake(sender) if isinstance(sender, str) else None
    stamp = _timestamp(value)
    when = None
    flags: set[str] = set()
    if stamp is not None:
        seconds, millis = divmod(stamp, 1000)
        when = datetime.fromtimestamp(seconds, zone).replace(microsecond=millis * 1000)
    else:
        flags.add("invalid_date")
    attachments = tuple(_attachments(value, root, tree, referenced))
    reactions = tuple(
        Reaction(
            actor=repair_mojibake(str(r.get("actor", ""))),
            raw=str(r.get("reaction", "")),
            display=repair_mojibake(str(r.get("reaction", ""))),
        )
        for r in value.get("reactions") or ()
        if isinstance(r, dict)
    )
    kind: Kind = "message"
    if value.get("is_unsent") is True:
        kind = "deleted"
        flags.add("unsent")
    elif value.get("type") in _SYSTEM_TYPES:
        kind = "system"
    elif attachments:
        kind = "attachment"
    if value.get("type") == "Call":
        flags.add("call")
    if value.get("is_geoblocked_for_viewer") is True:
        flags.add("geoblocked")
    if is_cutover:
        flags.add("e2ee_cutover")
    first = attachments[0] if attachments else None
    name = None if first is None else (first.uri if first.kind == "share" else PurePosixPath(first.uri).name)
    return Message(
        time=when,
        author=author,
        raw=raw,
        normalised=normalise(display),
        kind=kind,
        source=item.source,
        line=item.line,
        offset=item.offset,
        raw_lines=(item.raw_json,),
        display=display,
        attachment=name,
        attachment_member=next((a.member for a in attachments if a.member is not None), None),
        attachments=attachments,
        reactions=reactions,
        thread=thread,
        flags=frozenset(flags),
    )
