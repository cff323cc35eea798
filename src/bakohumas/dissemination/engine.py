"""The dissemination engine: plan, dispatch, claim, send, record, sweep.

Guarantees (docs/architecture.md, "Dissemination"):

* **Approved content only.** A publication can only be planned for an approved item whose
  content still matches its approval, and the match (the SHA-256 of the content) is checked
  again when it is dispatched and before every batch is sent.
* **One delivery row per (publication, recipient)**, written in the same transaction that
  moves the publication to *sending*; a unique constraint makes a second row impossible.
* **Claims under a lease.** A worker claims a batch of ready rows (``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``), sends each
  with the row's key as idempotency key (the email Message-ID), and records the outcome of
  each row as soon as the platform answered. A worker that dies leaves rows *sending* with
  an expired lease; the sweeper gives them back, and they go out again with the same key.
* **Retries**: transient errors back off exponentially with jitter up to
  ``DELIVERY_MAX_ATTEMPTS``; a 429's ``Retry-After`` holds the whole account; permanent
  errors stop with the reason; refused credentials pause the publication and mark the
  account "reconnect".
* **Consent**: a recipient without consent for the channel, unsubscribed or suppressed
  (hard bounce) gets a *skipped* row with the reason and is never sent anything; every
  sent row names the consent it relied on.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import close_old_connections, connection, transaction
from django.db.models import CharField, Count, F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bakohumas.content.channels import check_variant, compose
from bakohumas.content.models import ContentItem, Status
from bakohumas.core.scoping import can_see_unit
from bakohumas.dissemination.adapters.base import (
    Adapter,
    AdapterError,
    MediaFile,
    PermanentError,
    Prepared,
    ReconnectRequired,
    TransientError,
    adapter_class,
)
from bakohumas.dissemination.links import absolute, with_utm
from bakohumas.dissemination.models import (
    ACCOUNT_KINDS,
    AUDIENCE_KINDS,
    HAND_POSTABLE_KINDS,
    MANUAL_KINDS,
    OPEN_PUBLICATION_STATUSES,
    SUCCESS_DELIVERY,
    AccountStatus,
    ChannelAccount,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    Evidence,
    MailingList,
    Metric,
    Notification,
    Publication,
    PublicationStatus,
    Subscriber,
    SubscriberStatus,
    Suppression,
)

logger = logging.getLogger(__name__)

PLANNABLE_ITEM_STATUSES = {Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED}
ENQUEUE_BATCH = 5000


# --- permissions -------------------------------------------------------------------------


def _require(user: Any, perm: str, unit_id: int) -> None:
    if user is None:
        return
    if not user.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))
    if not can_see_unit(user, unit_id):
        raise PermissionDenied(_("This belongs to a unit outside your scope."))


# --- the message ----------------------------------------------------------------------------


def item_url(item: ContentItem) -> str:
    from django.urls import reverse

    return absolute(reverse("portal:item", args=[item.unit.code, item.slug]))


def _media_of(item: ContentItem) -> list[MediaFile]:
    files: list[MediaFile] = []
    for link in item.media_links.select_related("asset").order_by("position", "id"):
        asset = link.asset
        path = None
        try:
            path_str = asset.file.path
        except (NotImplementedError, ValueError):
            path_str = ""
        if path_str:
            from pathlib import Path

            path = Path(path_str)
        files.append(
            MediaFile(
                path=path,
                url=absolute(asset.file.url) if asset.file else "",
                mime_type=asset.mime_type,
                kind=asset.kind,
                size=asset.size,
                name=asset.original_name or asset.file.name.rsplit("/", 1)[-1],
                alt_text=getattr(asset, "alt_text", "") or "",
            )
        )
    return files


def portal_link(publication: Publication) -> str:
    """The item's portal address with the UTM tags of this publication's channel."""
    item = publication.item
    kind = publication.kind
    return with_utm(
        item_url(item),
        source=kind,
        medium="email" if kind == ChannelKind.EMAIL else "social",
        campaign=f"{item.unit.code}-{item.pk}",
    )


def prepare(publication: Publication) -> Prepared:
    """The generic message of a publication: its channel variant (or the title, summary and
    link when the item has none), the portal link with UTM tags, the body and the media."""
    item = publication.item
    link = portal_link(publication)
    variant = item.variants.filter(channel=publication.variant_channel).first()
    if variant is not None:
        text = compose(variant.text, variant.hashtags, variant.link or link)
    else:
        text = compose("\n\n".join(p for p in (item.title, item.summary) if p), "", link)
    return Prepared(
        title=item.title,
        text=text,
        link=link,
        summary=item.summary,
        html=item.body,
        media=_media_of(item),
    )


def adapter_for(publication: Publication) -> Adapter:
    cls = adapter_class(publication.kind)
    if cls is None:
        raise PermanentError(_("No adapter sends to %s.") % publication.get_kind_display())
    return cls(publication.account)


def problems_of(publication: Publication) -> list[str]:
    """What stops this publication: the item's approval, the variant's limits (measured on
    the text as it will go out, with the portal link the engine adds), the account, the
    audience, the platform's media rules."""
    from bakohumas.content.services import compute_hash

    item = publication.item
    problems: list[str] = []
    if item.status not in PLANNABLE_ITEM_STATUSES:
        problems.append(
            _("Only approved content can be disseminated (this item is %s).")
            % item.get_status_display()
        )
        return problems
    if (
        not item.approved_hash
        or item.approved_hash != item.content_hash
        or compute_hash(item) != item.approved_hash
    ):
        problems.append(_("The content changed after approval; validate it again first."))
        return problems
    variant = item.variants.filter(channel=publication.variant_channel).first()
    if variant is not None:
        check = check_variant(
            variant.channel,
            variant.text,
            variant.hashtags,
            variant.link or portal_link(publication),
            title=item.title,
        )
        problems.extend(str(e) for e in check.errors)
        if check.errors and not variant.link:
            problems.append(_("The count includes the link to the item on the portal."))
    if publication.kind in ACCOUNT_KINDS and not publication.manual:
        account = publication.account
        if account is None:
            problems.append(_("Choose the account to publish with."))
        elif account.kind != publication.kind:
            problems.append(_("That account is not a %s account.") % publication.get_kind_display())
        elif account.unit_id != publication.unit_id:
            problems.append(_("That account belongs to another unit."))
        elif account.status == AccountStatus.RECONNECT:
            problems.append(
                _("Reconnect the account %s first: its credentials were refused.") % account.name
            )
        elif account.status == AccountStatus.DISABLED:
            problems.append(_("The account %s is disabled.") % account.name)
    mailing_list = publication.mailing_list if publication.mailing_list_id else None
    if mailing_list is not None and publication.kind != ChannelKind.EMAIL:
        problems.append(_("A mailing list can only receive an email campaign."))
    if publication.kind in AUDIENCE_KINDS:
        if not (mailing_list or publication.group_id or publication.segment):
            problems.append(_("Choose who receives it: a mailing list, a group or a segment."))
        if mailing_list is not None and mailing_list.unit_id != publication.unit_id:
            problems.append(_("That mailing list belongs to another unit."))
    if publication.kind == ChannelKind.WHATSAPP and not publication.template_name:
        problems.append(
            _(
                "WhatsApp broadcasts need an approved message template (the Cloud API only sends "
                "free text inside a conversation the contact opened)."
            )
        )
    if publication.is_manual and publication.responsible_id is None:
        problems.append(_("Name the person who will share it and record the evidence."))
    if not problems and not publication.is_manual:
        try:
            adapter = adapter_for(publication)
            prepared = adapter.prepare(publication, prepare(publication))
            problems.extend(adapter.validate(publication, prepared))
        except AdapterError as exc:
            problems.append(exc.reason)
    return problems


