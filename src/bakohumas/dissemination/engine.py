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
import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, F, Q
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
    MANUAL_KINDS,
    OPEN_PUBLICATION_STATUSES,
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
ENQUEUE_BATCH = 2000


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


def prepare(publication: Publication) -> Prepared:
    """The generic message of a publication: its channel variant (or the title, summary and
    link when the item has none), the portal link with UTM tags, the body and the media."""
    item = publication.item
    kind = publication.kind
    link = with_utm(
        item_url(item),
        source=kind,
        medium="email" if kind == ChannelKind.EMAIL else "social",
        campaign=f"{item.unit.code}-{item.pk}",
    )
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
    """What stops this publication: the item's approval, the variant's limits, the account,
    the platform's media rules."""
    item = publication.item
    problems: list[str] = []
    if item.status not in PLANNABLE_ITEM_STATUSES:
        problems.append(
            _("Only approved content can be disseminated (this item is %s).")
            % item.get_status_display()
        )
    elif not item.approved_hash or item.approved_hash != item.content_hash:
        problems.append(_("The content changed after approval; validate it again first."))
    variant = item.variants.filter(channel=publication.variant_channel).first()
    if variant is not None:
        check = check_variant(
            variant.channel, variant.text, variant.hashtags, variant.link, title=item.title
        )
        problems.extend(str(e) for e in check.errors)
    if publication.kind in ACCOUNT_KINDS:
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
    if publication.kind in AUDIENCE_KINDS:
        if not (publication.mailing_list_id or publication.group_id or publication.segment):
            problems.append(_("Choose who receives it: a mailing list, a group or a segment."))
        if (
            publication.kind == ChannelKind.EMAIL
            and publication.group_id is None
            and publication.segment == {}
            and publication.mailing_list_id is None
        ):
            pass
        if publication.mailing_list_id and publication.mailing_list.unit_id != publication.unit_id:
            problems.append(_("That mailing list belongs to another unit."))
    if publication.kind == ChannelKind.WHATSAPP and not publication.template_name:
        problems.append(
            _(
                "WhatsApp broadcasts need an approved message template (the Cloud API only sends "
                "free text inside a conversation the contact opened)."
            )
        )
    if publication.kind in MANUAL_KINDS and publication.responsible_id is None:
        problems.append(_("Name the person who will share it and record the evidence."))
    if not problems and publication.kind not in MANUAL_KINDS:
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


