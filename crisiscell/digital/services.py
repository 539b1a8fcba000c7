"""Every write of digital evidence: one transaction each, policy checked, audited.

``source_upload`` checks a file completely (size, type by content, hostile archive
members) and parses its chats before anything is stored; only then, in one
transaction, it stores the original write-once and encrypted, the messages with
their provenance, the images found in an archive (each with a PDQ hash and a
viewing copy without metadata) and the identifiers found in the messages (in the
vault, with a keyed hash). If anything fails on the way, the files already written
in that call are removed: nothing is half-stored.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import DIGITAL_INTIMATE_ROLES, Action, Section
from crisiscell.access.scoping import allows_in_cell, roles_in
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import Case, Offence
from crisiscell.cases.services import consent_in_force
from crisiscell.core.keyring import load_keyring
from crisiscell.digital import images, safety
from crisiscell.digital.identifiers import extract
from crisiscell.digital.models import (
    ChatMessage,
    DateOrderBasis,
    DigitalSource,
    Exhibit,
    IntimateViewing,
    NciiReport,
    PerpetratorIdentifier,
    SourceKind,
)
from crisiscell.digital.parsers import meta, whatsapp
from crisiscell.digital.parsers.types import ExportError, Message, ParseResult
from crisiscell.documents import storage
from crisiscell.documents.models import Disclosure, StoredFile
from crisiscell.survivors import vault
from crisiscell.survivors.models import VaultRecord
from crisiscell.survivors.services import vault_write

DEFAULT_TZ = "Asia/Karachi"
REREAD_IN_MEMORY_BYTES = 8 * 1024 * 1024  # the original re-read for a new date order, before it spills to disk
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".bmp", ".tif", ".tiff")


def _require(actor: User, case: Case, action: Action) -> None:
    if not allows_in_cell(actor, case.cell, Section.DIGITAL, action):
        raise PermissionDenied


def _kind_of(mime: str) -> str:
    if mime.startswith("image/"):
        return SourceKind.IMAGE
    if mime.startswith("audio/"):
        return SourceKind.AUDIO
    if mime.startswith("video/"):
        return SourceKind.VIDEO
    if mime == "application/pdf":
        return SourceKind.PDF
    if mime.startswith("text/"):
        return SourceKind.TEXT
    return SourceKind.OTHER


def _zone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Unknown time zone.")) from error
    return tz


@dataclass
class _Inspected:
    kind: str
    mime: str
    result: ParseResult | None = None
    image_members: tuple[zipfile.ZipInfo, ...] = ()


def _inspect(
    handle: BinaryIO, *, name: str, tz: str, order: whatsapp.Order | None, limits: safety.Limits
) -> _Inspected:
    """Every check and the parse, before anything is stored. Raises ``Refused``."""
    mime = safety.detect_type(handle)
    if mime in safety.ZIP_TYPES:
        infos = safety.check_archive(handle, limits)
        files = [i for i in infos if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        names = [i.filename for i in files]
        inspected = _Inspected(SourceKind.ARCHIVE, mime)
        try:
            if any(whatsapp.is_chat_member(n) for n in names):
                inspected.result = whatsapp.parse_whatsapp_zip(handle, tz=tz, order=order)
                inspected.kind = SourceKind.WHATSAPP
            elif meta.is_meta_export(names):
                with zipfile.ZipFile(handle) as archive:
                    inspected.result = meta.parse_meta_tree(meta._zip_tree(archive, name), tz=tz)
                inspected.kind = SourceKind.META
        except ExportError as error:
            raise safety.Refused(
                _("The archive looks like a chat export but could not be read (%(why)s). Nothing was stored.")
                % {"why": str(error)}
            ) from error
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise safety.Refused(_("The archive is damaged. Nothing was stored.")) from error
        inspected.image_members = tuple(
            i for i in files if i.filename.lower().endswith(IMAGE_SUFFIXES) and i.file_size <= limits.max_upload
        )
        handle.seek(0)
        return inspected
    if name.lower().endswith(".zip"):
        raise safety.Refused(
            _("The file is named .zip but its content is not a zip archive (%(type)s). Nothing was stored.")
            % {"type": mime}
        )
    # A .txt that libmagic calls binary (a stray NUL or bad bytes) is still tried as a chat.
    octet_txt = mime == "application/octet-stream" and name.lower().endswith(".txt")
    if mime.startswith("text/") or mime == "application/json" or octet_txt:
        handle.seek(0)
        data = handle.read()
        handle.seek(0)
        if meta.is_meta_export([name]):
            tree = meta._Tree([name], lambda _name: data, name)
            try:
                return _Inspected(SourceKind.META, mime, meta.parse_meta_tree(tree, tz=tz))
            except ExportError:
                return _Inspected(SourceKind.TEXT, mime)
        result = whatsapp.parse_whatsapp(data, source=name or "chat.txt", tz=tz, order=order)
        if result.report.format in ("android", "iphone"):
            return _Inspected(SourceKind.WHATSAPP, mime, result)
        return _Inspected(SourceKind.TEXT, mime)
    return _Inspected(_kind_of(mime), mime)


def _store(handle: BinaryIO | Iterable[bytes], written: list[StoredFile], **kwargs: Any) -> StoredFile:
    record = storage.store(handle, **kwargs)
    written.append(record)
    return record


def _discard(written: list[StoredFile]) -> None:
    """Remove files written by a call that failed (their records rolled back with it)."""
    for record in written:
        path = storage.path_of(record.id)
        if path.exists():
            path.chmod(0o600)
            path.unlink()


def _text(value: str) -> str:
    """Text a database column can hold: no lone surrogates (bytes that were not UTF-8), no NUL."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", "\ufffd")