# --- planning ------------------------------------------------------------------------------


@dataclass
class PlanInput:
    kind: str
    account_id: int | None = None
    mailing_list_id: int | None = None
    group_id: int | None = None
    segment: dict[str, Any] | None = None
    target: str = ""
    scheduled_at: datetime | None = None
    responsible_id: int | None = None
    template_name: str = ""
    template_language: str = ""
    manual: bool = False  # a platform posted on by hand (HAND_POSTABLE_KINDS)


def clean_segment(value: Any) -> dict[str, list[str]]:
    """A segment as stored: ``{"categories": [...], "tags": [...]}`` with known categories,
    non-empty lists only. Raises ``ValidationError`` for anything else (a segment that
    selects nothing specific would address every contact of the unit)."""
    from bakohumas.stakeholders.models import Category

    message = _("A segment is a list of stakeholder categories and a list of tags.")
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict) or not set(value) <= {"categories", "tags"}:
        raise ValidationError({"segment": [message]})
    out: dict[str, list[str]] = {}
    for key in ("categories", "tags"):
        items = value.get(key) or []
        if not isinstance(items, list) or not all(
            isinstance(x, str) and 0 < len(x.strip()) <= 64 and "\x00" not in x for x in items
        ):
            raise ValidationError({"segment": [message]})
        names = sorted({x.strip() for x in items})
        if key == "categories":
            unknown = [c for c in names if c not in Category.values]
            if unknown:
                raise ValidationError(
                    {"segment": [_("Unknown stakeholder category: %s.") % ", ".join(unknown)]}
                )
        if names:
            out[key] = names
    if not out:
        raise ValidationError(
            {"segment": [_("Choose at least one stakeholder category or tag for the segment.")]}
        )
    return out


def plan(item: ContentItem, data: PlanInput, *, by: Any) -> Publication:
    """Add a publication to an approved item's plan. Raises ``ValidationError`` with every
    problem found, or ``PermissionDenied``; nothing is written then."""
    _require(by, "dissemination.add_publication", item.unit_id)
    # The caller's copy may be stale: the rules apply to the item as it is now.
    item = ContentItem.objects.select_related("unit").get(pk=item.pk)
    if data.kind not in ChannelKind.values:
        raise ValidationError({"kind": [_("Unknown channel.")]})
    kind = ChannelKind(data.kind)
    manual = bool(data.manual) and kind not in MANUAL_KINDS
    if manual and kind not in HAND_POSTABLE_KINDS:
        raise ValidationError(
            {"manual": [_("Only a social media platform can be posted on by hand.")]}
        )
    segment = clean_segment(data.segment)
    target = (data.target or "").strip()
    if "\x00" in target or len(target) > 300:
        raise ValidationError({"target": [_("Give a destination of at most 300 characters.")]})
    template_name = (data.template_name or "").strip()
    template_language = (data.template_language or "").strip()
    if len(template_name) > 200 or len(template_language) > 16 or "\x00" in template_name:
        raise ValidationError({"template_name": [_("Give a template name and a language code.")]})
    scheduled_at = data.scheduled_at or timezone.now()
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at, item.unit.zone)
    publication = Publication(
        item=item,
        unit_id=item.unit_id,
        kind=kind,
        # Only platform channels publish through an account; the others ignore one.
        account_id=data.account_id if kind in ACCOUNT_KINDS and not manual else None,
        manual=manual,
        mailing_list_id=data.mailing_list_id,
        group_id=data.group_id,
        segment=segment,
        target=target,
        scheduled_at=scheduled_at,
        responsible_id=data.responsible_id
        or (getattr(by, "pk", None) if kind in MANUAL_KINDS or manual else None),
        template_name=template_name if kind == ChannelKind.WHATSAPP else "",
        template_language=(template_language or "id") if kind == ChannelKind.WHATSAPP else "",
        approved_hash=item.approved_hash,
        created_by=by,
    )
    errors: dict[str, list[str]] = {}
    for field, value, model in (
        ("account_id", publication.account_id, ChannelAccount),
        ("mailing_list_id", data.mailing_list_id, MailingList),
    ):
        if value is not None and not model.objects.filter(pk=value).exists():
            errors.setdefault(field, []).append(_("Not found."))
    if data.group_id is not None:
        from bakohumas.stakeholders.models import CommunicationGroup

        group = CommunicationGroup.objects.filter(pk=data.group_id).first()
        if group is None:
            errors.setdefault("group_id", []).append(_("Not found."))
        elif group.unit_id != item.unit_id:
            errors.setdefault("group_id", []).append(_("That group belongs to another unit."))
    if data.responsible_id is not None:
        from django.contrib.auth import get_user_model

        person = get_user_model().objects.filter(pk=data.responsible_id, is_active=True).first()
        if person is None or not can_see_unit(person, item.unit_id):
            errors.setdefault("responsible_id", []).append(
                _("Choose an active staff member of this unit.")
            )
    if errors:
        raise ValidationError(errors)
    problems = problems_of(publication)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        publication.save()
        _enqueue_dispatch(publication)
    return publication


def _enqueue_dispatch(publication: Publication) -> None:
    from bakohumas.dissemination import tasks

    pk, when = publication.pk, publication.scheduled_at

    def enqueue() -> None:
        task = tasks.dispatch_publication
        try:
            if task.get_backend().supports_defer:
                task = task.using(run_after=when)
            task.enqueue(pk)
        except Exception:  # the sweep dispatches it anyway
            logger.warning("Could not enqueue the dispatch of publication %s", pk, exc_info=True)

    transaction.on_commit(enqueue)


# --- recipients ------------------------------------------------------------------------------


@dataclass
class Recipient:
    address: str
    name: str = ""
    contact_id: int | None = None
    subscriber_id: int | None = None
    consent_ref: str = ""
    skip_reason: str = ""