def plan(item: ContentItem, data: PlanInput, *, by: Any) -> Publication:
    """Add a publication to an approved item's plan. Raises ``ValidationError`` with every
    problem found, or ``PermissionDenied``; nothing is written then."""
    _require(by, "dissemination.add_publication", item.unit_id)
    if data.kind not in ChannelKind.values:
        raise ValidationError({"kind": [_("Unknown channel.")]})
    segment = data.segment or {}
    if segment and not (
        isinstance(segment, dict)
        and set(segment) <= {"categories", "tags"}
        and all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in segment.values()
        )
    ):
        raise ValidationError({"segment": [_("A segment is a list of categories and of tags.")]})
    if "\x00" in (data.target or "") or len(data.target or "") > 300:
        raise ValidationError({"target": [_("Give a destination of at most 300 characters.")]})
    publication = Publication(
        item=item,
        unit_id=item.unit_id,
        kind=data.kind,
        account_id=data.account_id,
        mailing_list_id=data.mailing_list_id,
        group_id=data.group_id,
        segment=segment,
        target=(data.target or "").strip(),
        scheduled_at=data.scheduled_at or timezone.now(),
        responsible_id=data.responsible_id
        or (getattr(by, "pk", None) if data.kind in MANUAL_KINDS else None),
        template_name=(data.template_name or "").strip(),
        template_language=(data.template_language or "").strip() or "id",
        approved_hash=item.approved_hash,
        created_by=by,
    )
    errors: dict[str, list[str]] = {}
    for field, value, model in (
        ("account_id", data.account_id, ChannelAccount),
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
        try:
            tasks.dispatch_publication.using(run_after=when).enqueue(pk)
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


def _normal_email(value: str) -> str | None:
    value = (value or "").strip()
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


def recipients(publication: Publication) -> Iterator[Recipient]:
    """Everyone the publication addresses, each with the consent it relies on or the
    reason it is skipped. Duplicated addresses come once."""
    seen: set[str] = set()
    suppressed = set(Suppression.objects.values_list("address", flat=True))
    email = publication.kind == ChannelKind.EMAIL
    channel = "email" if email else "whatsapp"

    def emit(rec: Recipient) -> Iterator[Recipient]:
        key = rec.address.lower()
        if key in seen:
            return
        seen.add(key)
        if not rec.skip_reason and key in suppressed:
            rec.skip_reason = gettext_noop("Suppressed (hard bounce or unsubscribed).")
            rec.consent_ref = ""
        yield rec

    if publication.mailing_list_id and email:
        subscribers = Subscriber.objects.filter(
            mailing_list_id=publication.mailing_list_id, status=SubscriberStatus.CONFIRMED
        ).values_list("pk", "email", "name", "contact_id", "confirmed_at", "consent_source")
        for pk, address, name, contact_id, confirmed_at, source in subscribers.iterator(5000):
            normal = _normal_email(address)
            if normal is None:
                yield from emit(
                    Recipient(
                        address[:254] or f"subscriber:{pk}",
                        name,
                        contact_id,
                        pk,
                        skip_reason=gettext_noop("Invalid email address."),
                    )
                )
                continue
            when = confirmed_at.date().isoformat() if confirmed_at else "?"
            ref = f"subscription:{pk} confirmed {when}" + (f" ({source})" if source else "")
            yield from emit(Recipient(normal, name, contact_id, pk, ref[:300]))
    contacts = _segment_contacts(publication)
    if contacts is not None:
        from bakohumas.stakeholders.models import ContactConsent

        consents = {
            c[0]: c
            for c in ContactConsent.objects.filter(
                contact__in=contacts.values("pk"), channel=channel
            ).values_list("contact_id", "pk", "status", "given_at", "method")
        }
        field = "email" if email else "whatsapp"
        for pk, name, value, phone in contacts.values_list("pk", "name", field, "phone").iterator(
            5000
        ):
            raw = value or ("" if email else phone)
            normal = _normal_email(raw) if email else _normal_phone(raw)
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
                yield from emit(Recipient(f"contact:{pk}", name, pk, skip_reason=reason))
                continue
            consent = consents.get(pk)
            if consent is None or consent[2] != "granted":
                reason = (
                    gettext_noop("Consent withdrawn for this channel.")
                    if consent is not None
                    else gettext_noop("No consent for this channel.")
                )
                yield from emit(Recipient(normal, name, pk, skip_reason=reason))
                continue
            when = consent[3].date().isoformat() if consent[3] else "?"
            ref = f"consent:{consent[1]} {channel} granted {when} ({consent[4]})"
            yield from emit(Recipient(normal, name, pk, consent_ref=ref))


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
        if problems:
            _fail(publication, " ".join(problems))
            return True
        publication.started_at = now
        if publication.kind == ChannelKind.WEBSITE:
            _publish_on_portal(publication)
        elif publication.kind in MANUAL_KINDS:
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
    return True


def _send_time_problems(publication: Publication) -> list[str]:
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
        content_services.publish_for_dissemination(item)
    publication.status = PublicationStatus.DONE
    publication.finished_at = timezone.now()
    publication.external_url = item_url(item)
    publication.save(update_fields=["status", "started_at", "finished_at", "external_url"])


def _write_rows(publication: Publication, now: datetime) -> None:
    rows: list[Delivery] = []
    total = skipped = 0
    if publication.kind in AUDIENCE_KINDS:
        source: Iterator[Recipient] = recipients(publication)
    else:
        account = publication.account
        destination = str((account.config or {}).get("destination", "")) if account else ""
        source = iter([Recipient(destination or publication.kind, publication.target)])
    for rec in source:
        total += 1
        skip = bool(rec.skip_reason)
        skipped += skip
        rows.append(
            Delivery(
                publication=publication,
                recipient=rec.address[:254],
                recipient_name=rec.name[:200],
                contact_id=rec.contact_id,
                subscriber_id=rec.subscriber_id,
                consent_ref=rec.consent_ref,
                status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
                error=rec.skip_reason,
                next_attempt_at=now,
                key=uuid.uuid4(),
            )
        )
        if len(rows) >= ENQUEUE_BATCH:
            Delivery.objects.bulk_create(rows)
            rows = []
    if rows:
        Delivery.objects.bulk_create(rows)
    publication.total = total
    publication.skipped = skipped
    publication.status = PublicationStatus.SENDING
    publication.save(update_fields=["status", "started_at", "total", "skipped"])
    if total == skipped:
        _finish(publication)


def _fail(publication: Publication, reason: str) -> None:
    publication.status = PublicationStatus.FAILED
    publication.error = reason
    publication.finished_at = timezone.now()
    publication.save(update_fields=["status", "error", "finished_at", "started_at"])
    Delivery.objects.filter(
        publication=publication, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).update(status=DeliveryStatus.CANCELLED, error=reason[:500], lease_owner="")
    _notify_outcome(publication)


def _finish(publication: Publication) -> None:
    """All rows ended: done (campaigns, posts sent) or failed (a post that failed)."""
    counts = dict(
        publication.deliveries.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    if counts.get(DeliveryStatus.PENDING) or counts.get(DeliveryStatus.SENDING):
        return
    publication.finished_at = timezone.now()
    if publication.kind not in AUDIENCE_KINDS:
        row = publication.deliveries.first()
        if row is not None and row.status == DeliveryStatus.SENT:
            publication.status = PublicationStatus.DONE
            publication.external_id = row.provider_id
        else:
            publication.status = PublicationStatus.FAILED
            publication.error = row.error if row is not None else _("Nothing was sent.")
    else:
        publication.status = PublicationStatus.DONE
    publication.save(
        update_fields=["status", "finished_at", "external_id", "external_url", "error"]
    )
    _notify_outcome(publication)


def counts(publication: Publication) -> dict[str, int]:
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


def claim(worker: str, limit: int | None = None, *, now: datetime | None = None) -> list[Delivery]:
    """Claim up to ``limit`` ready rows of one publication for ``worker`` (a fresh token per
    claim). Rows of paused, cancelled or throttled publications are left alone."""
    limit = limit or settings.DELIVERY_BATCH
    now = now or timezone.now()
    ready = Delivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        publication__status=PublicationStatus.SENDING,
    ).filter(
        Q(publication__account__isnull=True)
        | Q(publication__account__paused_until__isnull=True)
        | Q(publication__account__paused_until__lte=now)
    )
    first = ready.order_by("next_attempt_at", "pk").values_list("publication_id", flat=True).first()
    if first is None:
        return []
    token = f"{worker}:{uuid.uuid4().hex[:12]}"[:64]
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(
                publication_id=first, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
            )
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING,
            lease_owner=token,
            lease_until=now + _lease(),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(pk__in=ids, lease_owner=token).select_related(
            "publication", "publication__account"
        )
    )


