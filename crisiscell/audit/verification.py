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
6. no event older than the grace period sits unsealed below the sealed range
   (that would be an event inserted behind the sealer's back).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from crisiscell.audit import merkle
from crisiscell.audit.leaves import EVENT_FIELDS, leaf_bytes
from crisiscell.audit.models import AuditEvent, AuditLeaf, TreeHead
from crisiscell.audit.sealing import tree_head_message
from crisiscell.core.keyring import load_keyring

_JOINED_FIELDS = ("index", "leaf_hash", *(f"event__{name}" for name in EVENT_FIELDS))


@dataclass(frozen=True)
class Problem:
    kind: str  # signature, order, deleted, altered, root, inserted
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


def _check_heads(
    heads: list[TreeHead], public_keys: dict[str, Ed25519PublicKey], report: Report
) -> None:
    previous = 0
    for head in heads:
        key = public_keys.get(head.key_id)
        message = tree_head_message(
            head.tree_size, _bytes(head.root_hash), head.signed_at, head.key_id
        )
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
        if head.tree_size <= previous:
            report.problems.append(
                Problem("order", f"Tree head at size {head.tree_size} does not grow the tree.")
            )
        previous = head.tree_size


def _sealed_rows() -> Iterator[tuple[object, ...]]:
    return (
        AuditLeaf.objects.order_by("index").values_list(*_JOINED_FIELDS).iterator(chunk_size=20_000)
    )


def verify_log(
    *, public_keys: dict[str, Ed25519PublicKey] | None = None, max_problems: int = 20
) -> Report:
    """Check the whole log; the report's first problem names the first bad event."""
    keys = public_keys if public_keys is not None else load_keyring().public_keys()
    report = Report()
    heads = list(TreeHead.objects.order_by("tree_size"))
    _check_heads(heads, keys, report)
    report.heads_checked = len(heads)

    frontier = merkle.Frontier()
    head_iter = iter(heads)
    next_head = next(head_iter, None)
    range_start_event: int | None = None
    expected_index = 0
    for row in _sealed_rows():
        if len(report.problems) >= max_problems:
            break
        index, stored_hash, event_row = row[0], _bytes(row[1]), row[2:]
        event_id = int(event_row[0])  # type: ignore[call-overload]
        if index != expected_index:
            report.problems.append(
                Problem(
                    "deleted",
                    f"Sealed position {expected_index} is missing (next present: {index}); "
                    f"a sealed event was deleted before event #{event_id}.",
                    event_id,
                )
            )
            # Keep counting from here so one deletion is reported once.
            while expected_index < int(index):  # type: ignore[call-overload]
                frontier.append(b"\x00" * 32)
                expected_index += 1
        recomputed = merkle.leaf_hash(leaf_bytes(int(index), event_row))  # type: ignore[call-overload]
        if recomputed != stored_hash:
            report.problems.append(
                Problem(
                    "altered",
                    f"Event #{event_id} at position {index} was altered or moved.",
                    event_id,
                )
            )
        if range_start_event is None:
            range_start_event = event_id
        frontier.append(recomputed)
        expected_index += 1
        report.events_checked += 1
        while next_head is not None and frontier.size == next_head.tree_size:
            if frontier.root() != _bytes(next_head.root_hash):
                report.problems.append(
                    Problem(
                        "root",
                        f"Tree head at size {next_head.tree_size} does not match the events "
                        f"sealed under it (from event #{range_start_event}).",
                        range_start_event,
                    )
                )
            range_start_event = None
            next_head = next(head_iter, None)
    if next_head is not None and len(report.problems) < max_problems:
        report.problems.append(
            Problem(
                "deleted",
                f"Tree head at size {next_head.tree_size} covers more events than remain "
                f"({frontier.size}): sealed events were deleted.",
            )
        )

    last = heads[-1] if heads else None
    unsealed = AuditEvent.objects.filter(leaf__isnull=True)
    report.unsealed = unsealed.count()
    if last is not None:
        cutoff = last.signed_at - settings.CRISISCELL_SEAL_GRACE
        stale = unsealed.filter(at__lt=cutoff, id__lt=last.max_event_id).order_by("id").first()
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