# The common address shape, a strict subset of what Django's validator accepts: matching it
# spares the validator's cost (a large list is checked address by address at dispatch).
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def _normal_email(value: str) -> str | None:
    value = (value or "").strip()
    if len(value) > 254:
        return None
    if not _PLAIN_EMAIL.fullmatch(value):
        try:
            validate_email(value)
        except ValidationError:
            return None
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _normal_phone(value: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse((value or "").strip(), "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def _address_key(address: str) -> str:
    """How addresses compare: emails case-insensitively, phone numbers without the "+"."""
    return address.strip().lower().lstrip("+")


def recipients(publication: Publication) -> Iterator[Recipient]:
    """Everyone the publication addresses, each with the consent it relies on or the
    reason it is skipped. Duplicated addresses come once: a mailing-list subscription
    first; among stakeholder contacts sharing an address, a withdrawn consent wins over a
    granted one, which wins over none."""
    seen: set[str] = set()
    suppressed = {_address_key(a) for a in Suppression.objects.values_list("address", flat=True)}
    email = publication.kind == ChannelKind.EMAIL
    channel = "email" if email else "whatsapp"

    def checked(rec: Recipient, key: str) -> Recipient:
        if not rec.skip_reason and key in suppressed:
            rec.skip_reason = gettext_noop("Suppressed (hard bounce or unsubscribed).")
            rec.consent_ref = ""
        return rec

    if publication.mailing_list_id and email:
        # The confirmation time as text (its UTC date is the first ten characters): no
        # datetime to build per subscriber.
        subscribers = (
            Subscriber.objects.filter(
                mailing_list_id=publication.mailing_list_id, status=SubscriberStatus.CONFIRMED
            )
            .annotate(confirmed=Cast("confirmed_at", CharField()))
            .values_list("pk", "email", "name", "contact_id", "confirmed", "consent_source")
        )
        for pk, address, name, contact_id, confirmed, source in subscribers.iterator(5000):
            normal = _normal_email(address)
            if normal is None:
                rec = Recipient(
                    address[:254] or f"subscriber:{pk}",
                    name,
                    contact_id,
                    pk,
                    skip_reason=gettext_noop("Invalid email address."),
                )
            else:
                when = confirmed[:10] if confirmed else "?"
                ref = f"subscription:{pk} confirmed {when}" + (f" ({source})" if source else "")
                rec = Recipient(normal, name, contact_id, pk, ref[:300])
            key = _address_key(rec.address)
            if key not in seen:
                seen.add(key)
                yield checked(rec, key)
    contacts = _segment_contacts(publication)
    if contacts is None:
        return
    from bakohumas.stakeholders.models import ConsentStatus, ContactConsent

    consents = {
        c[0]: c
        for c in ContactConsent.objects.filter(
            contact__in=contacts.values("pk"), channel=channel
        ).values_list("contact_id", "pk", "status", "given_at", "method")
    }
    field = "email" if email else "whatsapp"
    chosen: dict[str, tuple[int, Recipient]] = {}
    for pk, name, value, phone in contacts.values_list("pk", "name", field, "phone").iterator(5000):
        raw = value or ("" if email else phone)
        normal = _normal_email(raw) if email else _normal_phone(raw)
        rank = 0
        if normal is None:
            reason = (
                gettext_noop("No email address.")
                if email and not raw
                else gettext_noop("Invalid email address.")
                if email
                else gettext_noop("No WhatsApp number.")
                if not raw
                else gettext_noop("Invalid WhatsApp number.")
            )
            rec = Recipient(f"contact:{pk}", name, pk, skip_reason=reason)
        else:
            consent = consents.get(pk)
            if consent is None:
                rec = Recipient(
                    normal, name, pk, skip_reason=gettext_noop("No consent for this channel.")
                )
            elif consent[2] != ConsentStatus.GRANTED:
                rank = 2
                rec = Recipient(
                    normal,
                    name,
                    pk,
                    skip_reason=gettext_noop("Consent withdrawn for this channel."),
                )
            else:
                rank = 1
                when = consent[3].date().isoformat() if consent[3] else "?"
                ref = f"consent:{consent[1]} {channel} granted {when} ({consent[4]})"
                rec = Recipient(normal, name, pk, consent_ref=ref[:300])
        key = _address_key(rec.address)
        if key in seen:
            continue
        if key not in chosen or chosen[key][0] < rank:
            chosen[key] = (rank, rec)
    for key, (_rank, rec) in chosen.items():
        yield checked(rec, key)


def _segment_contacts(publication: Publication) -> Any:
    from bakohumas.stakeholders.models import Contact

    if not (publication.group_id or publication.segment):
        return None
    qs = Contact.objects.filter(is_active=True, merged_into__isnull=True)
    if publication.group_id:
        qs = qs.filter(group_memberships__group_id=publication.group_id)
    else:
        qs = qs.filter(unit_id=publication.unit_id)
        categories = publication.segment.get("categories") or []
        tags = publication.segment.get("tags") or []
        if categories:
            qs = qs.filter(organisation__category__in=categories)
        if tags:
            qs = qs.filter(Q(tags__name__in=tags) | Q(organisation__tags__name__in=tags))
    return qs.distinct().order_by("pk")


# --- dispatch ---------------------------------------------------------------------------------


def dispatch(publication_id: int, *, now: datetime | None = None) -> bool:
    """Planned → sending (rows written), awaiting evidence (manual) or done (website).
    Does nothing for a publication not yet due or no longer planned (a late or repeated
    task is harmless). The approval is checked again here."""
    now = now or timezone.now()
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .filter(pk=publication_id, status=PublicationStatus.PLANNED, scheduled_at__lte=now)
            .first()
        )
        if publication is None:
            return False
        problems = _send_time_problems(publication)
        account = publication.account if publication.account_id else None
        if account is not None and account.status == AccountStatus.DISABLED:
            problems.append(_("The account %s is disabled.") % account.name)
        if problems:
            _fail(publication, " ".join(problems))
            return True
        publication.started_at = now
        if publication.kind == ChannelKind.WEBSITE:
            _publish_on_portal(publication)
        elif publication.is_manual:
            publication.status = PublicationStatus.AWAITING_EVIDENCE
            publication.save(update_fields=["status", "started_at"])
            if publication.responsible is not None:
                notify(
                    publication.responsible,
                    _("Share “%(title)s” on %(channel)s and record the evidence.")
                    % {"title": publication.item.title, "channel": publication.get_kind_display()},
                    url=_publication_path(publication),
                )
        else:
            _write_rows(publication, now)
            if account is not None and account.status == AccountStatus.RECONNECT:
                _hold_for_reconnect(publication, account.status_detail)
    return True


def _send_time_problems(publication: Publication) -> list[str]:
    """The approval check made at dispatch and before every batch: the item is still
    approved (or published) and its content hashes to what was approved at planning."""
    from bakohumas.content.services import compute_hash

    item = ContentItem.objects.select_related("unit").get(pk=publication.item_id)
    publication.item = item
    if item.status not in PLANNABLE_ITEM_STATUSES:
        return [_("The item is no longer approved (it is %s).") % item.get_status_display()]
    if (
        not item.approved_hash
        or item.approved_hash != publication.approved_hash
        or compute_hash(item) != item.approved_hash
    ):
        return [_("The content changed after approval; it was not sent.")]
    return []


def _publish_on_portal(publication: Publication) -> None:
    from bakohumas.content import services as content_services

    item = publication.item
    if item.status != Status.PUBLISHED:
        try:
            with transaction.atomic():
                content_services.publish_for_dissemination(item)
        except ValidationError as exc:
            _fail(publication, " ".join(exc.messages))
            return
    publication.status = PublicationStatus.DONE
    publication.finished_at = timezone.now()
    publication.external_url = item_url(item)
    publication.save(update_fields=["status", "started_at", "finished_at", "external_url"])
    _notify_outcome(publication)


class _RowWriter:
    """Inserts delivery rows in bulk: one prepared ``INSERT`` executed for many rows
    (``executemany``; psycopg pipelines it, SQLite steps one prepared statement), so the
    number of statements does not grow with the 999-variable limit Django's
    ``bulk_create`` observes on SQLite. Every column takes its model default, computed
    once, except the few that differ per recipient (which come first)."""

    VARIABLE = (
        "recipient",
        "recipient_name",
        "contact_id",
        "subscriber_id",
        "consent_ref",
        "status",
        "error",
        "key",
    )

    def __init__(self, publication: Publication, now: datetime) -> None:
        template = Delivery(publication=publication, next_attempt_at=now)
        by_name = {f.attname: f for f in Delivery._meta.concrete_fields if not f.primary_key}
        variable = [by_name.pop(name) for name in self.VARIABLE]
        constant = list(by_name.values())
        self.tail = tuple(
            f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in constant
        )
        quote = connection.ops.quote_name
        # Table and column names come from the model, quoted; values are parameters.
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(Delivery._meta.db_table),
            ", ".join(quote(f.column) for f in variable + constant),
            ", ".join(["%s"] * (len(variable) + len(constant))),
        )
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(Delivery._meta.db_table), ", ".join(quote(f.column) for f in variable + constant)
        )
        self.pending: list[tuple[Any, ...]] = []
        # RFC 9562 version 7 layout: milliseconds, version, 12 bits, variant, 62 bits.
        self.prefix = (int(time.time() * 1000) << 80) | (0x7 << 76) | (0x2 << 62)
        self.sequence = 0

    def next_key(self) -> str:
        """A key ordered by dispatch and position, so the unique index grows at its end
        instead of splitting pages all over: a version 7 UUID (RFC 9562) whose random
        fields carry a 32-bit sequence number and 42 random bits. As 32 hex digits, which
        both databases take for a UUID column."""
        self.sequence += 1
        seq = self.sequence & 0xFFFFFFFF
        value = (
            self.prefix
            | (seq >> 20) << 64
            | (seq & 0xFFFFF) << 42
            | int.from_bytes(os.urandom(6), "big") >> 6
        )
        return f"{value:032x}"

    def add(self, rec: Recipient) -> None:
        key = self.next_key()
        self.pending.append(
            (
                rec.address[:254],
                rec.name[:200],
                rec.contact_id,
                rec.subscriber_id,
                rec.consent_ref[:300],
                _SKIPPED if rec.skip_reason else _PENDING,
                rec.skip_reason[:500],
                key,
                *self.tail,
            )
        )
        if len(self.pending) >= ENQUEUE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: one statement streaming the rows (psycopg's executemany would cost
                # a round trip per row through Django's client-side-binding cursor).
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in self.pending:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.pending)
        self.pending = []


