"""The API's URLs in the session access matrix: no session reaches them, a token is needed.

Seen by the matrix (no token at all) every operation answers 401, never a page and
never data; the schema and docs are public. Scopes, other cells and the allowed
client are checked per operation by ``test_api_access.py`` (``API_ROWS``).
"""

from __future__ import annotations

import uuid

from crisiscell.tests.matrix import Row

UNAUTHORIZED = frozenset({401})

# fmt: off
ROWS = [
    Row("api:openapi-json", public=True),
    Row("api:docs", public=True),
    Row("api:api-root", public=True, public_status=frozenset({404}), notes=["token"]),
    Row("api:me", public=True, public_status=UNAUTHORIZED, notes=["token"]),
    Row("api:notify", method="post", public=True, public_status=UNAUTHORIZED, notes=["token"]),
    Row("api:fir_status", kwargs=lambda w: {"code": w.case.code}, public=True, public_status=UNAUTHORIZED,
        notes=["token"]),
    Row("api:fir_update", kwargs=lambda w: {"code": w.case.code}, method="post", public=True,
        public_status=UNAUTHORIZED, notes=["token"]),
    Row("api:lab_received", kwargs=lambda w: {"submission_id": uuid.uuid4()}, method="post", public=True,
        public_status=UNAUTHORIZED, notes=["token"]),
    Row("api:lab_result", kwargs=lambda w: {"submission_id": uuid.uuid4()}, method="post", public=True,
        public_status=UNAUTHORIZED, notes=["token"]),
]
# fmt: on
