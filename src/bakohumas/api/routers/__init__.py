"""The API's routers, one per area; mounted by ``bakohumas.api.api``."""

from __future__ import annotations

from typing import Any

from bakohumas.api.schemas import ErrorOut

#: Error answers every operation may give (documented in the OpenAPI schema).
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
DETAIL_ERRORS: dict[int, Any] = {**READ_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**DETAIL_ERRORS, 400: ErrorOut, 409: ErrorOut}