_PENDING = str(DeliveryStatus.PENDING.value)
_SKIPPED = str(DeliveryStatus.SKIPPED.value)


def _write_rows(publication: Publication, now: datetime) -> None:
    total = skipped = 0
    if publication.kind in AUDIENCE_KINDS:
        source: Iterator[Recipient] = recipients(publication)
    else:
        account = publication.account
        destination = str((account.config or {}).get("destination", "")) if account else ""
        source = iter([Recipient(destination or publication.kind, publication.target)])
    writer = _RowWriter(publication, now)
    for rec in source:
        total += 1
        skipped += bool(rec.skip_reason)
        writer.add(rec)
    writer.flush()
    publication.total = total
    publication.skipped = skipped
    publication.status = PublicationStatus.SENDING
    publication.save(update_fields=["status", "started_at", "total", "skipped"])
    if total == skipped:
        _finish(publication)


def _fail(publication: Publication, reason: str) -> None:
    """The publication failed as a whole: its open rows are cancelled (and taken from the
    worker holding them, whose further writes their lease token no longer matches)."""
    publication.status = PublicationStatus.FAILED
    publication.error = reason
    publication.finished_at = timezone.now()
    publication.save(update_fields=["status", "error", "finished_at", "started_at"])
    Delivery.objects.filter(
        publication=publication, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).update(status=DeliveryStatus.CANCELLED, error=reason[:500], lease_owner="", lease_until=None)
    _notify_outcome(publication)


def _finish(publication: Publication) -> None:
    """All rows ended: done (a campaign that reached someone, a post that was sent) or
    failed (a post that failed, a campaign of which no message got out)."""
    data = counts(publication)
    if data[DeliveryStatus.PENDING] or data[DeliveryStatus.SENDING]:
        return
    publication.finished_at = timezone.now()
    if publication.kind not in AUDIENCE_KINDS:
        row = publication.deliveries.first()
        if row is not None and row.status in SUCCESS_DELIVERY:
            publication.status = PublicationStatus.DONE
            publication.external_id = row.provider_id
        else:
            publication.status = PublicationStatus.FAILED
            publication.error = (
                row.error if row is not None and row.error else _("Nothing was sent.")
            )
    else:
        went_out = sum(data[s] for s in SUCCESS_DELIVERY) + data[DeliveryStatus.BOUNCED]
        if not went_out and data[DeliveryStatus.FAILED]:
            publication.status = PublicationStatus.FAILED
            publication.error = _("None of the %(n)s messages could be sent.") % {
                "n": data[DeliveryStatus.FAILED]
            }
        else:
            publication.status = PublicationStatus.DONE
    publication.save(
        update_fields=["status", "finished_at", "external_id", "external_url", "error"]
    )
    _notify_outcome(publication)


def counts(publication: Publication) -> dict[str, int]:
    """The number of rows in each delivery status (every status present, 0 or more)."""
    data = dict(
        publication.deliveries.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: data.get(status, 0) for status in DeliveryStatus.values}


