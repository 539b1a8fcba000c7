"""The exact bytes of an audit event that the Merkle tree commits to.

A leaf is a compact JSON array (unambiguous, stable across databases):

    ["crisiscell-audit-leaf-v1", index, event id, time in microseconds since the
     Unix epoch (UTC), action, actor id, actor label, cell id (hex), object type,
     object reference, request id, client address, details]

The leaf index is part of the leaf, so moving an event to another position
changes its hash.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from crisiscell.audit.models import LEAF_FORMAT

# The columns a leaf is made of, in order, as ``values_list`` names them.
EVENT_FIELDS = (
    "id",
    "at",
    "action",
    "actor_id",
    "actor_label",
    "cell_id",
    "object_type",
    "object_ref",
    "request_id",
    "client_ip",
    "details",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - SQLite's driver returns naive UTC times
_MICROSECOND = timedelta(microseconds=1)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def leaf_bytes(index: int, row: tuple[object, ...]) -> bytes:
    """``row`` holds EVENT_FIELDS in order, as the ORM returns them."""
    (
        event_id,
        at,
        action,
        actor_id,
        actor_label,
        cell_id,
        object_type,
        object_ref,
        request_id,
        client_ip,
        details,
    ) = row
    cell_hex = cell_id.hex if isinstance(cell_id, uuid.UUID) else cell_id
    return _dumps(
        [
            LEAF_FORMAT,
            index,
            event_id,
            _checked_micros(at),
            action,
            actor_id,
            actor_label,
            cell_hex,
            object_type,
            object_ref,
            request_id,
            client_ip,
            details,
        ]
    ).encode("utf-8")


def _checked_micros(at: object) -> int:
    """Microseconds since the epoch; a naive time is UTC (SQLite's driver returns them so).

    The verifier reads rows without the ORM's conversions, and on SQLite the driver
    hands back the stored time without its zone. Anything else is not a time.
    """
    if not isinstance(at, datetime):
        raise TypeError("An audit event's time must be a datetime.")
    if at.tzinfo is None:
        return (at - _NAIVE_EPOCH) // _MICROSECOND
    return (at - _EPOCH) // _MICROSECOND


def _cell_hex(cell_id: object) -> object:
    return cell_id.hex if isinstance(cell_id, uuid.UUID) else cell_id


def leaf_bytes_columns(indexes: Sequence[int], columns: Sequence[Sequence[object]]) -> list[bytes]:
    """``leaf_bytes`` of many events at once, given column by column in EVENT_FIELDS order.

    The same bytes as ``[leaf_bytes(i, row) for i, row in zip(indexes, rows)]``, for
    the verifier, which reads events in chunks: one call, not one per event.
    """
    (
        event_id,
        at,
        action,
        actor_id,
        actor_label,
        cell_id,
        object_type,
        object_ref,
        request_id,
        client_ip,
        details,
    ) = columns
    encode, head = _dumps, LEAF_FORMAT
    return [
        encode([head, *values]).encode("utf-8")
        for values in zip(
            indexes,
            event_id,
            map(_checked_micros, at),
            action,
            actor_id,
            actor_label,
            map(_cell_hex, cell_id),
            object_type,
            object_ref,
            request_id,
            client_ip,
            details,
            strict=True,
        )
    ]
