"""Public pages of dissemination, in the portal's look: subscribing to a mailing list (double
opt-in), confirming, unsubscribing (one click, RFC 8058), tracked links, and the share
page of a manual package.

Like the portal, these pages never read the session (no ``request.user``; auditlog is
told the actor is nobody) and render without the staff context processors. Unlike the
portal pages they are never cached (``never_cache``): they carry a form, a token or a
state that must show at once.

CSRF:

* the subscribe form uses Django's CSRF protection (a cookie, not the session); the page
  is private anyway, since it also carries a signed time stamp (the time trap);
* the pages behind a signed token (confirm, both unsubscribe links) are ``csrf_exempt``:
  RFC 8058 has mail clients post the one-click unsubscribe without cookies, and a forged
  cross-site post could only do what the token in its URL allows, which whoever holds
  the token can do anyway. GET never changes anything there (mail scanners follow links);
  the change needs a POST from the page's button or the mail client.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from bakohumas.core import abuse
from bakohumas.core.models import WorkUnit
from bakohumas.dissemination import subscriptions
from bakohumas.dissemination.links import read_click_token, read_unsubscribe_token
from bakohumas.dissemination.models import (
    Delivery,
    MailingList,
    Metric,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
)
from bakohumas.portal.http import render_public
from bakohumas.portal.structured import PageMeta

# Subscribe-form abuse limits (the mechanisms are in ``core.abuse``).
RATE_LIMIT = 10  # posts per address (IP) and RATE_WINDOW
RATE_WINDOW = 3600
MIN_FORM_SECONDS = abuse.MIN_FORM_SECONDS
FORM_MAX_AGE = abuse.FORM_MAX_AGE
STAMP_SALT = "bakohumas.dissemination.subscribe-form"
HONEYPOT = abuse.HONEYPOT

GET_ONLY = ("GET", "HEAD")
GET_POST = ("GET", "HEAD", "POST")


# --- helpers ------------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The visitor's address as the login lockout sees it (django-axes' settings)."""
    return abuse.client_ip(request)


def _as_public(request: HttpRequest) -> AbstractContextManager[None]:
    """Audit entries written here name no actor (reading the user would load the session)
    but the visitor's address."""
    return abuse.as_public(request)


def _menu(unit: WorkUnit | None) -> list[dict[str, Any]]:
    if unit is None:
        return []
    from bakohumas.portal.views import _menu as portal_menu

    return portal_menu(unit, "")