def dispatch_due(now: datetime | None = None, limit: int = 100) -> int:
    now = now or timezone.now()
    ids = list(
        Publication.objects.filter(status=PublicationStatus.PLANNED, scheduled_at__lte=now)
        .order_by("scheduled_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        try:
            done += dispatch(pk, now=now)
        except Exception:
            logger.exception("Dispatching publication %s failed", pk)
    return done


# --- claiming and sending ---------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def ready_publication(now: datetime | None = None) -> int | None:
    """The publication whose ready row waited longest (rows of paused, cancelled or
    throttled publications are left alone)."""
    now = now or timezone.now()
    return (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            publication__status=PublicationStatus.SENDING,
        )
        .filter(
            Q(publication__account__isnull=True)
            | Q(publication__account__paused_until__isnull=True)
            | Q(publication__account__paused_until__lte=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("publication_id", flat=True)
        .first()
    )


def ready_ids(publication_id: int, limit: int, now: datetime) -> list[int]:
    """Up to ``limit`` ready rows of a publication, locked (``SKIP LOCKED``: rows another
    worker is claiming right now are passed over) on PostgreSQL."""
    return list(
        Delivery.objects.filter(
            publication_id=publication_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
        )
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:limit]
    )


def take(ids: list[int], token: str, now: datetime) -> list[Delivery]:
    """Lease the rows of ``ids`` that are still pending to ``token`` and return those it
    got. The ``status = pending`` guard of the UPDATE is what makes a claim exclusive: of
    two workers that chose the same rows, the second updates none of them."""
    if not ids:
        return []
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING,
        lease_owner=token,
        lease_until=now + _lease(),
        attempts=F("attempts") + 1,
    )
    return list(
        Delivery.objects.filter(pk__in=ids, lease_owner=token, status=DeliveryStatus.SENDING)
    )


def lease_token(worker: str) -> str:
    return f"{worker[:48]}:{uuid.uuid4().hex[:12]}"


def claim(worker: str, limit: int | None = None, *, now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``limit`` ready rows of one publication for ``worker`` (a fresh lease
    token per claim)."""
    limit = limit or settings.DELIVERY_BATCH
    now = now or timezone.now()
    publication_id = ready_publication(now)
    if publication_id is None:
        return []
    with transaction.atomic():
        return take(ready_ids(publication_id, limit, now), lease_token(worker), now)


def release_expired(now: datetime | None = None) -> int:
    """Give back rows whose worker died (lease over): they go out again with the same key.
    Rows of a publication that ended meanwhile are cancelled; a row whose worker died
    ``DELIVERY_MAX_ATTEMPTS`` times fails (it may be what kills the worker)."""
    now = now or timezone.now()
    expired = Delivery.objects.filter(status=DeliveryStatus.SENDING, lease_until__lt=now)
    expired.filter(
        publication__status__in=[PublicationStatus.CANCELLED, PublicationStatus.FAILED]
    ).update(
        status=DeliveryStatus.CANCELLED,
        lease_owner="",
        lease_until=None,
        error=gettext_noop("Cancelled."),
    )
    expired.filter(attempts__gte=settings.DELIVERY_MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED,
        lease_owner="",
        lease_until=None,
        error=gettext_noop("Gave up: the worker stopped while sending it, too many times."),
    )
    return expired.update(
        status=DeliveryStatus.PENDING, lease_owner="", lease_until=None, next_attempt_at=now
    )


class _Throttle:
    """Per-process pacing of an account's sends; the account's rate is divided between the
    live workers."""

    def __init__(self) -> None:
        self.next_at: dict[str, float] = {}

    def wait(self, key: str, rate: float) -> None:
        if rate <= 0:
            return
        workers = max(1, _live_workers())
        interval = workers / rate
        now = time.monotonic()
        at = self.next_at.get(key, now)
        if at > now:
            time.sleep(at - now)
        self.next_at[key] = max(at, now) + interval


_live_cache: dict[str, float] = {"at": -1e9, "n": 1.0}


def _live_workers() -> int:
    if time.monotonic() - _live_cache["at"] < 30:
        return int(_live_cache["n"])
    from bakohumas.core.models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    n = WorkerHeartbeat.objects.filter(last_seen__gte=since).count() or 1
    _live_cache.update(at=time.monotonic(), n=float(n))
    return n


# A worker closes the connections it keeps for a publication after this long unused.
SESSION_IDLE_SECONDS = 60.0


@dataclass
class _Session:
    """What a worker keeps per publication between batches: the adapter (with its open
    connection) and the prepared message, for the approved hash it was built from."""

    adapter: Adapter
    prepared: Prepared
    approved_hash: str
    used_at: float = 0.0


class Sender:
    """One worker's sending state. ``run_batch`` sends one claimed batch."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.sessions: dict[int, _Session] = {}
        self.throttle = _Throttle()

    def close(self, idle_for: float | None = None) -> None:
        """Close the sessions (all, or those unused for ``idle_for`` seconds)."""
        now = time.monotonic()
        for pk, session in list(self.sessions.items()):
            if idle_for is not None and now - session.used_at < idle_for:
                continue
            try:
                session.adapter.close()
            except Exception:  # closing is best effort
                logger.debug("close failed", exc_info=True)
            del self.sessions[pk]

    def _session(self, publication: Publication) -> _Session:
        session = self.sessions.get(publication.pk)
        if session is None or session.approved_hash != publication.approved_hash:
            if session is not None:
                session.adapter.close()
            adapter = adapter_for(publication)
            prepared = adapter.prepare(publication, prepare(publication))
            session = _Session(adapter, prepared, publication.approved_hash)
            self.sessions[publication.pk] = session
        session.used_at = time.monotonic()
        return session

    def run_once(self) -> int:
        rows = claim(self.worker)
        if rows:
            self.run_batch(rows)
        self.close(idle_for=SESSION_IDLE_SECONDS)
        return len(rows)

    def run_batch(self, rows: list[Delivery]) -> None:
        """Send a claimed batch (rows of one publication under one lease token): the
        approval is checked first; each outcome is written as soon as it is known; the
        lease is renewed while the batch lasts, and rows lost meanwhile (taken over, or
        their publication paused or ended) are not sent."""
        publication = Publication.objects.select_related(
            "item", "item__unit", "account", "mailing_list"
        ).get(pk=rows[0].publication_id)
        token = rows[0].lease_owner
        if publication.status != PublicationStatus.SENDING:
            _give_back(rows, token, cancelled=publication.status not in OPEN_PUBLICATION_STATUSES)
            return
        problems = _send_time_problems(publication)
        if problems:
            with transaction.atomic():
                locked = Publication.objects.select_for_update().get(pk=publication.pk)
                if locked.status in OPEN_PUBLICATION_STATUSES:
                    locked.item = publication.item
                    _fail(locked, " ".join(problems))
            self.sessions.pop(publication.pk, None)
            return
        try:
            session = self._session(publication)
        except ReconnectRequired as exc:
            _reconnect(publication, exc)
            _give_back(rows, token, cancelled=False)
            return
        except AdapterError as exc:
            for row in rows:
                _record_failure(row, token, exc)
            _after_batch(publication.pk)
            return
        account = publication.account
        rate = account.rate_per_second if account and account.rate_per_second else 0.0
        rate = rate or session.adapter.default_rate
        if publication.kind == ChannelKind.EMAIL and settings.EMAIL_RATE_PER_SECOND:
            rate = settings.EMAIL_RATE_PER_SECOND
        throttle_key = f"account:{account.pk}" if account else publication.kind
        renew_every = _lease().total_seconds() / 3
        renew_at = time.monotonic() + renew_every
        queue = deque(rows)
        while queue:
            if time.monotonic() >= renew_at:
                queue = deque(_renew(list(queue), token))
                renew_at = time.monotonic() + renew_every
                if not queue:
                    break
            row = queue.popleft()
            self.throttle.wait(throttle_key, rate)
            row.publication = publication
            try:
                result = session.adapter.send(publication, session.prepared, row)
            except ReconnectRequired as exc:
                _reconnect(publication, exc)
                _give_back([row, *queue], token, cancelled=False)
                self.sessions.pop(publication.pk, None)
                break
            except TransientError as exc:
                _record_failure(row, token, exc)
                if exc.retry_after or exc.channel_down:
                    # The platform asked to wait, or it cannot be reached at all: the rest
                    # of the batch waits too instead of failing one by one.
                    delay = exc.retry_after or backoff_seconds(row.attempts)
                    if exc.retry_after and account is not None:
                        ChannelAccount.objects.filter(pk=account.pk).update(
                            paused_until=timezone.now() + timedelta(seconds=exc.retry_after)
                        )
                    _give_back(list(queue), token, cancelled=False, delay=delay)
                    break
                continue
            except AdapterError as exc:
                _record_failure(row, token, exc)
                continue
            except Exception as exc:  # a bug or an unexpected answer: retry, with the reason
                logger.exception("Sending delivery %s failed", row.pk)
                _record_failure(row, token, TransientError(f"{type(exc).__name__}: {exc}"))
                continue
            _record_sent(row.pk, token, result.provider_id or "")
            if result.url and publication.kind not in AUDIENCE_KINDS:
                Publication.objects.filter(pk=publication.pk).update(external_url=result.url[:500])
        _after_batch(publication.pk)


def _record_sent(pk: int, token: str, provider_id: str) -> None:
    """Mark one row sent, right after the platform accepted it, if this claim still holds
    it. One plain statement (the ORM's update costs as much as an SMTP round trip)."""
    now = timezone.now()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, updated_at = %s, "  # noqa: S608
            "provider_id = %s, error = '', lease_owner = '', lease_until = NULL "
            "WHERE id = %s AND lease_owner = %s",
            [DeliveryStatus.SENT.value, now, now, provider_id[:200], pk, token],
        )


def _renew(rows: list[Delivery], token: str) -> list[Delivery]:
    """Extend the lease of the rows of a batch still held by ``token`` and return them.
    Rows the sweeper gave away are dropped; when the publication is no longer sending
    (paused, cancelled, failed) the rows are given back instead and none is returned."""
    status = (
        Publication.objects.filter(pk=rows[0].publication_id)
        .values_list("status", flat=True)
        .first()
    )
    if status != PublicationStatus.SENDING:
        _give_back(rows, token, cancelled=status not in OPEN_PUBLICATION_STATUSES)
        return []
    ids = [r.pk for r in rows]
    Delivery.objects.filter(pk__in=ids, lease_owner=token).update(
        lease_until=timezone.now() + _lease()
    )
    mine = set(Delivery.objects.filter(pk__in=ids, lease_owner=token).values_list("pk", flat=True))
    return [r for r in rows if r.pk in mine]


def _give_back(
    rows: list[Delivery],
    token: str,
    *,
    cancelled: bool,
    undo_attempt: bool = True,
    delay: float | None = None,
) -> None:
    """Return unsent rows of a batch: to the queue (their attempt not counted) or, when
    their publication ended, cancelled."""
    ids = [r.pk for r in rows]
    if not ids:
        return
    if cancelled:
        Delivery.objects.filter(pk__in=ids, lease_owner=token).update(
            status=DeliveryStatus.CANCELLED,
            lease_owner="",
            lease_until=None,
            error=gettext_noop("Cancelled."),
        )
        return
    Delivery.objects.filter(pk__in=ids, lease_owner=token).update(
        status=DeliveryStatus.PENDING,
        lease_owner="",
        lease_until=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay or 0),
        attempts=F("attempts") - 1 if undo_attempt else F("attempts"),
    )


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, times 0.5 to 1.5."""
    base = settings.DELIVERY_RETRY_BASE_SECONDS
    delay = min(settings.DELIVERY_RETRY_MAX_SECONDS, base * (2 ** max(0, attempts - 1)))
    return float(delay * random.uniform(0.5, 1.5))


def _record_failure(row: Delivery, token: str, exc: AdapterError) -> None:
    """A transient error retries later until ``DELIVERY_MAX_ATTEMPTS``; any other ends the
    row failed with the reason."""
    now = timezone.now()
    transient = isinstance(exc, TransientError)
    if isinstance(exc, TransientError) and row.attempts < settings.DELIVERY_MAX_ATTEMPTS:
        delay = exc.retry_after if exc.retry_after else backoff_seconds(row.attempts)
        Delivery.objects.filter(pk=row.pk, lease_owner=token).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now + timedelta(seconds=delay),
            error=exc.reason,
            lease_owner="",
            lease_until=None,
        )
        return
    reason = exc.reason
    if transient:
        reason = _("Gave up after %(n)s attempts: %(reason)s") % {
            "n": row.attempts,
            "reason": exc.reason,
        }
    Delivery.objects.filter(pk=row.pk, lease_owner=token).update(
        status=DeliveryStatus.FAILED, error=reason[:500], lease_owner="", lease_until=None
    )


def _hold_for_reconnect(publication: Publication, reason: str) -> None:
    """Pause a sending publication until its account is reconnected (and say so)."""
    account = publication.account
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.status != PublicationStatus.SENDING:
            return
        locked.status = PublicationStatus.PAUSED
        locked.error = _("Reconnect the account: %s") % reason
        locked.save(update_fields=["status", "error"])
    for user in _responsible_staff(publication):
        notify(
            user,
            _("The %(channel)s account “%(name)s” must be reconnected: %(reason)s")
            % {
                "channel": publication.get_kind_display(),
                "name": account.name if account else "",
                "reason": reason,
            },
            url=_publication_path(publication),
            is_error=True,
        )


def _reconnect(publication: Publication, exc: AdapterError) -> None:
    """The platform refused the credentials: the account shows "reconnect" and the
    publication waits, paused, for someone to reconnect it and resume."""
    if publication.account_id is not None:
        ChannelAccount.objects.filter(pk=publication.account_id).update(
            status=AccountStatus.RECONNECT, status_detail=exc.reason, checked_at=timezone.now()
        )
    _hold_for_reconnect(publication, exc.reason)


def _after_batch(publication_id: int) -> None:
    remaining = Delivery.objects.filter(
        publication_id=publication_id,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING],
    ).exists()
    if remaining:
        return
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .filter(pk=publication_id, status=PublicationStatus.SENDING)
            .first()
        )
        if publication is not None:
            _finish(publication)


def finish_idle(limit: int = 200) -> int:
    """Close sending publications whose rows all ended (a worker died before it could)."""
    ids = list(
        Publication.objects.filter(status=PublicationStatus.SENDING)
        .exclude(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        _after_batch(pk)
    return len(ids)


def drain(worker: str = "inline", *, max_rows: int | None = None) -> int:
    """Send every ready row now, in this process (tests, the bench, ``send_now``).
    Returns how many rows were claimed."""
    sender = Sender(worker)
    sent = 0
    try:
        while max_rows is None or sent < max_rows:
            n = sender.run_once()
            if not n:
                break
            sent += n
    finally:
        sender.close()
    return sent


def sweep(now: datetime | None = None) -> dict[str, int]:
    """The worker's periodic sweep: leases, due dispatches, finished campaigns."""
    return {
        "released": release_expired(now),
        "dispatched": dispatch_due(now),
        "finished": finish_idle(),
    }


