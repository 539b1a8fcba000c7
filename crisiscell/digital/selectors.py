"""Every read of digital evidence, scoped by the actor; missing and forbidden are the same 404.

Reads of a case's digital evidence are audited (``digital.*_viewed``). The repeat
perpetrator signal compares keyed hashes only: within a cell it names the other
cases (for those who may see the cell's digital evidence); across cells the national
analyst gets counts and nothing else.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell, allows_nationally
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import Case
from crisiscell.digital import images
from crisiscell.digital.models import (
    ChatMessage,
    DigitalSource,
    Exhibit,
    NciiReport,
    PerpetratorIdentifier,
    SourceKind,
)
from crisiscell.documents.models import Disclosure
from crisiscell.survivors.services import vault_read


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as error:
        raise Http404 from error


def source_get_for(actor: User, source_id: Any, action: Action = Action.VIEW) -> DigitalSource:
    source = (
        DigitalSource.objects.select_related("case", "case__cell", "file", "viewing_copy", "parent")
        .filter(pk=_uuid(source_id))
        .first()
    )
    if source is None or not allows_in_cell(actor, source.case.cell, Section.DIGITAL, action):
        raise Http404
    return source


def message_get_for(actor: User, message_id: Any, action: Action = Action.VIEW) -> ChatMessage:
    try:
        pk = int(message_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    message = ChatMessage.objects.select_related("case", "case__cell").filter(pk=pk).first()
    if message is None or not allows_in_cell(actor, message.case.cell, Section.DIGITAL, action):
        raise Http404
    return message


def pack_get_for(actor: User, disclosure_id: Any) -> Disclosure:
    try:
        pk = int(disclosure_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    disclosure = (
        Disclosure.objects.select_related("case", "case__cell", "file")
        .filter(pk=pk, document="nccia_pack", file__isnull=False)
        .first()
    )
    if disclosure is None or not allows_in_cell(actor, disclosure.case.cell, Section.DIGITAL, Action.EXPORT):
        raise Http404
    return disclosure


@dataclass
class IdentifierView:
    identifier: PerpetratorIdentifier
    value: str
    other_cases: list[str]


@dataclass
class DigitalPage:
    case: Case
    sources: list[DigitalSource]
    members: dict[uuid.UUID, list[DigitalSource]]
    identifiers: list[IdentifierView]
    exhibits: list[Exhibit]
    ncii: list[NciiReport]
    packs: list[Disclosure]
    matches: dict[uuid.UUID, list[DigitalSource]] = field(default_factory=dict)

    @property
    def repeat_signal(self) -> bool:
        return any(i.other_cases for i in self.identifiers)


def identifiers_of(case: Case) -> list[IdentifierView]:
    """The case's identifiers, decrypted, each with the other cases of the cell that share it."""
    own = list(PerpetratorIdentifier.objects.filter(case=case).select_related("record").order_by("kind", "pk"))
    digests = [bytes(i.digest) for i in own]
    others: dict[bytes, set[str]] = defaultdict(set)
    for digest, code in (
        PerpetratorIdentifier.objects.filter(cell=case.cell, digest__in=digests)
        .exclude(case=case)
        .values_list("digest", "case__code")
    ):
        others[bytes(digest)].add(code)
    return [IdentifierView(i, str(vault_read(i.record)["value"]), sorted(others[bytes(i.digest)])) for i in own]


def image_matches(case: Case) -> dict[uuid.UUID, list[DigitalSource]]:
    """For each image of the case: the same picture (PDQ) elsewhere in the cell's evidence."""
    hashed = list(
        DigitalSource.objects.filter(
            case__cell=case.cell, kind=SourceKind.IMAGE, pdq_quality__gte=images.MIN_QUALITY
        ).select_related("case")
    )
    mine = [s for s in hashed if s.case_id == case.pk]
    found: dict[uuid.UUID, list[DigitalSource]] = {}
    for source in mine:
        same = [
            other
            for other in hashed
            if other.pk != source.pk
            and images.matches(source.pdq_hash, source.pdq_quality, other.pdq_hash, other.pdq_quality)
        ]
        if same:
            found[source.pk] = same
    return found


