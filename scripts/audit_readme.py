"""Regenerate crisiscell/audit/README.md from crisiscell/audit/events.py (run: make audit-readme)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = """# The audit log

Every event crisiscell records. An event says who (actor), where (cell), what (code), to which
object (a code or an id) and in which request, at what time; it never carries the data itself.
Events are written in the same transaction as the change they record and sealed into a signed
Merkle tree by `crisiscell audit_seal` (see `docs/decisions/0004-audit-sealing.md`).

`audit_record` refuses a code that is not in `events.py`; a test keeps this list equal to it
(regenerate it with `make audit-readme`).

| code | meaning |
|---|---|
"""


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")
    import django

    django.setup()
    from crisiscell.audit.events import EVENT_CODES

    rows = "".join(f"| `{code}` | {meaning} |\n" for code, meaning in EVENT_CODES.items())
    (ROOT / "crisiscell" / "audit" / "README.md").write_text(HEADER + rows)


if __name__ == "__main__":
    main()
