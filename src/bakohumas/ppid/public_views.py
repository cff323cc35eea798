"""Public PPID pages: the information request form (``/satker/<code>/ppid/permohonan/``),
the tracking page (``/ppid/lacak/``) with the objection form, and the answer document
behind a signed short-lived link (``/ppid/lacak/berkas/<token>/``).

The request form has the abuse limits of the inbox forms (``core.abuse``: body size,
CSRF, attempts and submissions per IP, per contact, honeypot, time trap). Its form token
(in the stamp) is remembered in the cache for a day, so the same form sent twice registers
one request. The confirmation shows the secret code once; only its hash is stored.

The tracking page looks a request up by register number and secret code, by POST (the
code stays out of addresses and logs), at most :data:`TRACK_LIMIT` times per
:data:`TRACK_WINDOW` per IP. A wrong number and a wrong code get the same message. The
page shows no personal data but the name's initials. What the page does next (file an
objection, download the answer) carries a signed token naming the request and part of
its code hash, so it stops working when the code is reset or the token ages.
"""

from __future__ import annotations

import logging
import mimetypes

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bakohumas.core import abuse
from bakohumas.core.models import WorkUnit
from bakohumas.portal import selectors
from bakohumas.ppid import services
from bakohumas.ppid.models import (
    Decision,
    InformationRequest,
    RequestEvent,
    RequestStatus,
)
from bakohumas.ppid.public_forms import ObjectionForm, RequestForm, TrackForm

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_BODY = abuse.MAX_ATTACHMENT_SIZE + 1 * MB
MAX_TRACK_BODY = 128 * 1024
REQUEST_SALT = "bakohumas.ppid.request-form"
ATTEMPT_LIMIT = 20  # request-form posts per IP in WINDOW (errors included)
SUBMIT_LIMIT = 5  # requests per IP in WINDOW
CONTACT_LIMIT = 3  # requests per email address or phone number in WINDOW
WINDOW = 3600
TRACK_LIMIT = 20  # tracking-page posts per IP in TRACK_WINDOW
TRACK_WINDOW = 600
PAGE_SALT = "bakohumas.ppid.track-page"
PAGE_MAX_AGE = 3600  # the objection form of a looked-up request works this long
FILE_SALT = "bakohumas.ppid.answer-file"
FILE_MAX_AGE = 15 * 60  # the answer document's link works this long
HASH_PART = 16
SENT_KEY = "bkh:ppid-form-sent:"
PENDING = "pending"

NOT_FOUND = gettext_lazy(
    "No request matches this register number and secret code. Check both (the code is in "
    "the confirmation email) and try again."
)


# --- tokens --------------------------------------------------------------------------------


def _token(request: InformationRequest, salt: str) -> str:
    return signing.dumps([request.pk, request.tracking_code_hash[:HASH_PART]], salt=salt)