def _asynchronous_commits(configured: list[int]) -> None:
    """On PostgreSQL, the delivery loop's session commits without waiting for the WAL
    flush: a worker that dies loses nothing committed; only a crash of the database server
    itself could forget the last fraction of a second of outcomes, whose rows then go out
    again with the same key. Saves a disk flush per message."""
    if connection.vendor != "postgresql":
        return
    connection.ensure_connection()
    if configured[0] == id(connection.connection):
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    configured[0] = id(connection.connection)


def delivery_loop(worker: str, stop: threading.Event, idle_seconds: float = 0.5) -> None:
    """The sending loop of a worker process (a thread beside the task runner)."""
    sender = Sender(worker)
    configured: list[int] = [0]
    try:
        while not stop.is_set():
            try:
                _asynchronous_commits(configured)
                n = sender.run_once()
            except Exception:
                logger.exception("Delivery loop error")
                n = 0
                sender.close()
                close_old_connections()
            if not n:
                if connection.vendor == "sqlite":
                    connection.close()
                stop.wait(idle_seconds)
    finally:
        sender.close()


# --- campaign control --------------------------------------------------------------------------


def _locked(publication: Publication) -> Publication:
    return (
        Publication.objects.select_for_update()
        .select_related("item", "unit")
        .get(pk=publication.pk)
    )


