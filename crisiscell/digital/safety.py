"""Checks on what arrives, before anything is stored: size, type by content, hostile archives.

Every refusal is a ``Refused`` carrying a message for the person uploading. Nothing
here writes anything: the service stores a file only after it passed every check.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import magic
from django.conf import settings
from django.utils.translation import gettext as _

ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
# Below this size a member's compression ratio is not checked (a short text of spaces
# compresses very well and is harmless).
RATIO_FLOOR_BYTES = 1024 * 1024


class Refused(ValueError):
    """The file was refused; the message says why, in words for the person uploading."""


@dataclass(frozen=True)
class Limits:
    max_upload: int
    max_uncompressed: int
    max_ratio: int
    max_members: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_upload=settings.CRISISCELL_DIGITAL_MAX_UPLOAD_BYTES,
            max_uncompressed=settings.CRISISCELL_DIGITAL_MAX_UNCOMPRESSED_BYTES,
            max_ratio=settings.CRISISCELL_DIGITAL_MAX_COMPRESSION_RATIO,
            max_members=settings.CRISISCELL_DIGITAL_MAX_ARCHIVE_MEMBERS,
        )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_upload:
        raise Refused(
            _("The file is larger than %(limit)s MB, the most this cell accepts. Nothing was stored.")
            % {"limit": megabytes(limits.max_upload)}
        )


def detect_type(handle: BinaryIO) -> str:
    """The MIME type by content (libmagic), from the first 8 KiB; the handle is rewound."""
    handle.seek(0)
    head = handle.read(8192)
    handle.seek(0)
    if not head:
        return "application/x-empty"
    return str(magic.from_buffer(head, mime=True))


def unsafe_name(name: str) -> bool:
    """A member name that could land outside the folder it is unpacked into."""
    if not name or "\x00" in name:
        return True
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return True
    return any(part == ".." for part in unified.split("/"))


def is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return bool(mode) and stat.S_ISLNK(mode)


def check_archive(handle: BinaryIO, limits: Limits) -> list[zipfile.ZipInfo]:
    """Open a zip by its central directory and refuse it if any member is hostile.

    Refused: a member name with ``..`` or an absolute path (path traversal); a member
    that is a symbolic link; more members, or more bytes once unpacked, than allowed;
    a member packed tighter than the compression-ratio limit (a zip bomb). The
    declared sizes bound every later read: ``zipfile`` stops at the declared size and
    checks the CRC, so a lying header fails instead of filling the disk.
    """
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Refused(_("The archive is damaged or not a zip archive. Nothing was stored.")) from error
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise Refused(
            _("The archive holds more than %(count)s files. Nothing was stored.") % {"count": limits.max_members}
        )
    total = 0
    for info in infos:
        if unsafe_name(info.filename):
            raise Refused(_("The archive contains a file whose name points outside the archive. Nothing was stored."))
        if is_link(info):
            raise Refused(_("The archive contains a link to another file. Nothing was stored."))
        total += info.file_size
        if total > limits.max_uncompressed:
            raise Refused(
                _("Unpacked, the archive would be larger than %(limit)s MB. Nothing was stored.")
                % {"limit": megabytes(limits.max_uncompressed)}
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise Refused(_("The archive is packed far tighter than any real export (a zip bomb). Nothing was stored."))
    handle.seek(0)
    return infos


def member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    """A member's bytes in chunks, never more than its declared size."""
    with archive.open(info) as member:
        read = 0
        while piece := member.read(chunk):
            read += len(piece)
            if read > info.file_size:
                raise Refused(_("An archive member is larger than it says. Nothing was stored."))
            yield piece
