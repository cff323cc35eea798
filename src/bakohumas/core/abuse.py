"""Abuse limits of the public forms (subscribe, contact, hoax report, information request,
request tracking), and the never-cached page those forms render in.

* :func:`client_ip`: the visitor's address as the login lockout (django-axes) sees it.
* The time trap: every form carries a signed stamp (:func:`form_stamp`) with the unit, the
  time it was shown and a random form token. A form sent back less than
  :data:`MIN_FORM_SECONDS` after it was shown is a robot's; one older than
  :data:`FORM_MAX_AGE` has expired (:func:`read_stamp`). The form token identifies one
  filled-in form, so sending the same form twice can be recognised (a double click).
* The honeypot: a field (:data:`HONEYPOT`) hidden from people; robots fill it in.
* Rate limits (:func:`hit`): a fixed-window counter per key in the default cache. Keys are
  hashed, so no address or IP appears in the cache. With the local-memory cache each
  process counts on its own; a shared cache (Redis, memcached) counts for the site.
* Body size: :func:`content_length` reads the declared length, so an oversized request is
  refused before a byte of its body is read.
* Attachments: :func:`check_upload` reads the type from the content (``media.detection``),
  never from the name, and bounds the size.

Like the portal, public form pages never read the session (no ``request.user``): they
render through :func:`public_form_page` without context processors, carry the CSRF token
(Django's cookie, not the session) and are never cached, since they carry a form stamp.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect

HONEYPOT = "website"
NOTICE_TEMPLATE = "inbox/public_notice.html"
GET_POST = ("GET", "HEAD", "POST")
MIN_FORM_SECONDS = 2.0  # a form sent sooner after it was shown is a robot's
FORM_MAX_AGE = 24 * 3600  # a form shown longer ago has expired
TOKEN_BYTES = 12


# --- the visitor ---------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The visitor's address as the login lockout sees it (django-axes' settings)."""
    from axes.helpers import get_client_ip_address

    try:
        ip = get_client_ip_address(request)
    except Exception:  # a misconfigured proxy setting must not stop the page
        ip = None
    return str(ip or request.META.get("REMOTE_ADDR") or "")[:45]


@contextmanager
def as_public(request: HttpRequest) -> Iterator[None]:
    """Audit entries written inside name no actor (reading the user would load the
    session) but the visitor's address."""
    from auditlog.context import set_actor

    with set_actor(None, remote_addr=client_ip(request)):
        yield


def content_length(request: HttpRequest) -> int:
    """The declared size of the request body (0 when absent or malformed)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0


# --- the time trap -------------------------------------------------------------------------


class StampState(enum.Enum):
    OK = "ok"
    TOO_FAST = "too_fast"  # sent less than MIN_FORM_SECONDS after it was shown
    EXPIRED = "expired"  # shown more than FORM_MAX_AGE ago
    INVALID = "invalid"  # missing, forged, or another unit's or form's stamp


@dataclass(frozen=True)
class Stamp:
    """What a form's stamp says: its state, its age in seconds and its form token."""

    state: StampState
    age: float | None = None
    token: str = ""

    @property
    def ok(self) -> bool:
        return self.state is StampState.OK


def new_form_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def form_stamp(unit: Any, *, salt: str, at: float | None = None, token: str | None = None) -> str:
    """The signed stamp of a form of ``unit`` shown at ``at`` (default now), with a form
    token (default a new random one). ``salt`` names the form."""
    shown = time.time() if at is None else at
    return signing.dumps([unit.pk, shown, token or new_form_token()], salt=salt)


def read_stamp(value: str, unit: Any, *, salt: str, now: float | None = None) -> Stamp:
    """Check a form's stamp: signed for ``salt`` and ``unit``, shown between
    :data:`MIN_FORM_SECONDS` and :data:`FORM_MAX_AGE` ago."""
    try:
        data = signing.loads(value or "", salt=salt, max_age=FORM_MAX_AGE + 60)
    except signing.SignatureExpired:
        return Stamp(StampState.EXPIRED)
    except (signing.BadSignature, TypeError, ValueError):
        return Stamp(StampState.INVALID)
    if not isinstance(data, list) or len(data) not in (2, 3):
        return Stamp(StampState.INVALID)
    unit_id, shown = data[0], data[1]
    token = str(data[2]) if len(data) == 3 else ""
    if unit_id != unit.pk or isinstance(shown, bool) or not isinstance(shown, int | float):
        return Stamp(StampState.INVALID)
    age = (time.time() if now is None else now) - shown
    if age > FORM_MAX_AGE:
        return Stamp(StampState.EXPIRED, age, token)
    if age < MIN_FORM_SECONDS:
        return Stamp(StampState.TOO_FAST, age, token)
    return Stamp(StampState.OK, age, token)


# --- rate limits ---------------------------------------------------------------------------


def _key(scope: str, key: str) -> str:
    digest = hashlib.sha256(f"{scope}\x00{key}".encode()).hexdigest()[:40]
    return f"bkh:rate:{scope}:{digest}"


def hit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one event of ``key`` in ``scope``; True when that makes more than ``limit``
    events in the current ``window`` (seconds): the caller refuses it."""
    name = _key(scope, key or "unknown")
    if cache.add(name, 1, window):
        return 1 > limit
    try:
        count = cache.incr(name)
    except ValueError:  # expired between the two calls
        cache.set(name, 1, window)
        return 1 > limit
    return int(count) > limit


def is_over(scope: str, key: str, limit: int) -> bool:
    """True when ``key`` has already used its ``limit`` events in ``scope`` (not counted)."""
    count = cache.get(_key(scope, key or "unknown"))
    return count is not None and int(count) >= limit


# --- attachments ---------------------------------------------------------------------------

MB = 1024 * 1024
MAX_ATTACHMENT_SIZE = 5 * MB
IMAGE = "image"
PDF = "pdf"


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: a safe name with the extension of its real type, its bytes and
    its MIME type."""

    name: str
    content: bytes
    content_type: str
    kind: str

    def as_tuple(self) -> tuple[str, bytes, str]:
        return (self.name, self.content, self.content_type)


