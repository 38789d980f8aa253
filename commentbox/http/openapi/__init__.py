"""The OpenAPI 3.1 document at ``/api/v1/openapi.json``.

Operations are declared in one table per surface (``public``, ``auth``, ``guests``,
``admin``, ``linkbacks``); schemas come from the pydantic shapes the handlers really use, and
``document`` builds the document from the tables. ``tests/test_openapi.py`` walks the app's
routes and fails when a route is missing from ``OPERATIONS`` or an entry has no route — so
the document stays true. A new surface adds its module here and its table to ``OPERATIONS``.
"""

from __future__ import annotations

from commentbox.http.openapi.admin import ADMIN_OPERATIONS
from commentbox.http.openapi.auth import AUTH_OPERATIONS
from commentbox.http.openapi.guests import GUEST_OPERATIONS
from commentbox.http.openapi.linkbacks import LINKBACK_OPERATIONS
from commentbox.http.openapi.operation import Operation
from commentbox.http.openapi.public import PUBLIC_OPERATIONS

# Every operation a plain app serves; ``commentbox serve --demo`` adds ``auth.DEMO_OPERATIONS``.
OPERATIONS: list[Operation] = [
    *PUBLIC_OPERATIONS,
    *AUTH_OPERATIONS,
    *GUEST_OPERATIONS,
    *ADMIN_OPERATIONS,
    *LINKBACK_OPERATIONS,
]
