"""Every read of cases and identities: scoped to the actor's cells and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Field, Q, QuerySet
from django.http import Http404
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell, cell_ids_for, cells_for
from crisiscell.accounts.models import User
from crisiscell.audit.events import label as event_label
from crisiscell.audit.models import AuditEvent, not_a_read
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import Alert, Case, CaseContext, Consent, Disability, IntakeDraft, RecordVersion
from crisiscell.cells.models import Cell
from crisiscell.core.models import choice_label
from crisiscell.core.times import local_minute, minute_html
from crisiscell.survivors import vault
from crisiscell.survivors.identity import normalise_cnic, normalise_phone
from crisiscell.survivors.models import Guardian, Survivor
from crisiscell.survivors.services import GuardianIdentity, SurvivorIdentity, vault_read


def case_get_for(
    actor: User,
    code: str,
    section: Section = Section.CASE,
    action: Action = Action.VIEW,
    *,
    related: tuple[str, ...] = (),
) -> Case:
    """The case if the actor may act on ``section`` in its cell; 404 for missing and forbidden alike.

    ``related``: more relations to read in the same query.
    """
    case = Case.objects.select_related("cell", "survivor", *related).filter(code=code).first()
    if case is None or not allows_in_cell(actor, case.cell, section, action):
        raise Http404
    return case


def case_open_for(actor: User, code: str) -> Case:
    """Open a case page: ``case_get_for`` plus the ``case.viewed`` audit event.

    The survivor's identity record comes with the case, still encrypted: the page
    decrypts it only for the identity section. Other roles carry its ciphertext unread,
    which spares the identity roles a query of their own.
    """
    case = case_get_for(actor, code, related=("survivor__identity",))
    audit_record(action="case.viewed", actor=actor, cell=case.cell, object_type="case", object_ref=case.code)
    return case


def case_list_for(actor: User, cell: Cell, *, status: str | None = "open") -> QuerySet[Case]:
    """A cell's cases for someone who may see its case summaries. Audits ``case.listed``."""
    if not allows_in_cell(actor, cell, Section.CASE, Action.VIEW):
        raise Http404
    audit_record(action="case.listed", actor=actor, cell=cell, object_type="cell", object_ref=cell.code)
    cases = Case.objects.filter(cell=cell).order_by("-arrival_at")
    return cases.filter(status=status) if status else cases


def may_see_identity(actor: User, case: Case) -> bool:
    return allows_in_cell(actor, case.cell, Section.IDENTITY, Action.VIEW)


def survivor_identity_for(actor: User, case: Case) -> SurvivorIdentity:
    """Decrypt the survivor's identity for someone whose role has the identity section.

    Audits ``survivor.identity_viewed``. Raises Http404 for everyone else and
    ``VaultError`` if the record cannot be decrypted.
    """
    if not may_see_identity(actor, case):
        raise Http404
    audit_record(
        action="survivor.identity_viewed",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
    )
    return SurvivorIdentity.from_payload(vault_read(case.survivor.identity))


@dataclass(frozen=True)
class GuardianView:
    guardian: Guardian
    identity: GuardianIdentity | None  # None when the actor may not see identities


def guardians_for(actor: User, case: Case) -> list[GuardianView]:
    """Guardians of the case's survivor; identities decrypted only for the identity section."""
    show = may_see_identity(actor, case)
    return [
        GuardianView(g, GuardianIdentity.from_payload(vault_read(g.identity)) if show else None)
        for g in case.survivor.guardians.select_related("identity").order_by("created_at")
    ]


@dataclass(frozen=True)
class LookupMatch:
    survivor: Survivor
    case_codes: list[str]
    name: str