def digital_page(actor: User, case: Case) -> DigitalPage:
    """The case's digital evidence page. Audits ``digital.case_viewed``."""
    if not allows_in_cell(actor, case.cell, Section.DIGITAL, Action.VIEW):
        raise Http404
    sources = list(
        DigitalSource.objects.filter(case=case).select_related("file", "received_by").order_by("received_at", "member")
    )
    members: dict[uuid.UUID, list[DigitalSource]] = defaultdict(list)
    for source in sources:
        if source.parent_id:
            members[source.parent_id].append(source)
    audit_record(action="digital.case_viewed", actor=actor, cell=case.cell, object_type="case", object_ref=case.code)
    return DigitalPage(
        case=case,
        sources=[s for s in sources if s.parent_id is None],
        members=dict(members),
        identifiers=identifiers_of(case),
        exhibits=exhibits_of(case),
        ncii=list(NciiReport.objects.filter(case=case).order_by("recorded_at")),
        packs=list(Disclosure.objects.filter(case=case, document="nccia_pack").order_by("issued_at")),
        matches=image_matches(case),
    )


def exhibits_of(case: Case) -> list[Exhibit]:
    return list(
        Exhibit.objects.filter(case=case)
        .select_related("message", "message__source", "message__source__file")
        .prefetch_related("offences")
        .order_by("message__time", "message__seq")
    )


def source_detail(actor: User, source: DigitalSource) -> list[ChatMessage]:
    """A source's unparsed lines (kept and reported). Audits ``digital.source_viewed``."""
    audit_record(
        action="digital.source_viewed",
        actor=actor,
        cell=source.case.cell,
        object_type="digital_source",
        object_ref=str(source.pk),
    )
    return list(ChatMessage.objects.filter(source=source, kind="unparsed").order_by("seq")[:500])


@dataclass
class Timeline:
    case: Case
    messages: list[ChatMessage]
    senders: list[str]
    pinned: set[int]
    total: int
    shown_limit: int


def timeline_for(actor: User, case: Case, *, sender: str = "", query: str = "", limit: int = 2000) -> Timeline:
    """Every source's messages in one chronological view. Audits ``digital.timeline_viewed``."""
    from crisiscell.digital.parsers.types import normalise

    if not allows_in_cell(actor, case.cell, Section.DIGITAL, Action.VIEW):
        raise Http404
    messages: QuerySet[ChatMessage] = ChatMessage.objects.filter(case=case).select_related("source")
    if sender:
        messages = messages.filter(author=sender)
    if query.strip():
        messages = messages.filter(normalised__contains=normalise(query.strip()))
    total = messages.count()
    shown = list(messages.order_by("time", "source__received_at", "seq")[:limit])
    senders = sorted(
        a for a in ChatMessage.objects.filter(case=case).exclude(author="").values_list("author", flat=True).distinct()
    )
    pinned = set(Exhibit.objects.filter(case=case).values_list("message_id", flat=True))
    audit_record(
        action="digital.timeline_viewed",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"filtered": bool(sender), "searched": bool(query.strip())},
    )
    return Timeline(case, shown, senders, pinned, total, limit)


@dataclass(frozen=True)
class RepeatCounts:
    identifiers: int  # distinct identifiers known in any case
    in_several_cases: int  # seen in more than one case
    in_several_cells: int  # seen in more than one cell


def repeat_counts(actor: User) -> RepeatCounts:
    """Across every cell, only counts (statistics). Audits ``digital.repeat_statistics_viewed``."""
    if not allows_nationally(actor, Section.STATISTICS, Action.VIEW):
        raise Http404
    rows = PerpetratorIdentifier.objects.values("digest").annotate(
        cases=Count("case", distinct=True), cells=Count("cell", distinct=True)
    )
    total = rows.count()
    several_cases = rows.filter(cases__gt=1).count()
    several_cells = rows.filter(Q(cells__gt=1)).count()
    audit_record(action="digital.repeat_statistics_viewed", actor=actor, object_type="statistics")
    return RepeatCounts(total, several_cases, several_cells)