def _message_rows(source: DigitalSource, case: Case, messages: list[Message]) -> list[ChatMessage]:
    rows = []
    for seq, m in enumerate(messages):
        raw = _text(m.raw)
        # When the text had to change to be stored, its exact bytes are kept beside it.
        raw_bytes = m.raw.encode("utf-8", "surrogateescape") if raw != m.raw else None
        rows.append(
            ChatMessage(
                source=source,
                case=case,
                seq=seq,
                time=m.time,
                author=_text(m.author or "")[:300],
                kind=m.kind,
                raw=raw,
                raw_bytes=raw_bytes,
                display=_text(m.display),
                normalised=_text(m.normalised),
                member=_text(m.source)[:500],
                line=m.line,
                offset=m.offset,
                attachment=_text(m.attachment or "")[:500],
                edited=m.edited,
                flags=sorted(m.flags),
            )
        )
    return rows


def _image_source(
    *,
    data: bytes,
    case: Case,
    actor: User,
    parent: DigitalSource | None,
    member: str,
    mime: str,
    received_at: datetime,
    original: StoredFile | None,
    written: list[StoredFile],
    intimate: bool,
    max_bytes: int,
) -> DigitalSource:
    if original is None:
        original = _store(
            io.BytesIO(data), written, kind="digital", max_bytes=max_bytes, content_type=mime, name=member
        )
    try:
        found: images.ImageFacts | None = images.facts(data)
    except images.NotAnImage:
        found = None
    view = None
    if found is not None:
        view = _store(
            io.BytesIO(found.viewing_copy),
            written,
            kind="digital_view",
            max_bytes=len(found.viewing_copy),
            content_type="image/jpeg",
        )
    return DigitalSource.objects.create(
        case=case,
        file=original,
        parent=parent,
        member=member[:500],
        kind=SourceKind.IMAGE,
        detected_type=mime,
        received_at=received_at,
        received_by=actor,
        viewing_copy=view,
        intimate=intimate,
        pdq_hash=found.pdq_hash if found else "",
        pdq_quality=found.pdq_quality if found else None,
    )


def _identifiers(case: Case, messages: Iterable[ChatMessage]) -> int:
    """Keep every identifier found in the messages in the vault, once per case."""
    ring = load_keyring()
    known = {(i.kind, bytes(i.digest)) for i in PerpetratorIdentifier.objects.filter(case=case)}
    added = 0
    for message in messages:
        if message.kind in ("system", "unparsed"):
            continue
        for kind, value in sorted(extract(message.display) | extract(message.author)):
            digest = vault.blind_index(f"perpetrator-{kind}", value, ring)
            if (kind, digest) in known:
                continue
            known.add((kind, digest))
            record = vault_write(kind=VaultRecord.Kind.PERPETRATOR, payload={"kind": kind, "value": value})
            PerpetratorIdentifier.objects.create(
                case=case, cell=case.cell, kind=kind, digest=digest, record=record, first_message=message
            )
            added += 1
    return added


