"""Public forms of a unit's portal: a question, feedback or complaint
(``/satker/<code>/hubungi/``) and a hoax report (``/satker/<code>/lapor-hoaks/``).

Each sent form becomes one inbox thread of the unit (``inbox.services.ingest`` with the
channel "portal"). The form's signed stamp (``core.abuse``) carries a random form token:
the message's ``dedupe_key`` is ``portal:<token>``, so the same form sent twice (a double
click, a reload of the answer page) makes one thread and shows the same answer.

Abuse limits, in order: the body size (413, before reading it), CSRF, attempts per IP,
the honeypot, the time trap (too fast: a robot; over 24 h: expired), the form's own
checks (attachment type read from the content, size), then submissions per IP and per
contact (429). A refused form writes nothing.

Like the portal, these pages never read the session, and like the subscribe form they are
never cached (they carry a stamp and a CSRF token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bakohumas.core import abuse
from bakohumas.core.models import WorkUnit
from bakohumas.inbox import services
from bakohumas.inbox.models import Channel, Message, Thread, ThreadKind
from bakohumas.inbox.public_forms import ContactForm, HoaxReportForm, PublicForm
from bakohumas.portal import selectors

MB = 1024 * 1024
MAX_BODY = abuse.MAX_ATTACHMENT_SIZE + 1 * MB  # the attachment and the fields
ATTEMPT_LIMIT = 20  # posts per IP and form kind in WINDOW (errors included)
SUBMIT_LIMIT = 5  # accepted forms per IP and form kind in WINDOW
CONTACT_LIMIT = 3  # accepted forms per email address or phone number in WINDOW
WINDOW = 3600
REFERENCE_LENGTH = 8


@dataclass(frozen=True)
class FormSpec:
    """What differs between the public inbox forms."""

    scope: str  # rate-limit scope and stamp salt suffix
    form_class: type[PublicForm]
    template: str
    title: Any

    @property
    def salt(self) -> str:
        return f"bakohumas.inbox.{self.scope}-form"


CONTACT = FormSpec("contact", ContactForm, "inbox/public_contact.html", gettext_lazy("Contact us"))
HOAX = FormSpec("hoax", HoaxReportForm, "inbox/public_hoax.html", gettext_lazy("Report a hoax"))


def reference(thread: Thread) -> str:
    """The short reference the sender is given (and staff can search for)."""
    return str(thread.public_id)[:REFERENCE_LENGTH]


def _form_page(
    request: HttpRequest,
    unit: WorkUnit,
    spec: FormSpec,
    form: PublicForm,
    *,
    stamp: str = "",
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    from django.conf import settings

    return abuse.public_form_page(
        request,
        spec.template,
        unit=unit,
        title=str(spec.title),
        status=status,
        form=form,
        problem=problem,
        stamp=stamp or abuse.form_stamp(unit, salt=spec.salt),
        retention_days=settings.INBOX_PII_RETENTION_DAYS,
        max_attachment=abuse.MAX_ATTACHMENT_SIZE,
    )


def _thanks(request: HttpRequest, unit: WorkUnit, thread: Thread, message: Message) -> HttpResponse:
    return abuse.public_form_page(
        request,
        "inbox/public_thanks.html",
        unit=unit,
        title=_("Thank you"),
        thread=thread,
        message=message,
        reference=reference(thread),
        received=message.created_at,
        is_hoax=thread.kind == ThreadKind.HOAX_REPORT,
        home_url=reverse("portal:unit_home", args=[unit.code]),
    )


def _handle(request: HttpRequest, code: str, spec: FormSpec) -> HttpResponseBase:
    unit = selectors.get_unit(code)
    if request.method != "POST":
        return _form_page(request, unit, spec, spec.form_class())
    ip = abuse.client_ip(request)
    if abuse.hit(f"inbox-{spec.scope}-attempt", ip, ATTEMPT_LIMIT, WINDOW):
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
    form = spec.form_class(request.POST, request.FILES)
    posted_stamp = request.POST.get("ts", "")
    stamp = abuse.read_stamp(posted_stamp, unit, salt=spec.salt)
    if stamp.state in (abuse.StampState.EXPIRED, abuse.StampState.INVALID):
        form.is_valid()  # show what was filled in, with its errors
        return _form_page(
            request,
            unit,
            spec,
            form,
            status=400,
            problem=_("The form has expired. Please check it and send it again."),
        )
    if stamp.state is abuse.StampState.TOO_FAST:
        form.is_valid()
        return _form_page(
            request,
            unit,
            spec,
            form,
            stamp=posted_stamp,
            status=400,
            problem=_(
                "That was very quick, as if a program sent the form. Please check it and "
                "send it again."
            ),
        )
    if not form.is_valid():
        return _form_page(request, unit, spec, form, stamp=posted_stamp, status=400)
    dedupe_key = f"portal:{stamp.token}" if stamp.token else None
    if dedupe_key:
        earlier = (
            Message.objects.select_related("thread")
            .filter(dedupe_key=dedupe_key, thread__unit_id=unit.pk)
            .first()
        )
        if earlier is not None:  # the same form sent again: the same answer
            return _thanks(request, unit, earlier.thread, earlier)
    data = form.cleaned_data
    if abuse.hit(f"inbox-{spec.scope}-ip", ip, SUBMIT_LIMIT, WINDOW):
        return abuse.too_many(request, unit=unit, window=WINDOW)
    for contact in (data.get("email"), data.get("phone")):
        if contact and abuse.hit(
            f"inbox-{spec.scope}-contact", str(contact).lower(), CONTACT_LIMIT, WINDOW
        ):
            return abuse.too_many(request, unit=unit, window=WINDOW)
    inbound = _inbound(unit, spec, data, dedupe_key)
    with abuse.as_public(request):
        message = services.ingest(inbound)
    if message is None:  # a simultaneous double submit stored it first
        message = (
            Message.objects.select_related("thread").filter(dedupe_key=dedupe_key).first()
            if dedupe_key
            else None
        )
        if message is None:
            raise RuntimeError("ingest stored nothing")
    return _thanks(request, unit, message.thread, message)


def _inbound(
    unit: WorkUnit, spec: FormSpec, data: dict[str, Any], dedupe_key: str | None
) -> services.Inbound:
    if spec is HOAX:
        screenshot = data.get("screenshot")
        return services.Inbound(
            unit=unit,
            channel=Channel.PORTAL,
            kind=ThreadKind.HOAX_REPORT,
            body=data["claim"],
            handle=data.get("email") or "",
            name=data.get("name") or "",
            dedupe_key=dedupe_key,
            attachments=[screenshot.as_tuple()] if screenshot else [],
            claim_url=data.get("link") or "",
            seen_on=HoaxReportForm.seen_on_of(data),
        )
    attachment = data.get("attachment")
    return services.Inbound(
        unit=unit,
        channel=Channel.PORTAL,
        kind=data["kind"],
        body=data["message"],
        handle=data["email"],
        name=data["name"],
        phone=data.get("phone") or "",
        subject=data["subject"],
        dedupe_key=dedupe_key,
        attachments=[attachment.as_tuple()] if attachment else [],
    )


@abuse.guarded_form(MAX_BODY)
def contact_form(request: HttpRequest, code: str) -> HttpResponseBase:
    """``/satker/<code>/hubungi/``: a question, feedback or a complaint to the unit."""
    return _handle(request, code, CONTACT)


@abuse.guarded_form(MAX_BODY)
def hoax_form(request: HttpRequest, code: str) -> HttpResponseBase:
    """``/satker/<code>/lapor-hoaks/``: report a claim that may be a hoax."""
    return _handle(request, code, HOAX)