def survivor_lookup(actor: User, *, cnic: str = "", phone: str = "") -> list[LookupMatch]:
    """Exact look-up of a returning survivor by CNIC or phone, through the blind index.

    Only in cells where the actor may see identities. Audits ``survivor.looked_up``
    (with the kind of identifier, never its value). Raises ValidationError for a
    malformed CNIC or number.
    """
    digests = []
    if cnic.strip():
        digests.append(vault.blind_index("cnic", normalise_cnic(cnic)))
    if phone.strip():
        digests.append(vault.blind_index("phone", normalise_phone(phone)))
    audit_record(
        action="survivor.looked_up",
        actor=actor,
        details={"by": [k for k, v in (("cnic", cnic), ("phone", phone)) if v.strip()]},
    )
    cell_ids = cell_ids_for(actor, Section.IDENTITY, Action.VIEW)  # None: every active cell
    if not digests or cell_ids == []:
        return []
    # Two plain queries, however many match: the survivors with their identity
    # records (found through the blind index), then the codes of their cases.
    in_cells = (
        Q(identity__lookups__cell__is_active=True) if cell_ids is None else Q(identity__lookups__cell_id__in=cell_ids)
    )
    survivors = list(
        Survivor.objects.filter(in_cells, identity__lookups__digest__in=digests).select_related("identity").distinct()
    )
    codes: dict[Any, list[str]] = {survivor.pk: [] for survivor in survivors}
    if codes:
        cases = Case.objects.filter(survivor_id__in=list(codes))
        cases = cases.filter(cell__is_active=True) if cell_ids is None else cases.filter(cell_id__in=cell_ids)
        for survivor_id, code in cases.order_by("arrival_at").values_list("survivor_id", "code"):
            codes[survivor_id].append(code)
    return [
        LookupMatch(survivor, codes[survivor.pk], SurvivorIdentity.from_payload(vault_read(survivor.identity)).name)
        for survivor in survivors
    ]


def survivor_for_linking(actor: User, survivor_id: str) -> Survivor:
    """A survivor the actor may link a new case to (identity rights in one of her cells)."""
    cells = cells_for(actor, Section.IDENTITY, Action.VIEW)
    survivor = Survivor.objects.filter(pk=survivor_id, cell__in=cells).first()
    if survivor is None:
        raise Http404
    return survivor


def consents_for(case: Case) -> QuerySet[Consent]:
    """The case's consent ledger, oldest first: decisions, who gave them, how, when, and withdrawals.

    The ledger shows no person (guardians, witnesses and staff are named elsewhere), so
    none is read with it.
    """
    return case.consents.order_by("recorded_at")


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    """What happened to the case, oldest first, from the audit log (reads left out).

    Read through the history index of the events that are not reads (``not_a_read``).
    """
    return AuditEvent.objects.filter(not_a_read(), object_type="case", object_ref=case.code).order_by("id")


class TimelineEntry(NamedTuple):
    at: str  # local time, to the minute
    label: str  # what happened, in the reader's language
    actor: str


def case_timeline_entries(case: Case) -> list[TimelineEntry]:
    """``case_timeline`` as the case page shows it: three columns read, each line ready to print.

    A long case has hundreds of events; reading them as models and formatting each
    time through the template filter cost more than the rest of its history.
    """
    return [
        TimelineEntry(local_minute(at), event_label(action), actor_label)
        for at, action, actor_label in case_timeline(case).values_list("at", "action", "actor_label")
    ]


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any

    @property
    def label(self) -> str:
        try:
            field = Case._meta.get_field(self.field)
        except FieldDoesNotExist:
            return self.field

        return str(getattr(field, "verbose_name", self.field))

    @property
    def before_display(self) -> str:
        return display_value(self.field, self.before)

    @property
    def after_display(self) -> str:
        return display_value(self.field, self.after)