def source_upload(
    *,
    actor: User,
    case: Case,
    upload: BinaryIO,
    name: str,
    size: int,
    description: str = "",
    tz: str = DEFAULT_TZ,
    date_order: str = "",
    intimate: bool = False,
) -> DigitalSource:
    """Receive one file or archive for a case. Raises ``safety.Refused`` (nothing stored).

    Audits ``digital.source_received`` (kind, type, size, hash and counts; never content).
    """
    _require(actor, case, Action.EDIT)
    limits = safety.Limits.from_settings()
    safety.check_size(size, limits)
    tz = _zone(tz or DEFAULT_TZ)
    order = whatsapp.as_order(date_order or None)
    inspected = _inspect(upload, name=name, tz=tz, order=order, limits=limits)
    received_at = timezone.now()
    written: list[StoredFile] = []
    try:
        with transaction.atomic():
            upload.seek(0)
            try:
                original = _store(
                    upload, written, kind="digital", max_bytes=limits.max_upload, content_type=inspected.mime, name=name
                )
            except storage.FileTooLarge as error:
                raise safety.Refused(
                    _("The file is larger than %(limit)s MB, the most this cell accepts. Nothing was stored.")
                    % {"limit": safety.megabytes(limits.max_upload)}
                ) from error
            if inspected.kind == SourceKind.IMAGE:
                upload.seek(0)
                source = _image_source(
                    data=upload.read(),
                    case=case,
                    actor=actor,
                    parent=None,
                    member=name,
                    mime=inspected.mime,
                    received_at=received_at,
                    original=original,
                    written=written,
                    intimate=intimate,
                    max_bytes=limits.max_upload,
                )
                if description:
                    source.description = description[:300]
                    source.save(update_fields=["description"])
            else:
                report = inspected.result.report if inspected.result else None
                source = DigitalSource.objects.create(
                    case=case,
                    file=original,
                    kind=inspected.kind,
                    detected_type=inspected.mime,
                    received_at=received_at,
                    received_by=actor,
                    description=description[:300],
                    intimate=intimate,
                    timezone=tz,
                    date_order=(report.date_order or "") if report else "",
                    date_order_reason=report.date_order_reason if report else "",
                    date_order_basis=report.date_order_basis if report else "",
                    parse_format=report.format if report else "",
                    parse_warnings=list(report.warnings) if report else [],
                    unparsed_lines=len(report.unparsed) if report else 0,
                    e2ee_cutover=bool(report and any(t.folder == "e2ee_cutover" for t in report.threads)),
                )
            messages: list[ChatMessage] = []
            if inspected.result is not None:
                messages = _message_rows(source, case, inspected.result.messages)
                ChatMessage.objects.bulk_create(messages, batch_size=2000)
            children = 0
            if inspected.image_members:
                upload.seek(0)
                with zipfile.ZipFile(upload) as archive:
                    for info in inspected.image_members:
                        data = b"".join(safety.member_chunks(archive, info))
                        mime = safety.detect_type(io.BytesIO(data))
                        if not mime.startswith("image/"):
                            continue
                        _image_source(
                            data=data,
                            case=case,
                            actor=actor,
                            parent=source,
                            member=info.filename,
                            mime=mime,
                            received_at=received_at,
                            original=None,
                            written=written,
                            intimate=intimate,
                            max_bytes=limits.max_upload,
                        )
                        children += 1
            identifiers = _identifiers(case, messages)
            audit_record(
                action="digital.source_received",
                actor=actor,
                cell=case.cell,
                object_type="case",
                object_ref=case.code,
                details={
                    "source": str(source.pk),
                    "kind": source.kind,
                    "type": source.detected_type,
                    "size": original.size,
                    "sha256": original.sha256,
                    "messages": len(messages),
                    "unparsed": source.unparsed_lines,
                    "images_in_archive": children,
                    "identifiers_added": identifiers,
                },
            )
    except BaseException:
        _discard(written)
        raise
    return source


def _settings_changed(actor: User, source: DigitalSource, **change: str | None) -> None:
    audit_record(
        action="digital.source_settings_changed",
        actor=actor,
        cell=source.case.cell,
        object_type="digital_source",
        object_ref=str(source.pk),
        details=change,
    )


def source_set_timezone(*, actor: User, source: DigitalSource, tz: str) -> DigitalSource:
    """Change the time zone a WhatsApp chat's times are read in (its messages' times follow).

    WhatsApp exports write local wall-clock times without a zone; Meta writes absolute
    timestamps, so only the recorded zone changes for them. Audits
    ``digital.source_settings_changed``.
    """
    _require(actor, source.case, Action.EDIT)
    tz = _zone(tz)
    old = source.timezone
    with transaction.atomic():
        if source.kind == SourceKind.WHATSAPP and tz != old:
            before, after = ZoneInfo(old), ZoneInfo(tz)
            changed = []
            for message in ChatMessage.objects.filter(source=source, time__isnull=False).only("id", "time"):
                if message.time is not None:
                    message.time = message.time.astimezone(before).replace(tzinfo=after)
                    changed.append(message)
            ChatMessage.objects.bulk_update(changed, ["time"], batch_size=2000)
        source.timezone = tz
        source.save(update_fields=["timezone"])
        _settings_changed(actor, source, timezone_from=old, timezone_to=tz)
    return source