def release_expired(now: datetime | None = None) -> int:
    """Give back rows whose worker died (lease over): they go out again with the same key."""
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, lease_until__lt=now).update(
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


_live_cache: dict[str, float] = {"at": 0.0, "n": 1.0}


def _live_workers() -> int:
    if time.monotonic() - _live_cache["at"] < 30:
        return int(_live_cache["n"])
    from bakohumas.core.models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    n = WorkerHeartbeat.objects.filter(last_seen__gte=since).count() or 1
    _live_cache.update(at=time.monotonic(), n=float(n))
    return n


@dataclass
class _Session:
    """What a worker keeps per publication between batches: the adapter (with its open
    connection) and the prepared message, for the approved hash it was built from."""

    adapter: Adapter
    prepared: Prepared
    approved_hash: str


class Sender:
    """One worker's sending state. ``run_batch`` sends one claimed batch."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.sessions: dict[int, _Session] = {}
        self.throttle = _Throttle()

    def close(self) -> None:
        for session in self.sessions.values():
            try:
                session.adapter.close()
            except Exception:  # closing is best effort
                logger.debug("close failed", exc_info=True)
        self.sessions.clear()

    def _session(self, publication: Publication) -> _Session:
        session = self.sessions.get(publication.pk)
        if session is not None and session.approved_hash == publication.approved_hash:
            return session
        if session is not None:
            session.adapter.close()
        adapter = adapter_for(publication)
        prepared = adapter.prepare(publication, prepare(publication))
        session = _Session(adapter, prepared, publication.approved_hash)
        self.sessions[publication.pk] = session
        return session

    def run_once(self) -> int:
        rows = claim(self.worker)
        if rows:
            self.run_batch(rows)
        return len(rows)

    def run_batch(self, rows: list[Delivery]) -> None:
        publication = Publication.objects.select_related("item", "item__unit", "account").get(
            pk=rows[0].publication_id
        )
        token = rows[0].lease_owner
        if publication.status != PublicationStatus.SENDING:
            _give_back(rows, token, cancelled=publication.status == PublicationStatus.CANCELLED)
            return
        problems = _send_time_problems(publication)
        if problems:
            with transaction.atomic():
                locked = Publication.objects.select_for_update().get(pk=publication.pk)
                if locked.status in OPEN_PUBLICATION_STATUSES:
                    locked.item = publication.item
                    _fail(locked, " ".join(problems))
            return
        try:
            session = self._session(publication)
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
        for index, row in enumerate(rows):
            self.throttle.wait(throttle_key, rate)
            row.publication = publication
            try:
                result = session.adapter.send(publication, session.prepared, row)
            except ReconnectRequired as exc:
                _reconnect(publication, exc)
                _give_back(rows[index:], token, cancelled=False, undo_attempt=True)
                self.sessions.pop(publication.pk, None)
                break
            except TransientError as exc:
                _record_failure(row, token, exc)
                if exc.retry_after:
                    if account is not None:
                        ChannelAccount.objects.filter(pk=account.pk).update(
                            paused_until=timezone.now() + timedelta(seconds=exc.retry_after)
                        )
                    _give_back(
                        rows[index + 1 :],
                        token,
                        cancelled=False,
                        undo_attempt=True,
                        delay=exc.retry_after,
                    )
                    break
                continue
            except AdapterError as exc:
                _record_failure(row, token, exc)
                continue
            except Exception as exc:  # a bug or an unexpected answer: retry, with the reason
                logger.exception("Sending delivery %s failed", row.pk)
                _record_failure(row, token, TransientError(f"{type(exc).__name__}: {exc}"))
                continue
            Delivery.objects.filter(pk=row.pk, lease_owner=token).update(
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                provider_id=(result.provider_id or "")[:200],
                error="",
                lease_owner="",
                lease_until=None,
            )
            if result.url and publication.kind not in AUDIENCE_KINDS:
                Publication.objects.filter(pk=publication.pk).update(external_url=result.url[:500])
        _after_batch(publication.pk)


def _give_back(
    rows: list[Delivery],
    token: str,
    *,
    cancelled: bool,
    undo_attempt: bool = True,
    delay: float | None = None,
) -> None:
    ids = [r.pk for r in rows]
    if not ids:
        return
    if cancelled:
        Delivery.objects.filter(pk__in=ids, lease_owner=token).update(
            status=DeliveryStatus.CANCELLED, lease_owner="", lease_until=None
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
    base = settings.DELIVERY_RETRY_BASE_SECONDS
    delay = min(settings.DELIVERY_RETRY_MAX_SECONDS, base * (2 ** max(0, attempts - 1)))
    return delay * random.uniform(0.5, 1.5)


def _record_failure(row: Delivery, token: str, exc: AdapterError) -> None:
    now = timezone.now()
    transient = isinstance(exc, TransientError)
    if transient and row.attempts < settings.DELIVERY_MAX_ATTEMPTS:
        retry_after = getattr(exc, "retry_after", None)
        delay = retry_after if retry_after else backoff_seconds(row.attempts)
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


def _reconnect(publication: Publication, exc: AdapterError) -> None:
    account = publication.account
    if account is not None:
        ChannelAccount.objects.filter(pk=account.pk).update(
            status=AccountStatus.RECONNECT, status_detail=exc.reason, checked_at=timezone.now()
        )
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.status == PublicationStatus.SENDING:
            locked.status = PublicationStatus.PAUSED
            locked.error = _("Reconnect the account: %s") % exc.reason
            locked.save(update_fields=["status", "error"])
    for user in _responsible_staff(publication):
        notify(
            user,
            _("The %(channel)s account “%(name)s” must be reconnected: %(reason)s")
            % {
                "channel": publication.get_kind_display(),
                "name": account.name if account else "",
                "reason": exc.reason,
            },
            url=_publication_path(publication),
            is_error=True,
        )


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
    """Send every ready row now, in this process (tests, the bench, ``send_now``)."""
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


def delivery_loop(worker: str, stop: threading.Event, idle_seconds: float = 0.5) -> None:
    """The sending loop of a worker process (a thread beside the task runner)."""
    sender = Sender(worker)
    try:
        while not stop.is_set():
            try:
                n = sender.run_once()
            except Exception:
                logger.exception("Delivery loop error")
                n = 0
                sender.close()
                close_old_connections()
            if not n:
                connection.close() if connection.vendor == "sqlite" else None
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
        if publication.kind in MANUAL_KINDS or publication.kind == ChannelKind.WEBSITE:
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
            publication.save(update_fields=["status", "finished_at", "error"])
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
        if publication.kind not in MANUAL_KINDS:
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
