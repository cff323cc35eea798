"""Authentication of the REST API: personal bearer tokens and the browser session.

Every operation is protected by :func:`requires`, which returns the pair of auth
callables for one role permission. A request is authenticated first (401 when that
fails) and then authorised against the permission (403) *before* its body is parsed,
so a viewer gets a 403 for any write, whatever it sends.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from bakohumas.api.models import ApiToken, hash_token

# ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def authenticate_token(plain: str) -> Any:
    """The active user owning the personal token ``plain``; raises ``AuthenticationError``.

    Only the SHA-256 digest is looked up. ``last_used_at`` is refreshed when it is older
    than :data:`LAST_USED_RESOLUTION`, so a busy client costs one write a minute.
    """
    plain = plain.strip()
    if not plain:
        raise AuthenticationError(message=_("The bearer token is empty."))
    token = ApiToken.objects.select_related("user").filter(digest=hash_token(plain)).first()
    if token is None:
        raise AuthenticationError(message=_("The token is not valid."))
    if token.revoked_at is not None:
        raise AuthenticationError(message=_("The token has been revoked."))
    if not token.user.is_active:
        raise AuthenticationError(message=_("The account of this token is disabled."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _set_audit_actor(request: HttpRequest, user: Any) -> None:
    """Make ``user`` the actor of the audit entries written during this request.

    The auditlog middleware captured the request's user before the API authenticated the
    token (an anonymous user then), so its context is updated in place.
    """
    from auditlog.context import auditlog_value

    try:
        context = auditlog_value.get()
    except LookupError:
        return
    actor = context.get("actor")
    # The portal's middleware hands auditlog the request's lazy user: anonymous here.
    if actor is None or not getattr(actor, "is_authenticated", False):
        context["actor"] = user


def _authorise(request: HttpRequest, user: Any, perm: str | None) -> Any:
    if perm is not None and not user.has_perm(perm):
        raise AuthorizationError(message=_("You do not have permission to do this."))
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token."""

    openapi_bearerFormat = "bkh_…"
    openapi_description = (
        "A personal API token, created under “API tokens” in the workspace or with "
        "`bakohumas create_api_token USERNAME`."
    )

    def __init__(self, perm: str | None = None) -> None:
        self.perm = perm
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(
                message=_("Unsupported authorisation scheme: use “Bearer <token>”.")
            )
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        request.user = user
        _set_audit_actor(request, user)
        return _authorise(request, user, self.perm)


class SessionAuth(APIKeyCookie):
    """The workspace session (browser, interactive docs). Unsafe methods need CSRF."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The session cookie of a logged-in workspace user (CSRF applies)."

    def __init__(self, perm: str | None = None) -> None:
        self.perm = perm
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise AuthorizationError(
                message=_("CSRF check failed: send the X-CSRFToken header with the session.")
            )
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _authorise(request, request.user, self.perm)


@cache
def requires(perm: str | None = None) -> list[TokenAuth | SessionAuth]:
    """The auth of an operation needing role permission ``perm`` (``None``: any user)."""
    return [TokenAuth(perm), SessionAuth(perm)]


def acting_user(request: HttpRequest) -> Any:
    """The user an API request acts for (set by :class:`TokenAuth` or :class:`SessionAuth`)."""
    return request.auth  # type: ignore[attr-defined]