def pause(publication: Publication, *, by: Any) -> Publication:
    _require(by, "dissemination.change_publication", publication.unit_id)
    with transaction.atomic():
        publication = _locked(publication)
        if publication.status not in {PublicationStatus.SENDING, PublicationStatus.PLANNED}:
            raise ValidationError(
                _("Only a planned or sending publication can be paused (it is %s).")
                % publication.get_status_display()
            )
        publication.status = PublicationStatus.PAUSED
        publication.save(update_fields=["status"])
    return publication


def resume(publication: Publication, *, by: Any) -> Publication:
    _require(by, "dissemination.change_publication", publication.unit_id)
    with transaction.atomic():
        publication = _locked(publication)
        if publication.status != PublicationStatus.PAUSED:
            raise ValidationError(
                _("Only a paused publication can be resumed (it is %s).")
                % publication.get_status_display()
            )
        account = publication.account
        if account is not None:
            account.refresh_from_db()
            if account.status != AccountStatus.CONNECTED:
                raise ValidationError(_("Reconnect the account %s before resuming.") % account.name)
        started = publication.deliveries.exists() or publication.started_at is not None
        publication.status = PublicationStatus.SENDING if started else PublicationStatus.PLANNED
        publication.error = ""
        publication.save(update_fields=["status", "error"])
        if publication.status == PublicationStatus.PLANNED:
            _enqueue_dispatch(publication)
    return publication


def cancel(publication: Publication, *, by: Any) -> Publication:
    _require(by, "dissemination.change_publication", publication.unit_id)
    with transaction.atomic():
        publication = _locked(publication)
        if publication.status not in OPEN_PUBLICATION_STATUSES | {
            PublicationStatus.AWAITING_EVIDENCE
        }:
            raise ValidationError(
                _("This publication already ended (%s).") % publication.get_status_display()
            )
        publication.status = PublicationStatus.CANCELLED
        publication.finished_at = timezone.now()
        publication.save(update_fields=["status", "finished_at"])
        publication.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED, error=gettext_noop("Cancelled.")
        )
    return publication


def retry_failed(
    publication: Publication, *, by: Any, delivery_ids: list[int] | None = None
) -> int:
    """Send failed rows again (all, or the chosen ones). Returns how many were requeued."""
    _require(by, "dissemination.change_publication", publication.unit_id)
    with transaction.atomic():
        publication = _locked(publication)
        if publication.status in {PublicationStatus.CANCELLED, PublicationStatus.PLANNED}:
            raise ValidationError(
                _("A %s publication has nothing to retry.") % publication.get_status_display()
            )
        if publication.is_manual or publication.kind == ChannelKind.WEBSITE:
            raise ValidationError(_("This channel has no deliveries to retry."))
        if (
            publication.account is not None
            and publication.account.status != AccountStatus.CONNECTED
        ):
            raise ValidationError(_("Reconnect the account %s first.") % publication.account.name)
        problems = _send_time_problems(publication)
        if problems:
            raise ValidationError(problems)
        rows = publication.deliveries.filter(status=DeliveryStatus.FAILED)
        if delivery_ids is not None:
            rows = rows.filter(pk__in=delivery_ids)
        n = rows.update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), error=""
        )
        if n:
            publication.status = PublicationStatus.SENDING
            publication.finished_at = None
            publication.error = ""
            publication.notified_at = None  # the outcome of the retry is told again
            publication.save(update_fields=["status", "finished_at", "error", "notified_at"])
    return n


# --- manual channels ---------------------------------------------------------------------------