def _from_token(value: str, salt: str, max_age: int) -> InformationRequest | None:
    try:
        pk, part = signing.loads(value or "", salt=salt, max_age=max_age)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    found = (
        InformationRequest.objects.select_related("unit__parent").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if found is None or not isinstance(part, str):
        return None
    if not constant_time_compare(found.tracking_code_hash[:HASH_PART], part):
        return None
    return found


def file_url(request: InformationRequest) -> str:
    """The short-lived address of the request's answer document."""
    return reverse("ppid_public:answer_file", args=[_token(request, FILE_SALT)])


# --- the request form ----------------------------------------------------------------------


def _request_page(
    request: HttpRequest,
    unit: WorkUnit,
    form: RequestForm,
    *,
    stamp: str = "",
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    return abuse.public_form_page(
        request,
        "ppid/public_request.html",
        unit=unit,
        title=_("Request public information"),
        status=status,
        form=form,
        problem=problem,
        stamp=stamp or abuse.form_stamp(unit, salt=REQUEST_SALT),
        retention_days=settings.PPID_PII_RETENTION_DAYS,
        track_url=reverse("ppid_public:track"),
    )


def _already_sent(request: HttpRequest, unit: WorkUnit, number: str) -> HttpResponse:
    text = (
        _(
            "This form was already sent and registered as %(number)s. The secret code was "
            "shown on the first confirmation and sent to your email address."
        )
        % {"number": number}
        if number != PENDING
        else _("This form is already being registered. Please wait a moment.")
    )
    return abuse.notice(
        request,
        unit=unit,
        title=_("Request already received"),
        text=text,
        back_url=reverse("ppid_public:track"),
        back_label=_("Follow a request"),
    )


@abuse.guarded_form(MAX_BODY)
def request_form(request: HttpRequest, code: str) -> HttpResponseBase:
    """``/satker/<code>/ppid/permohonan/``: the public information request form."""
    unit = selectors.get_unit(code)
    if request.method != "POST":
        return _request_page(request, unit, RequestForm())
    ip = abuse.client_ip(request)
    if abuse.hit("ppid-request-attempt", ip, ATTEMPT_LIMIT, WINDOW):
        return abuse.too_many(request, unit=unit, window=WINDOW)
    if request.POST.get(abuse.HONEYPOT):
        return abuse.notice(
            request,
            unit=unit,
            title=_("The form was not sent"),
            text=_(
                "The form looked as if a program filled it in. Nothing was saved. Please "
                "reload the page and fill in only the visible fields."
            ),
            status=400,
        )
    form = RequestForm(request.POST, request.FILES)
    posted = request.POST.get("ts", "")
    stamp = abuse.read_stamp(posted, unit, salt=REQUEST_SALT)
    if stamp.state in (abuse.StampState.EXPIRED, abuse.StampState.INVALID):
        form.is_valid()
        return _request_page(
            request,
            unit,
            form,
            status=400,
            problem=_("The form has expired. Please check it and send it again."),
        )
    if stamp.state is abuse.StampState.TOO_FAST:
        form.is_valid()
        return _request_page(
            request,
            unit,
            form,
            stamp=posted,
            status=400,
            problem=_(
                "That was very quick, as if a program sent the form. Please check it and "
                "send it again."
            ),
        )
    if not form.is_valid():
        return _request_page(request, unit, form, stamp=posted, status=400)
    sent_key = SENT_KEY + stamp.token
    earlier = cache.get(sent_key) if stamp.token else None
    if earlier:
        return _already_sent(request, unit, str(earlier))
    data = form.cleaned_data
    if abuse.hit("ppid-request-ip", ip, SUBMIT_LIMIT, WINDOW):
        return abuse.too_many(request, unit=unit, window=WINDOW)
    for contact in (data.get("email"), data.get("phone")):
        if contact and abuse.hit(
            "ppid-request-contact", str(contact).lower(), CONTACT_LIMIT, WINDOW
        ):
            return abuse.too_many(request, unit=unit, window=WINDOW)
    if stamp.token and not cache.add(sent_key, PENDING, abuse.FORM_MAX_AGE):
        return _already_sent(request, unit, str(cache.get(sent_key) or PENDING))
    try:
        with abuse.as_public(request):
            info_request, secret = services.submit(unit, form.submit_data(), channel="portal")
    except services.PpidError as exc:
        cache.delete(sent_key)
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return _request_page(request, unit, form, stamp=posted, status=400)
    except Exception:
        cache.delete(sent_key)
        raise
    if stamp.token:
        cache.set(sent_key, info_request.register_number, abuse.FORM_MAX_AGE)
    try:
        with abuse.as_public(request):
            services.send_acknowledgement(info_request, secret)
    except Exception:  # the request is registered; the page shows the code anyway
        logger.warning("Acknowledgement of %s failed", info_request.pk, exc_info=True)
    return abuse.public_form_page(
        request,
        "ppid/public_received.html",
        unit=unit,
        title=_("Request received"),
        info_request=info_request,
        secret=secret,
        track_url=settings.SITE_URL + reverse("ppid_public:track"),
        track_path=reverse("ppid_public:track")
        + "?"
        + urlencode({"nomor": info_request.register_number}),
    )


# --- tracking ------------------------------------------------------------------------------


def _track_form_page(
    request: HttpRequest, form: TrackForm, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    return abuse.public_form_page(
        request,
        "ppid/public_track.html",
        unit=None,
        title=_("Follow an information request"),
        status=status,
        form=form,
        problem=problem,
    )


def _status_page(
    request: HttpRequest,
    info_request: InformationRequest,
    *,
    objection_form: ObjectionForm | None = None,
    status: int = 200,
    done: str = "",
) -> HttpResponse:
    unit = info_request.unit
    cause = services.objection_cause(info_request)
    can_object = services.can_file_objection(info_request)
    if can_object and objection_form is None:
        objection_form = ObjectionForm(reasons=cause[1] if cause else None)
    events = [
        e
        for e in RequestEvent.objects.filter(request=info_request).order_by("created_at", "id")
        if e.public_note
    ]
    objections = list(info_request.objections.order_by("filed_at", "id"))
    return abuse.public_form_page(
        request,
        "ppid/public_status.html",
        unit=unit,
        title=_("Request %(number)s") % {"number": info_request.register_number},
        status=status,
        info_request=info_request,
        initials=services.initials(info_request.name),
        events=events,
        objections=objections,
        decided=info_request.status == RequestStatus.DECIDED,
        is_refused=info_request.decision == Decision.REFUSED,
        is_redirected=info_request.decision == Decision.REDIRECTED,
        file_url=file_url(info_request) if info_request.answer_file else "",
        can_object=can_object,
        objection_deadline=services.objection_deadline(info_request) if can_object else None,
        objection_form=objection_form if can_object else None,
        page_token=_token(info_request, PAGE_SALT),
        done=done,
    )


@abuse.guarded_form(MAX_TRACK_BODY)
def track(request: HttpRequest) -> HttpResponseBase:
    """``/ppid/lacak/``: look a request up by register number and secret code (POST);
    with ``action=objection`` and the page's token, file an objection."""
    if request.method != "POST":
        number = request.GET.get("nomor", "")[:64]
        return _track_form_page(request, TrackForm(initial={"register_number": number}))
    if abuse.hit("ppid-track", abuse.client_ip(request), TRACK_LIMIT, TRACK_WINDOW):
        return abuse.too_many(
            request,
            unit=None,
            window=TRACK_WINDOW,
            text=_("Too many look-ups from this connection. Please try again in ten minutes."),
        )
    if request.POST.get("action") == "objection":
        return _objection(request)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _track_form_page(request, form, status=400)
    found = services.track(form.cleaned_data["register_number"], form.cleaned_data["code"])
    if found is None:
        return _track_form_page(
            request, TrackForm(request.POST), status=404, problem=str(NOT_FOUND)
        )
    return _status_page(request, found)


def _objection(request: HttpRequest) -> HttpResponse:
    info_request = _from_token(request.POST.get("token", ""), PAGE_SALT, PAGE_MAX_AGE)
    if info_request is None:
        return _track_form_page(
            request,
            TrackForm(),
            status=400,
            problem=_(
                "This page has expired. Enter the register number and the secret code again."
            ),
        )
    cause = services.objection_cause(info_request)
    form = ObjectionForm(request.POST, reasons=cause[1] if cause else None)
    if not services.can_file_objection(info_request):
        return _status_page(
            request,
            info_request,
            status=400,
            done=_("An objection cannot be filed for this request now."),
        )
    if not form.is_valid():
        return _status_page(request, info_request, objection_form=form, status=400)
    try:
        with abuse.as_public(request):
            objection = services.file_objection(
                info_request,
                reason=form.cleaned_data["reason"],
                statement=form.cleaned_data["statement"],
            )
    except services.PpidError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return _status_page(request, info_request, objection_form=form, status=400)
    info_request.refresh_from_db()
    return _status_page(
        request,
        info_request,
        done=_("Your objection was registered as %(number)s.")
        % {"number": objection.register_number},
    )


def answer_file(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/ppid/lacak/berkas/<token>/``: the answer document of a request, for whoever just
    looked it up with its code (the link expires after :data:`FILE_MAX_AGE` seconds and
    when the code is reset)."""
    if request.method not in ("GET", "HEAD"):
        return abuse.notice(
            request, unit=None, title=_("Not allowed"), text=_("Use the link."), status=405
        )
    info_request = _from_token(token, FILE_SALT, FILE_MAX_AGE)
    if info_request is None or not info_request.answer_file:
        return abuse.notice(
            request,
            unit=None,
            title=_("Link not valid"),
            text=_(
                "This download link is not valid or has expired. Look the request up again on "
                "the tracking page to get a new link."
            ),
            status=404,
            back_url=reverse("ppid_public:track"),
            back_label=_("Follow a request"),
        )
    stored = info_request.answer_file
    extension = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else "bin"
    name = info_request.register_number.replace("/", "-") + f".{extension}"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        handle = stored.open("rb")
    except OSError:
        return abuse.notice(
            request,
            unit=info_request.unit,
            title=_("Document unavailable"),
            text=_("The document cannot be read at the moment. Please try again later."),
            status=503,
        )
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