def _page(
    request: HttpRequest,
    template: str,
    *,
    unit: WorkUnit | None,
    title: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    meta = PageMeta(title=title, path=request.path, noindex=True)
    response = render_public(
        request,
        template,
        {"unit": unit, "menu": _menu(unit), "meta": meta, "search_unit": unit, **context},
        status=status,
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def _notice(
    request: HttpRequest,
    *,
    title: str,
    text: str,
    unit: WorkUnit | None = None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    return _page(
        request,
        "dissemination/public/notice.html",
        unit=unit,
        title=title,
        status=status,
        heading=title,
        text=text,
        **context,
    )


def _not_allowed(allowed: tuple[str, ...]) -> HttpResponseBase:
    response = HttpResponseNotAllowed(list(allowed))
    add_never_cache_headers(response)
    return response


def _masked(address: str) -> str:
    """``w•••@example.id``: enough for the owner to recognise, little for anyone else."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address[:2] + "•••"
    return (local[:1] or "") + "•••@" + domain


# --- subscribe ----------------------------------------------------------------------------


def form_stamp(unit: WorkUnit, at: float | None = None) -> str:
    """The signed time the subscribe form was shown (the time trap)."""
    return abuse.form_stamp(unit, salt=STAMP_SALT, at=at)


def _over_rate_limit(ip: str) -> bool:
    return abuse.hit("subscribe-ip", ip, RATE_LIMIT, RATE_WINDOW)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Enter your email address."),
            "invalid": gettext_lazy("Enter a valid email address."),
        },
    )
    name = forms.CharField(label=gettext_lazy("Name (optional)"), max_length=200, required=False)
    mailing_list = forms.ModelChoiceField(
        label=gettext_lazy("List"),
        queryset=MailingList.objects.none(),
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Choose a list."),
            "invalid_choice": gettext_lazy("Choose one of the lists shown."),
        },
    )

    def __init__(self, *args: Any, lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mailing_list"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = lists


def _subscribe_page(
    request: HttpRequest,
    unit: WorkUnit,
    lists: list[MailingList],
    form: SubscribeForm,
    *,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    chosen = form.data.get("mailing_list") if form.is_bound else None
    if chosen is None and len(lists) == 1:
        chosen = str(lists[0].pk)
    return _page(
        request,
        "dissemination/public/subscribe.html",
        unit=unit,
        title=_("Subscribe by email"),
        status=status,
        form=form,
        lists=lists,
        chosen=str(chosen or ""),
        problem=problem,
        stamp=form_stamp(unit),
        honeypot=HONEYPOT,
        csrf_token=get_token(request),
    )


def subscribe(request: HttpRequest, unit_code: str) -> HttpResponseBase:
    """``/d/langganan/<unit>/``: the unit's public lists and the form to join one. The
    answer to a sent form is the same whatever the address."""
    if request.method not in GET_POST:
        return _not_allowed(GET_POST)
    from bakohumas.portal import selectors

    unit = selectors.get_unit(unit_code)
    queryset = MailingList.objects.filter(unit=unit, is_public=True).order_by("name", "id")
    lists = list(queryset)
    if request.method != "POST":
        return _subscribe_page(request, unit, lists, SubscribeForm(lists=queryset))
    ip = client_ip(request)
    if _over_rate_limit(ip):
        response = _notice(
            request,
            unit=unit,
            title=_("Too many requests"),
            text=_("This connection has sent the form too often. Please try again in an hour."),
            status=429,
        )
        response["Retry-After"] = str(RATE_WINDOW)
        return response
    form = SubscribeForm(request.POST, lists=queryset)
    sent = _notice(
        request,
        unit=unit,
        title=_("Check your mailbox"),
        text=_(
            "If the address can receive our mail, a message with a confirmation link is on "
            "its way to it. Your subscription starts when you open that link (it works for "
            "%(days)s days). No message? Check the spam folder, or send the form again."
        )
        % {"days": subscriptions.CONFIRM_MAX_AGE // 86400},
        back_url=reverse("portal:unit_home", args=[unit.code]),
        back_label=_("Back to %(unit)s") % {"unit": unit.name},
    )
    if request.POST.get(HONEYPOT):
        return sent  # a robot: it is told the same, nothing is done
    stamp = abuse.read_stamp(request.POST.get("ts", ""), unit, salt=STAMP_SALT)
    if stamp.state in (abuse.StampState.INVALID, abuse.StampState.EXPIRED):
        return _subscribe_page(
            request,
            unit,
            lists,
            form,
            status=400,
            problem=_("This form has expired. Please check it and send it again."),
        )
    if stamp.state is abuse.StampState.TOO_FAST:
        return _subscribe_page(
            request,
            unit,
            lists,
            form,
            status=400,
            problem=_("That was very quick. Please check the form and send it again."),
        )
    if not form.is_valid():
        return _subscribe_page(request, unit, lists, form, status=400)
    try:
        with _as_public(request):
            subscriptions.request(
                form.cleaned_data["mailing_list"],
                form.cleaned_data["email"],
                form.cleaned_data["name"],
                source="portal",
                ip=ip,
            )
    except ValidationError as exc:
        form.add_error("email", exc)
        return _subscribe_page(request, unit, lists, form, status=400)
    return sent


@csrf_exempt  # the signed token is the authority; see the module docstring
def confirm(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/d/langganan/konfirmasi/<token>/``: GET shows a button, POST confirms."""
    if request.method not in GET_POST:
        return _not_allowed(GET_POST)
    try:
        confirmation = subscriptions.read_confirmation_token(token)
    except subscriptions.TokenExpired as expired:
        unit = None
        if expired.confirmation is not None:
            unit = (
                WorkUnit.objects.filter(
                    mailing_lists__subscribers__pk=expired.confirmation.subscriber_id
                )
                .select_related("parent")
                .first()
            )
        return _notice(
            request,
            unit=unit,
            title=_("This link has expired"),
            text=_(
                "Confirmation links work for %(days)s days. Subscribe again to receive a new one."
            )
            % {"days": subscriptions.CONFIRM_MAX_AGE // 86400},
            status=410,
            back_url=reverse("dissemination_public:subscribe", args=[unit.code]) if unit else "",
            back_label=_("Subscribe again"),
        )
    if confirmation is None:
        return _notice(
            request,
            title=_("Link not valid"),
            text=_(
                "This confirmation link is not valid. Copy the whole link from the message, "
                "or subscribe again."
            ),
            status=404,
        )
    try:
        subscriber = subscriptions.subscriber_for(confirmation)
    except subscriptions.ConfirmError as exc:
        return _notice(request, title=_("Link not valid"), text=exc.message, status=exc.status)
    mailing_list = subscriber.mailing_list
    unit = mailing_list.unit
    if request.method == "POST":
        try:
            with _as_public(request):
                subscriber, _changed = subscriptions.confirm(confirmation, ip=client_ip(request))
        except subscriptions.ConfirmError as exc:
            return _notice(request, title=_("Link not valid"), text=exc.message, status=exc.status)
    if subscriber.status == SubscriberStatus.CONFIRMED:
        return _notice(
            request,
            unit=unit,
            title=_("Subscription confirmed"),
            text=_("%(address)s now receives “%(list)s” from %(unit)s. Thank you!")
            % {"address": _masked(subscriber.email), "list": mailing_list.name, "unit": unit.name},
            back_url=reverse("portal:unit_home", args=[unit.code]),
            back_label=_("Back to %(unit)s") % {"unit": unit.name},
        )
    return _notice(
        request,
        unit=unit,
        title=_("Confirm your subscription"),
        text=_("Subscribe %(address)s to “%(list)s” from %(unit)s?")
        % {"address": _masked(subscriber.email), "list": mailing_list.name, "unit": unit.name},
        action_url=request.path,
        action_label=_("Yes, subscribe me"),
    )


# --- unsubscribe --------------------------------------------------------------------------


def _unsubscribed_page(request: HttpRequest, unit: WorkUnit, what: str) -> HttpResponse:
    return _notice(
        request,
        unit=unit,
        title=_("You are unsubscribed"),
        text=what + " " + _("You will not receive these messages any more."),
        back_url=reverse("portal:unit_home", args=[unit.code]),
        back_label=_("Back to %(unit)s") % {"unit": unit.name},
    )


def _bad_unsubscribe_link(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        title=_("Link not valid"),
        text=_(
            "This unsubscribe link is not valid. Copy the whole link from the message, or "
            "reply to the message and ask to be removed."
        ),
        status=404,
    )


@csrf_exempt  # RFC 8058: the mail client posts without cookies
def unsubscribe(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/d/berhenti/<token>/``: the one-click unsubscribe link of a campaign message
    (``List-Unsubscribe``). GET shows a button; POST (the button, or the mail client's
    ``List-Unsubscribe=One-Click``) unsubscribes. Idempotent."""
    if request.method not in GET_POST:
        return _not_allowed(GET_POST)
    delivery_id = read_unsubscribe_token(token)
    delivery = (
        Delivery.objects.select_related(
            "publication__unit__parent", "subscriber__mailing_list", "contact"
        )
        .filter(pk=delivery_id)
        .first()
        if delivery_id is not None
        else None
    )
    if delivery is None:
        return _bad_unsubscribe_link(request)
    unit = delivery.publication.unit
    if delivery.subscriber is not None:
        what = _("%(address)s is off the list “%(list)s” of %(unit)s.") % {
            "address": _masked(delivery.recipient),
            "list": delivery.subscriber.mailing_list.name,
            "unit": unit.name,
        }
        question = _("Unsubscribe %(address)s from the list “%(list)s” of %(unit)s?") % {
            "address": _masked(delivery.recipient),
            "list": delivery.subscriber.mailing_list.name,
            "unit": unit.name,
        }
    else:
        what = _("%(address)s receives no more campaign email from Bakohumas.") % {
            "address": _masked(delivery.recipient)
        }
        question = _("Stop all campaign email from Bakohumas to %(address)s?") % {
            "address": _masked(delivery.recipient)
        }
    if request.method == "POST":
        with _as_public(request):
            subscriptions.unsubscribe_delivery(delivery)
        return _unsubscribed_page(request, unit, what)
    if subscriptions.is_unsubscribed(delivery):
        return _unsubscribed_page(request, unit, what)
    return _notice(
        request,
        unit=unit,
        title=_("Unsubscribe"),
        text=question,
        action_url=request.path,
        action_label=_("Unsubscribe"),
        one_click=True,
    )


@csrf_exempt  # the token is the authority (and mail clients post without cookies)
def unsubscribe_subscriber(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/d/berhenti-langganan/<subscriber token>/``: leave a list (the link of the
    confirmation email and of list footers). GET shows a button; POST unsubscribes."""
    if request.method not in GET_POST:
        return _not_allowed(GET_POST)
    subscriber = (
        Subscriber.objects.select_related("mailing_list__unit__parent").filter(token=token).first()
        if token
        else None
    )
    if subscriber is None:
        return _bad_unsubscribe_link(request)
    mailing_list = subscriber.mailing_list
    unit = mailing_list.unit
    names = {"address": _masked(subscriber.email), "list": mailing_list.name, "unit": unit.name}
    what = _("%(address)s is off the list “%(list)s” of %(unit)s.") % names
    if request.method == "POST":
        with _as_public(request):
            subscriptions.unsubscribe(subscriber)
        return _unsubscribed_page(request, unit, what)
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return _unsubscribed_page(request, unit, what)
    return _notice(
        request,
        unit=unit,
        title=_("Unsubscribe"),
        text=_("Unsubscribe %(address)s from the list “%(list)s” of %(unit)s?") % names,
        action_url=request.path,
        action_label=_("Unsubscribe"),
        one_click=True,
    )


# --- tracked links ------------------------------------------------------------------------


def _count_click(delivery_id: int) -> None:
    publication_id = (
        Delivery.objects.filter(pk=delivery_id).values_list("publication_id", flat=True).first()
    )
    if publication_id is None:
        return
    Delivery.objects.filter(pk=delivery_id, clicked_at__isnull=True).update(
        clicked_at=timezone.now()
    )
    if Metric.objects.filter(publication_id=publication_id).update(clicks=F("clicks") + 1):
        return
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic():
            Metric.objects.create(
                publication_id=publication_id, clicks=1, source=Metric.Source.TRACKING
            )
    except IntegrityError:  # created by a simultaneous click
        Metric.objects.filter(publication_id=publication_id).update(clicks=F("clicks") + 1)


def click(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/d/t/<token>/``: count the click of a tracked link, then go to the address signed
    into the token (and only there: no open redirect)."""
    if request.method not in GET_ONLY:
        return _not_allowed(GET_ONLY)
    value = read_click_token(token)
    if value is None:
        return _notice(
            request,
            title=_("Link not valid"),
            text=_("This link is not valid. Copy the whole link from the message."),
            status=404,
        )
    delivery_id, url = value
    if request.method == "GET":
        _count_click(delivery_id)
    response = HttpResponseRedirect(url)
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- share page ---------------------------------------------------------------------------


def _media_rows(media: Any) -> list[dict[str, Any]]:
    rows = []
    for entry in media or []:
        if isinstance(entry, tuple | list):
            name, url, size = [*entry, "", "", 0][:3]
        else:
            name, url, size = (
                getattr(entry, "name", ""),
                getattr(entry, "url", ""),
                getattr(entry, "size", 0),
            )
        rows.append(
            {
                "name": name,
                "url": url,
                "size": size,
                "rendition": getattr(entry, "rendition", ""),
            }
        )
    return rows


def share(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/d/bagikan/<share token>/``: the ready-to-share package of a manual publication
    (the text for WhatsApp, the link, the media) while its item is approved or published
    and the publication is not cancelled (410 otherwise)."""
    if request.method not in GET_ONLY:
        return _not_allowed(GET_ONLY)
    from urllib.parse import quote

    from bakohumas.dissemination.engine import PLANNABLE_ITEM_STATUSES
    from bakohumas.dissemination.package import build_package

    publication = (
        Publication.objects.select_related("item__unit", "unit__parent")
        .filter(share_token=token)
        .first()
        if token
        else None
    )
    if publication is None:
        return _notice(
            request,
            title=_("Link not valid"),
            text=_("There is no package to share at this address."),
            status=404,
        )
    unit = publication.unit
    if (
        publication.status == PublicationStatus.CANCELLED
        or publication.item.status not in PLANNABLE_ITEM_STATUSES
    ):
        return _notice(
            request,
            unit=unit,
            title=_("No longer available"),
            text=_(
                "This package can no longer be shared: the publication was cancelled or the "
                "content was withdrawn."
            ),
            status=410,
        )
    package = build_package(publication)
    return _page(
        request,
        "dissemination/public/share.html",
        unit=unit,
        title=_("Share: %(title)s") % {"title": publication.item.title},
        publication=publication,
        item=publication.item,
        text=package.whatsapp_text,
        link=package.link,
        media=_media_rows(package.media),
        whatsapp_url="https://wa.me/?text=" + quote(package.whatsapp_text, safe=""),
    )