def source_set_date_order(*, actor: User, source: DigitalSource, date_order: str) -> DigitalSource:
    """Read a WhatsApp chat's dates again in the order staff know the phone writes them.

    An export whose days never pass 12 cannot say whether 03/04 is the 3rd of April or
    the 4th of March; the import decided by chronology and recorded why. When the
    survivor's phone says otherwise, the stored original (unchanged, verified against
    its SHA-256) is parsed again in the chosen order and each message's time and flags
    follow; the messages themselves, their provenance and the exhibits pinned on them
    stay as they are. Refused if the new reading does not find the same messages.
    Audits ``digital.source_settings_changed``.
    """
    _require(actor, source.case, Action.EDIT)
    if source.kind != SourceKind.WHATSAPP:
        raise ValidationError(_("Only a WhatsApp chat has a date order to choose."))
    try:
        order = whatsapp.as_order(date_order)
    except ValueError as error:
        raise ValidationError(_("Choose day/month/year, month/day/year or year/month/day.")) from error
    old = source.date_order
    if order == old:
        return source
    original = source.file
    try:
        # An archive with its media may be hundreds of megabytes: past a few it waits on disk,
        # as an upload does, rather than in this worker's memory.
        with tempfile.SpooledTemporaryFile(max_size=REREAD_IN_MEMORY_BYTES, dir=settings.FILE_UPLOAD_TEMP_DIR) as copy:
            for chunk in storage.read_chunks(original):
                copy.write(chunk)
            copy.seek(0)
            inspected = _inspect(
                copy,  # type: ignore[arg-type]  # a binary file, as an upload is
                name=original.original_name,
                tz=source.timezone,
                order=order,
                limits=safety.Limits.from_settings(),
            )
    except storage.StoredFileCorrupt as error:
        raise ValidationError(_("The stored original does not match its SHA-256; nothing changed.")) from error
    except safety.Refused as error:
        raise ValidationError(str(error)) from error
    parsed = inspected.result.messages if inspected.kind == SourceKind.WHATSAPP and inspected.result else []
    fresh = _message_rows(source, source.case, parsed)  # as the import would store them
    with transaction.atomic():
        stored = list(ChatMessage.objects.filter(source=source).order_by("seq").only("id", "member", "line", "offset"))
        if [(m.member, m.line, m.offset) for m in stored] != [(r.member, r.line, r.offset) for r in fresh]:
            raise ValidationError(_("Read in that order the chat does not give the same messages; nothing changed."))
        for message, reading in zip(stored, fresh, strict=True):
            message.time = reading.time
            message.flags = reading.flags
        ChatMessage.objects.bulk_update(stored, ["time", "flags"], batch_size=2000)
        report = inspected.result.report if inspected.result else None
        source.date_order = order or ""
        source.date_order_reason = f"chosen by staff after import (the import assumed {old or 'none'})"
        source.date_order_basis = DateOrderBasis.STAFF
        source.parse_warnings = list(report.warnings) if report else source.parse_warnings
        source.save(update_fields=["date_order", "date_order_reason", "date_order_basis", "parse_warnings"])
        _settings_changed(actor, source, date_order_from=old, date_order_to=order)
    return source


def exhibit_pin(*, actor: User, message: ChatMessage, note: str, offences: Iterable[Offence]) -> Exhibit:
    """Pin a message as an exhibit (or change its note and offences). Audits ``digital.exhibit_pinned``."""
    case = message.case
    _require(actor, case, Action.EDIT)
    chosen = [o for o in offences if o.law == "PECA"]
    with transaction.atomic():
        exhibit, created = Exhibit.objects.get_or_create(
            message=message,
            defaults={"case": case, "note": note.strip(), "pinned_by": actor, "pinned_at": timezone.now()},
        )
        if not created:
            exhibit.note = note.strip()
            exhibit.save(update_fields=["note"])
        exhibit.offences.set(chosen)
        audit_record(
            action="digital.exhibit_pinned",
            actor=actor,
            cell=case.cell,
            object_type="case",
            object_ref=case.code,
            details={"exhibit": exhibit.pk, "offences": sorted(o.code for o in chosen), "new": created},
        )
    return exhibit