def display_value(name: str, value: Any) -> str:
    """A snapshot value as staff should read it: labels, not codes; local times (a ``<time>``)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return pgettext("list separator", ", ").join(display_value(name, item) for item in value)
    if name == "contexts":
        return str(CaseContext(value).label) if value in CaseContext.values else str(value)
    if name == "disabilities":
        return str(Disability(value).label) if value in Disability.values else str(value)
    try:
        field = Case._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if isinstance(field, Field) and field.choices:
        return str(choice_label(field, value))
    if isinstance(value, str) and (name.endswith("_at") or name.startswith("incident_")):
        try:
            return minute_html(datetime.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """The fields that differ between two snapshots, in a stable order."""
    return [
        Change(k, before.get(k), after.get(k))
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    ]


@dataclass(frozen=True)
class VersionView:
    version: RecordVersion
    changes: list[Change]
    author: str  # the username of who saved it

    @property
    def summary(self) -> SafeString:
        """ "Version 3 by desk-officer, 2026-12-06 10:40", in the reader's language, the time in a ``<time>``."""
        sentence = conditional_escape(_("Version %(n)s by %(who)s, %(when)s"))
        return mark_safe(  # noqa: S308 - the sentence and the username escaped, the time digits only
            sentence
            % {
                "n": self.version.version,
                "who": f'<span dir="ltr">{conditional_escape(self.author)}</span>',
                "when": minute_html(self.version.changed_at),
            }
        )


def case_versions(case: Case) -> list[VersionView]:
    """Every version with what it changed; of its author only the username is read (not a whole user row)."""
    versions = list(case.versions.annotate(author=F("changed_by__username")).order_by("version"))
    views: list[VersionView] = []
    previous: dict[str, Any] = {}
    for v in versions:
        views.append(VersionView(v, changes_between(previous, v.snapshot) if previous else [], v.author))
        previous = v.snapshot
    return views


def draft_get_for(actor: User, cell: Cell, draft_id: str) -> IntakeDraft:
    """A draft of this cell the actor may continue; audits ``intake.draft_opened``."""
    if not allows_in_cell(actor, cell, Section.IDENTITY, Action.EDIT):
        raise Http404
    draft = IntakeDraft.objects.filter(pk=draft_id, cell=cell).select_related("data").first()
    if draft is None:
        raise Http404
    audit_record(
        action="intake.draft_opened",
        actor=actor,
        cell=cell,
        object_type="draft",
        object_ref=str(draft.pk),
    )
    return draft


def drafts_for(actor: User, cell: Cell) -> QuerySet[IntakeDraft]:
    if not allows_in_cell(actor, cell, Section.IDENTITY, Action.EDIT):
        return IntakeDraft.objects.none()
    return IntakeDraft.objects.filter(cell=cell).order_by("-updated_at")


@dataclass
class AlertGroup:
    """One case's alerts of one kind, on one line: "KHI-2026-0042 · Deadline missed: PEP, high vaginal swab"."""

    case: Case
    kind: str
    kind_label: str
    clocks: list[str]  # the clocks' labels, newest first
    created_at: datetime  # the newest alert's time
    unread: bool


# Unread groups: what can still be acted on first (a deadline approaching), then new cases,
# then missed deadlines; newest first within each.
_ALERT_KIND_ORDER: dict[str, int] = {Alert.Kind.WARNING: 0, Alert.Kind.NEW_CASE: 1, Alert.Kind.MISSED: 2}
READ_ALERTS_SHOWN = 100


def alerts_for(user: User) -> tuple[list[AlertGroup], list[AlertGroup]]:
    """The user's own alerts, grouped by case and kind: every unread one, and the latest read ones.

    A case that misses five windows gives one line, not five; nothing unread is ever cut
    off the page (the count in the menu counts every unread alert).
    """
    alerts = Alert.objects.filter(user=user).select_related("case")
    unread = _grouped(alerts.filter(read_at__isnull=True), unread=True)
    unread.sort(key=lambda g: (_ALERT_KIND_ORDER.get(g.kind, 3), -g.created_at.timestamp()))
    read = _grouped(alerts.filter(read_at__isnull=False)[:READ_ALERTS_SHOWN], unread=False)
    return unread, read


def _grouped(alerts: QuerySet[Alert], *, unread: bool) -> list[AlertGroup]:
    groups: dict[tuple[Any, str], AlertGroup] = {}
    for alert in alerts:  # newest first (the model's order)
        group = groups.get((alert.case_id, alert.kind))
        if group is None:
            group = groups[(alert.case_id, alert.kind)] = AlertGroup(
                alert.case, alert.kind, alert.get_kind_display(), [], alert.created_at, unread
            )
        if alert.clock_key:
            group.clocks.append(alert.clock_label)
    return list(groups.values())