def check_upload(
    upload: Any, *, kinds: tuple[str, ...], max_size: int = MAX_ATTACHMENT_SIZE, stem: str = ""
) -> CheckedFile:
    """Accept ``upload`` when its content is of one of ``kinds`` (media kinds: "image",
    "pdf") and it is at most ``max_size`` bytes; raise ``ValidationError`` otherwise."""
    from django.core.exceptions import ValidationError
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    from bakohumas.media.detection import detect
    from bakohumas.media.services import clean_original_name

    size = int(getattr(upload, "size", 0) or 0)
    if size > max_size:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_size)},
            code="too_large",
        )
    accepted = {IMAGE: _("an image (JPEG, PNG, WebP or GIF)"), PDF: _("a PDF document")}
    wanted = " / ".join(str(accepted[k]) for k in kinds)
    try:
        detected = detect(upload)
    except ValidationError as exc:
        raise ValidationError(
            _(
                "This file is not accepted: its content is not %(wanted)s (the type is read from "
                "the content, not from the file name)."
            )
            % {"wanted": wanted},
            code="unsupported_type",
        ) from exc
    if detected.kind not in kinds:
        raise ValidationError(
            _("This file is not accepted: its content is %(found)s, not %(wanted)s.")
            % {"found": detected.label, "wanted": wanted},
            code="unsupported_type",
        )
    upload.seek(0)
    content = upload.read(max_size + 1)
    if len(content) > max_size:
        raise ValidationError(
            _("The file is too large; the limit is %(limit)s.")
            % {"limit": filesizeformat(max_size)},
            code="too_large",
        )
    base = clean_original_name(getattr(upload, "name", "") or "")
    base = (stem or base.rsplit(".", 1)[0] or "file")[:80]
    return CheckedFile(f"{base}.{detected.extension}", content, detected.mime, detected.kind)


# --- the page ------------------------------------------------------------------------------


def public_form_page(
    request: HttpRequest,
    template: str,
    *,
    unit: Any,
    title: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """A page of the portal's look holding a form or its answer: rendered without the
    session, with the unit's menu and the CSRF token, never cached, not indexed."""
    from bakohumas.portal.http import render_public
    from bakohumas.portal.structured import PageMeta

    menu: list[dict[str, Any]] = []
    if unit is not None:
        from bakohumas.portal.views import _menu as portal_menu

        menu = portal_menu(unit, "")
    meta = PageMeta(title=title, path=request.path, noindex=True)
    response = render_public(
        request,
        template,
        {
            "unit": unit,
            "menu": menu,
            "meta": meta,
            "search_unit": unit,
            "csrf_token": get_token(request),
            "honeypot": HONEYPOT,
            **context,
        },
        status=status,
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def notice(
    request: HttpRequest,
    *,
    unit: Any,
    title: str,
    text: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """A short page saying what happened (a refusal, an expired link …)."""
    return public_form_page(
        request, NOTICE_TEMPLATE, unit=unit, title=title, status=status, text=text, **context
    )


def too_many(request: HttpRequest, *, unit: Any, window: int, text: str = "") -> HttpResponse:
    """The 429 answer of a rate limit, with ``Retry-After``."""
    from django.utils.translation import gettext as _

    response = notice(
        request,
        unit=unit,
        title=_("Too many requests"),
        text=text
        or _(
            "This form has been sent too often from this connection or for this contact. "
            "Nothing was saved. Please try again later."
        ),
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


def _unit_of(kwargs: dict[str, Any]) -> Any:
    code = kwargs.get("code")
    if not code:
        return None
    from bakohumas.portal import selectors

    return selectors.get_unit(str(code))


def _too_large(request: HttpRequest, unit: Any, max_body: int) -> HttpResponse:
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    return notice(
        request,
        unit=unit,
        title=_("The form is too large"),
        text=_(
            "What you sent is larger than %(limit)s in all. Nothing was saved. Make the "
            "attachment smaller and send the form again."
        )
        % {"limit": filesizeformat(max_body)},
        status=413,
    )


def guarded_form(
    max_body: int,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorator of a public form view (GET shows it, POST sends it):

    * other methods → 405;
    * a POST whose declared body is over ``max_body`` bytes → a friendly 413 page, before a
      byte of the body is read; a body Django refuses while parsing (over
      ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields, malformed multipart) → 413 / 400;
    * then Django's CSRF check (a cookie, not the session), as ``csrf_protect`` does.

    A ``code`` in the URL names the unit whose look the refusal pages take (unknown or
    inactive → 404)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in GET_POST:
                response = HttpResponseNotAllowed(list(GET_POST))
                add_never_cache_headers(response)
                return response
            if request.method == "POST":
                if content_length(request) > max_body:
                    return _too_large(request, _unit_of(kwargs), max_body)
                try:
                    request.POST  # noqa: B018 (parse the body here, within its limits)
                    request.FILES  # noqa: B018
                except RequestDataTooBig:
                    return _too_large(request, _unit_of(kwargs), max_body)
                except (SuspiciousOperation, MultiPartParserError, OSError):
                    from django.utils.translation import gettext as _

                    return notice(
                        request,
                        unit=_unit_of(kwargs),
                        title=_("The form could not be read"),
                        text=_("Nothing was saved. Please reload the page and send it again."),
                        status=400,
                    )
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapper)

    return decorate