def record_evidence(
    publication: Publication,
    *,
    by: Any,
    url: str = "",
    file: Any = None,
    broadcast_at: datetime | None = None,
    audience: int | None = None,
    note: str = "",
) -> Evidence:
    """A manual publication counts as published once its evidence is recorded."""
    _require(by, "dissemination.change_publication", publication.unit_id)
    errors: dict[str, list[str]] = {}
    if not url and not file:
        errors["url"] = [_("Give the link where it appeared, or upload a screenshot or scan.")]
    if url:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("Enter a valid http(s) link.")]
    if audience is not None and (audience < 0 or audience > 1_000_000_000):
        errors["audience"] = [_("Give the audience as a number from 0.")]
    when = broadcast_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        errors["broadcast_at"] = [_("The broadcast time cannot be in the future.")]
    if "\x00" in (note or ""):
        errors["note"] = [_("Null characters are not allowed.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        publication = _locked(publication)
        if not publication.is_manual:
            raise ValidationError(_("Evidence is recorded for manual channels only."))
        if publication.status not in {PublicationStatus.AWAITING_EVIDENCE, PublicationStatus.DONE}:
            raise ValidationError(
                _("Evidence can be recorded once the publication is due (it is %s).")
                % publication.get_status_display()
            )
        evidence = Evidence(
            publication=publication,
            url=url,
            broadcast_at=when,
            audience=audience,
            note=(note or "").strip(),
            recorded_by=by,
        )
        if file:
            evidence.file = file
        evidence.save()
        if publication.status == PublicationStatus.AWAITING_EVIDENCE:
            publication.status = PublicationStatus.DONE
            publication.finished_at = timezone.now()
            publication.external_url = url or publication.external_url
            publication.save(update_fields=["status", "finished_at", "external_url"])
        if audience is not None:
            total = sum(e.audience or 0 for e in publication.evidence.all())
            Metric.objects.update_or_create(
                publication=publication,
                defaults={
                    "reach": total,
                    "source": Metric.Source.MANUAL,
                    "fetched_at": timezone.now(),
                },
            )
    return evidence


def record_metrics(
    publication: Publication,
    *,
    by: Any,
    reach: int,
    impressions: int = 0,
    engagement: int = 0,
    clicks: int = 0,
) -> Metric:
    _require(by, "dissemination.change_publication", publication.unit_id)
    values = {
        "reach": reach,
        "impressions": impressions,
        "engagement": engagement,
        "clicks": clicks,
    }
    bad = {
        k: [_("Give a whole number from 0.")]
        for k, v in values.items()
        if not isinstance(v, int) or v < 0 or v > 2_000_000_000
    }
    if bad:
        raise ValidationError(bad)
    metric, _created = Metric.objects.update_or_create(
        publication=publication,
        defaults={
            **values,
            "source": Metric.Source.MANUAL,
            "fetched_at": timezone.now(),
            "error": "",
        },
    )
    return metric


# --- metrics -----------------------------------------------------------------------------------

METRICS_EVERY = timedelta(hours=6)
METRICS_WINDOW = timedelta(days=30)


def fetch_metrics(publication: Publication) -> Metric | None:
    try:
        adapter = adapter_for(publication)
        figures = adapter.fetch_metrics(publication)
    except AdapterError as exc:
        Metric.objects.update_or_create(
            publication=publication,
            defaults={
                "source": Metric.Source.PLATFORM,
                "error": exc.reason,
                "fetched_at": timezone.now(),
            },
        )
        if isinstance(exc, ReconnectRequired) and publication.account_id:
            ChannelAccount.objects.filter(pk=publication.account_id).update(
                status=AccountStatus.RECONNECT, status_detail=exc.reason
            )
        return None
    if figures is None:
        return None
    metric, _created = Metric.objects.update_or_create(
        publication=publication,
        defaults={
            "reach": figures.reach,
            "impressions": figures.impressions,
            "engagement": figures.engagement,
            "clicks": max(figures.clicks, _tracked_clicks(publication)),
            "source": Metric.Source.PLATFORM,
            "fetched_at": timezone.now(),
            "error": "",
        },
    )
    return metric


def _tracked_clicks(publication: Publication) -> int:
    return publication.deliveries.filter(clicked_at__isnull=False).count()


def fetch_due_metrics(now: datetime | None = None, limit: int = 50) -> int:
    now = now or timezone.now()
    due = (
        Publication.objects.filter(
            status=PublicationStatus.DONE,
            kind__in=[k for k in ACCOUNT_KINDS if k != ChannelKind.WEBHOOK],
            finished_at__gte=now - METRICS_WINDOW,
        )
        .exclude(external_id="")
        .filter(Q(metric__isnull=True) | Q(metric__fetched_at__lte=now - METRICS_EVERY))
        .select_related("account", "item", "item__unit")[:limit]
    )
    n = 0
    for publication in due:
        n += fetch_metrics(publication) is not None
    return n


def totals(unit_ids: list[int] | None, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Reach, impressions, engagement and clicks per unit and channel over a period (for
    the quarterly and annual reports)."""
    from django.db.models import Sum

    qs = Publication.objects.filter(
        status=PublicationStatus.DONE, finished_at__gte=start, finished_at__lt=end
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return list(
        qs.values("unit_id", "kind")
        .annotate(
            publications=Count("pk"),
            reach=Sum("metric__reach"),
            impressions=Sum("metric__impressions"),
            engagement=Sum("metric__engagement"),
            clicks=Sum("metric__clicks"),
        )
        .order_by("unit_id", "kind")
    )


# --- notifications -----------------------------------------------------------------------------


def _publication_path(publication: Publication) -> str:
    from django.urls import reverse

    return reverse("dissemination:publication", args=[publication.pk])


def _responsible_staff(publication: Publication) -> list[Any]:
    people = []
    for user in (publication.created_by, publication.responsible):
        if user is not None and user.is_active and user not in people:
            people.append(user)
    return people


def notify(user: Any, text: str, *, url: str = "", is_error: bool = False) -> Notification:
    """A notification in the app and by email (through the task worker)."""
    note = Notification.objects.create(user=user, text=text[:500], url=url, is_error=is_error)
    if user.email:
        from bakohumas.dissemination import tasks

        pk = note.pk

        def enqueue() -> None:
            try:
                tasks.email_notification.enqueue(pk)
            except Exception:
                logger.warning("Could not enqueue notification %s", pk, exc_info=True)

        transaction.on_commit(enqueue)
    return note


def _notify_outcome(publication: Publication) -> None:
    if publication.notified_at is not None:
        return
    publication.notified_at = timezone.now()
    Publication.objects.filter(pk=publication.pk).update(notified_at=publication.notified_at)
    data = counts(publication)
    sent = data[DeliveryStatus.SENT] + data[DeliveryStatus.DELIVERED] + data[DeliveryStatus.READ]
    title = publication.item.title
    channel = publication.get_kind_display()
    if publication.status == PublicationStatus.FAILED:
        text = _("Publication of “%(title)s” on %(channel)s failed: %(reason)s") % {
            "title": title,
            "channel": channel,
            "reason": publication.error,
        }
        error = True
    elif publication.kind in AUDIENCE_KINDS:
        text = _(
            "“%(title)s” on %(channel)s finished: %(sent)s sent, %(failed)s failed, "
            "%(skipped)s skipped."
        ) % {
            "title": title,
            "channel": channel,
            "sent": sent,
            "failed": data[DeliveryStatus.FAILED] + data[DeliveryStatus.BOUNCED],
            "skipped": data[DeliveryStatus.SKIPPED],
        }
        error = bool(data[DeliveryStatus.FAILED])
    else:
        text = _("“%(title)s” was published on %(channel)s.") % {"title": title, "channel": channel}
        error = False
    for user in _responsible_staff(publication):
        notify(user, text, url=_publication_path(publication), is_error=error)
