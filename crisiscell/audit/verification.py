"""Verifying the audit log: recompute the tree from the events and check every signed head.

What is checked, in one pass over the sealed events in tree order:

1. every tree head's Ed25519 signature, with the public key its id names;
2. tree sizes strictly grow from head to head;
3. every leaf position 0..n-1 is present and points to an existing event
   (a gap means a sealed event or leaf was deleted);
4. each event's recomputed leaf hash equals the hash stored when it was sealed
   (a difference names the altered or moved event);
5. the root recomputed from the events equals every signed head's root at its
   size. Because all roots are recomputed from one sequence of leaves, each head
   is also proved consistent with the one before it;
6. no event sits unsealed where an honest late event cannot be: older than the
   grace period inside the sealed range, below the sealer's look-back, or dated in
   the future (each is an event inserted behind the sealer's back);
7. no leaf lies beyond the last signed head;
8. every tree head recorded in the anchor file outside the database is still in
   the database, unchanged (this exposes deleting the newest events with their
   leaves and heads, or truncating the tables).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from hashlib import sha256 as _sha256
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from crisiscell.audit import merkle
from crisiscell.audit.leaves import EVENT_FIELDS, leaf_bytes, leaf_bytes_columns
from crisiscell.audit.models import AuditEvent, AuditLeaf, TreeHead
from crisiscell.audit.sealing import LOOKBACK, read_anchors, tree_head_message
from crisiscell.core.keyring import load_keyring

_JOINED_FIELDS = ("index", "leaf_hash", *(f"event__{name}" for name in EVENT_FIELDS))


@dataclass(frozen=True)
class Problem:
    kind: str  # signature, order, anchor, deleted, altered, root, unsigned, inserted
    message: str
    event_id: int | None = None


@dataclass
class Report:
    events_checked: int = 0
    heads_checked: int = 0
    unsealed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def _bytes(value: object) -> bytes:
    return bytes(value) if isinstance(value, memoryview | bytearray) else value  # type: ignore[return-value]


def _check_heads(heads: list[TreeHead], public_keys: dict[str, Ed25519PublicKey], report: Report) -> None:
    previous = 0
    previous_time = None
    for head in heads:
        key = public_keys.get(head.key_id)
        message = tree_head_message(head.tree_size, _bytes(head.root_hash), head.signed_at, head.key_id)
        if key is None:
            report.problems.append(
                Problem(
                    "signature",
                    f"Tree head at size {head.tree_size} names unknown key {head.key_id}.",
                )
            )
        else:
            try:
                key.verify(_bytes(head.signature), message)
            except InvalidSignature:
                report.problems.append(
                    Problem(
                        "signature",
                        f"Tree head at size {head.tree_size}: signature does not verify.",
                    )
                )
        if head.tree_size <= previous or (previous_time is not None and head.signed_at < previous_time):
            report.problems.append(
                Problem("order", f"Tree head at size {head.tree_size} is out of order with the head before it.")
            )
        previous, previous_time = head.tree_size, head.signed_at


_CHUNK = 20_000


def _sealed_chunks() -> Iterator[list[tuple[Any, ...]]]:
    """The sealed leaves in tree order, a chunk at a time, column by column.

    Each chunk holds the columns ``index, leaf_hash, *EVENT_FIELDS`` as the database
    driver returns them (a server-side cursor on PostgreSQL): the ORM's per-row
    conversions took three quarters of a verification. The leaf code reads a naive
    time as UTC (SQLite's driver) and a cell as a UUID or its hex.
    """
    queryset = AuditLeaf.objects.order_by("index").values_list(*_JOINED_FIELDS)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with compiler.connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_CHUNK):
            yield list(zip(*rows, strict=True))


def _leaf_hashes(indexes: Sequence[Any], event_columns: Sequence[Sequence[Any]]) -> list[bytes]:
    """The recomputed leaf hashes of a chunk, or of its rows before the first bad one.

    A row that cannot be made into a leaf (a time that is not a time) stops the
    list there; ``verify_log`` then meets that row on its own, in order, as before.
    """
    try:
        data = leaf_bytes_columns([int(i) for i in indexes], event_columns)
    except Exception:
        hashes = []
        for index, row in zip(indexes, zip(*event_columns, strict=True), strict=True):
            try:
                hashes.append(_sha256(b"\x00" + leaf_bytes(int(index), row)).digest())
            except Exception:
                break
        return hashes
    return [_sha256(b"\x00" + item).digest() for item in data]


def _clean(indexes: Sequence[Any], stored: Sequence[Any], recomputed: list[bytes], expected: int) -> bool:
    """A chunk holds positions expected.. without a gap, and every leaf hashes as it was sealed."""
    count = len(indexes)
    # Positions are unique and sorted: first and last right means none missing between.
    if len(recomputed) != count or indexes[0] != expected or indexes[-1] != expected + count - 1:
        return False
    return list(stored) == recomputed  # bytes, or memoryviews, which compare by content


def _root_problem(head: TreeHead, range_start_event: int | None) -> Problem:
    return Problem(
        "root",
        f"Tree head at size {head.tree_size} does not match the events sealed under it "
        f"(from event #{range_start_event}).",
        range_start_event,
    )


def _missing_position(position: int, next_present: int, next_event_id: int) -> Problem:
    """A gap in the leaves: name the deleted event if its leaf still says which it was."""
    orphan = AuditLeaf.objects.filter(index=position).values_list("event_id", flat=True).first()
    if orphan is not None:
        return Problem("deleted", f"Event #{orphan} at position {position} was deleted (its leaf remains).", orphan)
    return Problem(
        "deleted",
        f"Sealed position {position} is missing (next present: {next_present}); "
        f"a sealed event was deleted before event #{next_event_id}.",
        next_event_id,
    )


def _check_anchors(heads: list[TreeHead], report: Report) -> None:
    """Every head written to the anchor file outside the database must still be in it, unchanged.

    Deleting the newest events together with their leaves and heads, or a whole
    table, leaves a log that is consistent with itself; the anchor file shows it.
    """
    stored = {head.tree_size: _bytes(head.root_hash) for head in heads}
    for anchored in read_anchors():
        size, root = int(anchored["tree_size"]), bytes.fromhex(anchored["root_hash_hex"])
        if stored.get(size) != root:
            report.problems.append(
                Problem(
                    "anchor",
                    f"The tree head of size {size} recorded outside the database is missing or different: "
                    "sealed events, leaves or heads were removed or rewritten.",
                )
            )
            return


def verify_log(*, public_keys: dict[str, Ed25519PublicKey] | None = None, max_problems: int = 20) -> Report:
    """Check the whole log; the report's first problem names the first bad event."""
    keys = public_keys if public_keys is not None else load_keyring().public_keys()
    report = Report()
    problems = report.problems
    heads = list(TreeHead.objects.order_by("tree_size"))
    _check_heads(heads, keys, report)
    _check_anchors(heads, report)
    report.heads_checked = len(heads)
    signed_size = heads[-1].tree_size if heads else 0

    frontier = merkle.Frontier()
    # Recomputed leaf hashes not yet added to the frontier (added in runs: fewer calls).
    pending: list[bytes] = []
    head_iter = iter(heads)
    next_head = next(head_iter, None)
    next_size = next_head.tree_size if next_head is not None else -1
    range_start_event: int | None = None
    expected_index = 0
    checked = 0
    stopped = False
    for columns in _sealed_chunks():
        indexes, stored_hashes, event_ids, event_columns = (
            columns[0],
            columns[1],
            columns[2],
            columns[2:],
        )
        hashes = _leaf_hashes(indexes, event_columns)
        ready = len(hashes)
        if _clean(indexes, stored_hashes, hashes, expected_index):
            # The usual case, without a check per event: every position present and
            # every leaf as sealed. Only the heads inside this chunk are checked, and,
            # as event by event, nothing after the problem that reaches the limit.
            if len(problems) >= max_problems:
                break
            count, offset, start = len(hashes), 0, expected_index
            if range_start_event is None:
                range_start_event = int(event_ids[0])
            while next_head is not None and next_size <= start + count:
                cut = next_size - start
                pending.extend(hashes[offset:cut])
                offset = cut
                frontier.extend(pending)
                pending.clear()
                if frontier.root() != _bytes(next_head.root_hash):
                    problems.append(_root_problem(next_head, range_start_event))
                range_start_event = int(event_ids[cut]) if cut < count else None
                next_head = next(head_iter, None)
                next_size = next_head.tree_size if next_head is not None else -1
                if len(problems) >= max_problems and cut < count:
                    stopped = True
                    break
            if stopped:
                expected_index, checked = start + offset, checked + offset
                break
            pending.extend(hashes[offset:])
            expected_index += count
            checked += count
            continue
        for pos, (index, stored_hash, raw_event_id) in enumerate(zip(indexes, stored_hashes, event_ids, strict=True)):
            if len(problems) >= max_problems:
                stopped = True
                break
            if index != expected_index:
                problems.append(_missing_position(expected_index, int(index), int(raw_event_id)))
                # Keep counting from here so one deletion is reported once.
                while expected_index < int(index):
                    pending.append(b"\x00" * 32)
                    expected_index += 1
            if pos < ready:
                recomputed = hashes[pos]
            else:  # the row _leaf_hashes stopped at: a value no event can hold
                row = tuple(column[pos] for column in event_columns)
                try:
                    recomputed = _sha256(b"\x00" + leaf_bytes(int(index), row)).digest()
                except (TypeError, ValueError):
                    recomputed = b""  # cannot match any stored hash: reported below
            if recomputed != stored_hash and recomputed != _bytes(stored_hash):
                event_id = int(raw_event_id)
                problems.append(
                    Problem(
                        "altered",
                        f"Event #{event_id} at position {index} was altered or moved.",
                        event_id,
                    )
                )
            if range_start_event is None:
                range_start_event = int(raw_event_id)
            pending.append(recomputed)
            expected_index += 1
            checked += 1
            while next_head is not None and expected_index == next_size:
                frontier.extend(pending)
                pending.clear()
                if frontier.root() != _bytes(next_head.root_hash):
                    problems.append(_root_problem(next_head, range_start_event))
                range_start_event = None
                next_head = next(head_iter, None)
                next_size = next_head.tree_size if next_head is not None else -1
        if stopped:
            break
    frontier.extend(pending)
    report.events_checked = checked
    if expected_index > signed_size and len(problems) < max_problems:
        problems.append(
            Problem(
                "unsigned",
                f"{expected_index - signed_size} leaf or leaves lie beyond the last signed tree head "
                f"(size {signed_size}): the sealer never writes those.",
            )
        )
    if next_head is not None and len(problems) < max_problems:
        problems.append(
            Problem(
                "deleted",
                f"Tree head at size {next_head.tree_size} covers more events than remain "
                f"({frontier.size}): sealed events were deleted.",
            )
        )

    last = heads[-1] if heads else None
    # Events no leaf points to. The same rows as ``filter(leaf__isnull=True)``; NOT
    # EXISTS lets the database answer from the leaves' event index alone.
    unsealed = AuditEvent.objects.filter(~Exists(AuditLeaf.objects.filter(event=OuterRef("pk"))))
    report.unsealed = unsealed.count()
    # With nothing unsealed there is nothing stale to look for.
    if last is not None and report.unsealed:
        cutoff = last.signed_at - settings.CRISISCELL_SEAL_GRACE
        below_lookback = last.max_event_id - LOOKBACK
        # Inside the sealed range and old, or so far below it that the sealer will never
        # look at it, or dated in the future: none of these can be an honest late event.
        stale = (
            unsealed.filter(
                Q(at__lt=cutoff, id__lt=last.max_event_id)
                | Q(id__lte=below_lookback)
                | Q(at__gt=timezone.now() + settings.CRISISCELL_SEAL_GRACE)
            )
            .order_by("id")
            .first()
        )
        if stale is not None:
            report.problems.append(
                Problem(
                    "inserted",
                    f"Event #{stale.id} lies inside the sealed range but was never sealed: "
                    "it was inserted after sealing.",
                    stale.id,
                )
            )
    return report
