"""One error shape for the whole API: ``{"detail": "...", "errors": {"field": ["..."]}}``.

* 400: the body is not JSON;
* 401: no, a bad, revoked or disabled credential (with ``WWW-Authenticate: Bearer``);
* 403: the role lacks the permission (or the session request lacks its CSRF token);
* 404: unknown id, or an object outside the user's scope;
* 409: the write conflicts with an existing record;
* 413: the body is larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
* 422: validation failed; ``errors`` maps each field (``__all__`` for the whole
  object) to its messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)


# Pydantic error types → our own (translatable) messages. Others keep pydantic's text.
def _messages() -> dict[str, str]:
    # Spelled out so that makemessages collects them.
    return {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "string_type": _("Enter a text value."),
        "string_too_short": _("This field cannot be blank."),
        "string_too_long": _("Ensure this value has at most %(max_length)s characters."),
        "int_type": _("Enter a whole number."),
        "int_parsing": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "bool_type": _("Enter true or false."),
        "bool_parsing": _("Enter true or false."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "enum": _("Select a valid choice: %(expected)s."),
        "literal_error": _("Select a valid choice: %(expected)s."),
        "greater_than_equal": _("Ensure this value is greater than or equal to %(ge)s."),
        "less_than_equal": _("Ensure this value is less than or equal to %(le)s."),
        "datetime_type": _("Enter a date and time (ISO 8601)."),
        "datetime_parsing": _("Enter a date and time (ISO 8601)."),
        "datetime_from_date_parsing": _("Enter a date and time (ISO 8601)."),
        "none_required": _("This field must be empty."),
    }


class ApiValidationError(Exception):
    """Raised by endpoints for a 422 with field errors (``{"field": ["message"]}``)."""

    def __init__(self, errors: Mapping[str, Iterable[str]]) -> None:
        self.errors = {field: [str(m) for m in msgs] for field, msgs in errors.items()}
        super().__init__(self.errors)


class ApiConflict(Exception):
    """Raised by endpoints for a 409 (the write conflicts with an existing row)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def error_body(detail: str, errors: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": str(detail)}
    if errors is not None:
        body["errors"] = dict(errors)
    return body


def _field_name(loc: Iterable[Any], param_names: set[str]) -> str:
    """``("body", "payload", "name")`` → ``"name"``; ``("query", "page")`` → ``"page"``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in param_names:
        parts = parts[1:]
    if not parts or parts[0] in param_names:
        return NON_FIELD_ERRORS
    # Keep the field and a list index ("tags.2"); drop pydantic's type tags.
    name = parts[0]
    if len(parts) > 1 and parts[1].isdigit():
        name = f"{name}.{parts[1]}"
    return name


def pydantic_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    template = _messages().get(kind)
    if template is None:
        msg = str(error.get("msg", ""))
        # "Value error, <our message>" from field validators: keep our message.
        return msg.removeprefix("Value error, ")
    ctx = dict(error.get("ctx") or {})
    try:
        return template % ctx
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", template))


def _validation_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    param_names = {"payload", "filters", "ninja_pagination", "pagination"}
    for error in errors:
        field = _field_name(error.get("loc", ()), param_names)
        if field == NON_FIELD_ERRORS and error.get("type") == "missing":
            message = _("Send the data as a JSON object in the request body.")
        elif field == NON_FIELD_ERRORS and error.get("type") in {
            "model_type",
            "dict_type",
            "model_attributes_type",
        }:
            message = _("The request body must be a JSON object.")
        else:
            message = pydantic_message(error)
        result.setdefault(field, []).append(message)
    return result


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers by ours (same shape for every error)."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(
            request, 422, error_body(_("The data is not valid."), _validation_errors(exc.errors))
        )

    def on_api_validation(request: HttpRequest, exc: ApiValidationError) -> HttpResponse:
        return respond(request, 422, error_body(_("The data is not valid."), exc.errors))

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, error_body(_("The data is not valid."), django_errors(exc)))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message
        if message == "Unauthorized":  # ninja's default: nothing was sent
            message = _("Authentication required: send “Authorization: Bearer <token>” or log in.")
        response = respond(request, 401, error_body(message))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = exc.message
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("The request body is not valid JSON.")
        elif exc.status_code == 403 and message in {"Forbidden", "CSRF check Failed"}:
            message = _("You do not have permission to do this.")
        return respond(request, exc.status_code, error_body(message))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body(_("You do not have permission to do this.")))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body(_("Not found.")))

    def on_conflict(request: HttpRequest, exc: ApiConflict) -> HttpResponse:
        return respond(request, 409, error_body(exc.detail))

    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API integrity error on %s %s: %s", request.method, request.path, exc)
        return respond(request, 409, error_body(_("This conflicts with an existing record.")))

    def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        logger.warning("API data error on %s %s: %s", request.method, request.path, exc)
        return respond(request, 422, error_body(_("A value is out of range for its field.")))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body(_("The request body is too large.")))

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        logger.warning("API suspicious request on %s %s: %s", request.method, request.path, exc)
        return respond(request, 400, error_body(_("The request could not be processed.")))

    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, error_body(_("Server error. The error has been logged.")))

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (NinjaValidationError, on_validation),
        (ApiValidationError, on_api_validation),
        (DjangoValidationError, on_django_validation),
        (AuthenticationError, on_auth),
        (HttpError, on_http_error),
        (PermissionDenied, on_permission_denied),
        (Http404, on_not_found),
        (ApiConflict, on_conflict),
        (IntegrityError, on_integrity),
        (DataError, on_data_error),
        (RequestDataTooBig, on_too_big),
        (SuspiciousOperation, on_suspicious),
        (Exception, on_exception),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