def may_unblur(actor: User, source: DigitalSource) -> bool:
    return allows_in_cell(actor, source.case.cell, Section.DIGITAL, Action.VIEW) and any(
        role in DIGITAL_INTIMATE_ROLES for role in roles_in(actor, source.case.cell)
    )


def intimate_view(*, actor: User, source: DigitalSource, reason: str) -> bytes:
    """The viewing copy of an intimate image, unblurred, for an allowed role with a reason.

    Records who, when and why (``IntimateViewing``) and audits ``digital.intimate_viewed``.
    """
    if not may_unblur(actor, source):
        raise PermissionDenied
    if len(reason.strip()) < 10:
        raise ValidationError(_("Write why you need to see this image (at least a few words)."))
    if source.viewing_copy is None:
        raise ValidationError(_("This image has no viewing copy."))
    with transaction.atomic():
        viewing = IntimateViewing.objects.create(
            source=source, viewer=actor, reason=reason.strip()[:300], viewed_at=timezone.now()
        )
        audit_record(
            action="digital.intimate_viewed",
            actor=actor,
            cell=source.case.cell,
            object_type="digital_source",
            object_ref=str(source.pk),
            details={"viewing": viewing.pk},
        )
    return b"".join(storage.read_chunks(source.viewing_copy))


def source_mark_intimate(*, actor: User, source: DigitalSource) -> DigitalSource:
    """Mark an image intimate: blurred for everyone from now on. Audits ``digital.marked_intimate``."""
    _require(actor, source.case, Action.EDIT)
    with transaction.atomic():
        source.intimate = True
        source.save(update_fields=["intimate"])
        audit_record(
            action="digital.marked_intimate",
            actor=actor,
            cell=source.case.cell,
            object_type="digital_source",
            object_ref=str(source.pk),
        )
    return source


def ncii_record(*, actor: User, case: Case, service: str, case_number: str) -> NciiReport:
    """Record the case number StopNCII or Take It Down gave her (never the PIN). Audits ``digital.ncii_recorded``."""
    _require(actor, case, Action.EDIT)
    with transaction.atomic():
        report = NciiReport.objects.create(
            case=case,
            service=service,
            case_number=case_number.strip()[:64],
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit_record(
            action="digital.ncii_recorded",
            actor=actor,
            cell=case.cell,
            object_type="case",
            object_ref=case.code,
            details={"service": service},
        )
    return report


def nccia_pack_issue(
    *, actor: User, case: Case, recipient: str, purpose: str, order_reference: str = ""
) -> list[Disclosure]:
    """Issue the NCCIA complaint pack in English and Urdu; each copy goes into the disclosure ledger.

    Needs the digital export right, at least one exhibit, and her consent to sharing
    in force (or an order's reference). Audits ``digital.nccia_pack_issued`` and,
    through the ledger, ``document.disclosed`` per copy.
    """
    from crisiscell.digital.pack import render_pack
    from crisiscell.documents.services import disclosure_record

    _require(actor, case, Action.EXPORT)
    if not Exhibit.objects.filter(case=case).exists():
        raise ValidationError(_("Pin at least one message as an exhibit first."))
    consent = consent_in_force(case, "sharing")
    if consent is None and not order_reference.strip():
        raise ValidationError(_("Sharing with the NCCIA needs her consent to sharing, or an order's reference."))
    copies = {language: render_pack(case, language=language) for language in ("en", "ur")}
    written: list[StoredFile] = []
    try:
        with transaction.atomic():
            disclosures = []
            for language, pdf in copies.items():
                stored = _store(
                    io.BytesIO(pdf),
                    written,
                    kind="nccia_pack",
                    max_bytes=len(pdf),
                    content_type="application/pdf",
                    name=f"{case.code}-nccia-{language}.pdf",
                )
                disclosures.append(
                    disclosure_record(
                        actor=actor,
                        case=case,
                        document="nccia_pack",
                        recipient_kind="nccia",
                        recipient=recipient,
                        purpose=purpose,
                        file=stored,
                        language=language,
                        consent=consent,
                        order_reference=order_reference,
                    )
                )
            audit_record(
                action="digital.nccia_pack_issued",
                actor=actor,
                cell=case.cell,
                object_type="case",
                object_ref=case.code,
                details={
                    "exhibits": Exhibit.objects.filter(case=case).count(),
                    "sha256": [f"{d.language}:{d.sha256}" for d in disclosures],
                },
            )
    except BaseException:
        _discard(written)
        raise
    return disclosures
