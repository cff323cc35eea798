"""Every write of a content item: creation, editing, the validation workflow, scheduling,
publication, withdrawal, archiving and cascading to lower units.

The rules live here and only here, so the staff UI and the API obey the same ones:

* **Four eyes** (code of ethics d): the approver holds ``content.approve_contentitem``,
  belongs to the item's unit or an ancestor unit, and never wrote any version of it.
* **Approval bound to a version**: approving stores the hash of the exact content
  (text, media, channel variants); any change of that hash voids the approval and sends
  the item back to review; publication re-checks the hash.
* Every transition keeps who, when, the comment, the version and its hash.

Failures raise ``django.core.exceptions.ValidationError`` (bad input or a forbidden
transition, shown to the user) or ``PermissionDenied`` (missing role). Every function is
atomic: on failure nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bakohumas.content.channels import check_variant, normalise_hashtags
from bakohumas.content.models import (
    EDITABLE_STATUSES,
    Channel,
    ChannelVariant,
    ContentForm,
    ContentItem,
    ContentMedia,
    ContentTag,
    ContentVersion,
    Election,
    ElectionStage,
    Status,
    Transition,
)
from bakohumas.core.models import Level, WorkUnit
from bakohumas.core.scoping import can_see_unit, get_profile, visible_unit_ids

logger = logging.getLogger(__name__)

# Fields a caller may set through create_item/update_item (everything else is workflow).
EDITABLE_FIELDS = (
    "form",
    "topic",
    "title",
    "slug",
    "summary",
    "body",
    "election",
    "stage",
    "national_issue_url",
    "publish_at",
    "schedule_reason",
    "release_number",
    "contact_name",
    "contact_phone",
    "contact_email",
    "claim_text",
    "claim_source_url",
    "claim_author",
    "claim_date",
    "claim_rating",
    "embed_url",
)
# The fields whose content an approval covers (publish_at and the reason are planning).
HASHED_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in {"publish_at", "schedule_reason"})
TEXT_FIELDS = (
    "title",
    "slug",
    "summary",
    "body",
    "national_issue_url",
    "schedule_reason",
    "release_number",
    "contact_name",
    "contact_phone",
    "contact_email",
    "claim_text",
    "claim_source_url",
    "claim_author",
    "embed_url",
)
MAX_TAGS = 20
# Text fields without a database length limit (TextField), checked here.
TEXT_LIMITS = {
    "summary": 600,
    "body": 500_000,
    "claim_text": 5000,
    "schedule_reason": 2000,
}


@dataclass
class VariantInput:
    channel: str
    text: str = ""
    hashtags: str = ""
    link: str = ""


# --- permissions ------------------------------------------------------------------------


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def _require_scope(user: Any, item: ContentItem) -> None:
    if not can_see_unit(user, item.unit_id):
        raise PermissionDenied(_("This item belongs to a unit outside your scope."))


def is_author(item: ContentItem, user: Any) -> bool:
    """Whoever created the item, is listed as an author, or wrote any of its versions."""
    if item.created_by_id == user.pk:
        return True
    if item.authors.filter(pk=user.pk).exists():
        return True
    return item.versions.filter(created_by_id=user.pk).exists()


def can_edit(user: Any, item: ContentItem) -> bool:
    if not user.has_perm("content.change_contentitem") or not can_see_unit(user, item.unit_id):
        return False
    if item.status not in EDITABLE_STATUSES:
        return False
    # Contributors edit only what they author; editors and above any item of their scope.
    if not user.has_perm("content.publish_contentitem"):
        return is_author(item, user)
    return True


def approval_refusal(user: Any, item: ContentItem) -> str | None:
    """Why ``user`` may not validate ``item`` now, or ``None`` when they may."""
    if not user.has_perm("content.approve_contentitem"):
        return _("Only a coordinator can validate content.")
    if not can_see_unit(user, item.unit_id):
        return _("Only a coordinator of the item's unit or of a higher unit can validate it.")
    if is_author(item, user):
        return _("You wrote this item; a second person must validate it (four-eyes principle).")
    if item.status != Status.SUBMITTED:
        return _("Only an item awaiting validation can be approved or returned (it is %s).") % (
            item.get_status_display()
        )
    return None


# --- hashing and versions -----------------------------------------------------------------


def _value(item: ContentItem, name: str) -> Any:
    if name in {"election", "stage"}:
        return getattr(item, f"{name}_id")
    value = getattr(item, name)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(item: ContentItem) -> dict[str, Any]:
    """The content an approval covers, as plain data (also what a version stores)."""
    links = list(item.media_links.select_related("asset").order_by("position", "id"))
    return {
        "fields": {name: _value(item, name) for name in HASHED_FIELDS},
        "tags": sorted(item.tags.values_list("name", flat=True)),
        "media": [
            {
                "id": link.asset_id,
                "sha256": link.asset.sha256,
                "alt_text": link.asset.alt_text,
                "caption": link.asset.caption,
                "credit": link.asset.credit,
                "title": link.asset.title,
            }
            for link in links
        ],
        "variants": [
            {"channel": v.channel, "text": v.text, "hashtags": v.hashtags, "link": v.link}
            for v in item.variants.order_by("channel")
        ],
    }


def hash_snapshot(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compute_hash(item: ContentItem) -> str:
    return hash_snapshot(snapshot(item))


def _record(item: ContentItem, to_status: str, by: Any, comment: str = "") -> Transition:
    # System comments are stored untranslated (gettext_noop) and translated when shown
    # (``Transition.display_comment``), so each reader sees them in their own language.
    from_status = item.status
    item.status = to_status
    return Transition.objects.create(
        item=item,
        from_status=from_status,
        to_status=to_status,
        by=by,
        comment=comment,
        version=item.version,
        content_hash=item.content_hash,
    )


def _new_version(item: ContentItem, by: Any) -> bool:
    """Store a version when the content changed; ``True`` if it did."""
    data = snapshot(item)
    digest = hash_snapshot(data)
    if digest == item.content_hash:
        return False
    last = item.versions.order_by("-number").first()
    number = (last.number + 1) if last else 1
    ContentVersion.objects.create(
        item=item, number=number, content_hash=digest, snapshot=data, created_by=by
    )
    item.version = number
    item.content_hash = digest
    return True


# --- validation of input --------------------------------------------------------------------


def _clean_text(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = dict(fields)
    for name in TEXT_FIELDS:
        if name in out:
            value = out[name]
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors.setdefault(name, []).append(_("Enter text."))
                continue
            if "\x00" in value:
                errors.setdefault(name, []).append(_("Null characters are not allowed."))
                continue
            out[name] = value.strip() if name != "body" else value
            limit = TEXT_LIMITS.get(name)
            if limit is not None and len(out[name]) > limit:
                errors.setdefault(name, []).append(
                    _("At most %(limit)s characters (this has %(count)s).")
                    % {"limit": limit, "count": len(out[name])}
                )
    if errors:
        raise ValidationError(errors)
    return out


def _unique_slug(unit: WorkUnit, base: str, exclude_pk: int | None = None) -> str:
    base = (slugify(base, allow_unicode=True) or "konten")[:200].strip("-") or "konten"
    same_base = ContentItem.objects.filter(unit=unit, slug__startswith=base)
    if exclude_pk is not None:
        same_base = same_base.exclude(pk=exclude_pk)
    taken = set(same_base.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _resolve_election(item: ContentItem, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name, model in (("election", Election), ("stage", ElectionStage)):
        if name not in fields:
            continue
        value = fields[name]
        if value in (None, ""):
            setattr(item, name, None)
            continue
        pk = value.pk if hasattr(value, "pk") else value
        try:
            obj = model.objects.get(pk=pk)
        except (ObjectDoesNotExist, ValueError, TypeError):
            errors.setdefault(name, []).append(_("Choose a valid option."))
            continue
        setattr(item, name, obj)
    if item.election_id and item.election and item.election.unit_id:
        allowed = _ancestor_ids(item.unit)
        if item.election.unit_id not in allowed:
            errors.setdefault("election", []).append(
                _("This election is organised by a unit this item's unit does not belong to.")
            )
    if item.stage_id and item.stage:
        if not item.election_id:
            item.election = item.stage.election
        elif item.stage.election_id != item.election_id:
            errors.setdefault("stage", []).append(_("This stage belongs to another election."))
    if errors:
        raise ValidationError(errors)


def _ancestor_ids(unit: WorkUnit) -> set[int]:
    ids = {unit.pk}
    if unit.parent_id:
        ids.add(unit.parent_id)
    if unit.province_id:
        ids.add(unit.province_id)
    national = WorkUnit.objects.filter(level=Level.NATIONAL).values_list("id", flat=True)
    ids.update(national)
    return ids


def _apply_fields(item: ContentItem, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be set here.")] for name in sorted(unknown)}
        )
    fields = _clean_text(fields)
    _resolve_election(item, fields)
    for name, value in fields.items():
        if name in {"election", "stage"}:
            continue
        if name == "body":
            from bakohumas.content.sanitize import clean_html, html_to_text

            item.body = clean_html(value or "")
            item.body_text = html_to_text(item.body)
            continue
        if name in {"claim_date", "publish_at"} and value == "":
            value = None
        setattr(item, name, value)
    if fields.get("slug"):
        slug = slugify(fields["slug"], allow_unicode=True)
        if not slug:
            raise ValidationError({"slug": [_("Enter a slug of letters, digits and dashes.")]})
        clash = ContentItem.objects.filter(unit_id=item.unit_id, slug=slug).exclude(pk=item.pk)
        if clash.exists():
            raise ValidationError({"slug": [_("This slug is already used in this unit.")]})
        item.slug = slug
    elif not item.slug:
        item.slug = _unique_slug(item.unit, item.title, exclude_pk=item.pk)
    try:
        item.full_clean(
            exclude=["unit", "created_by", "authors", "tags", "source", "approved_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _set_tags(item: ContentItem, names: Iterable[str]) -> None:
    cleaned: list[str] = []
    for raw in names:
        name = str(raw).strip().lstrip("#")[:64]
        if "\x00" in name:
            raise ValidationError({"tags": [_("Null characters are not allowed.")]})
        if name and name.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": [_("At most %(n)s tags.") % {"n": MAX_TAGS}]})
    tags = []
    for name in cleaned:
        existing = ContentTag.objects.filter(name__iexact=name).first()
        if existing is None:
            slug = (
                slugify(name, allow_unicode=True)
                or hashlib.sha1(  # noqa: S324
                    name.encode()
                ).hexdigest()[:12]
            )
            if ContentTag.objects.filter(slug=slug).exists():
                slug = f"{slug}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"  # noqa: S324
            existing = ContentTag.objects.create(name=name, slug=slug)
        tags.append(existing)
    item.tags.set(tags)


def _set_media(item: ContentItem, asset_ids: Sequence[int], by: Any) -> None:
    from bakohumas.media.models import MediaAsset

    ids: list[int] = []
    for raw in asset_ids:
        try:
            pk = int(raw)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"media": [_("Choose files from the media library.")]}) from exc
        if pk not in ids:
            ids.append(pk)
    # An item may use its own unit's files and those of the units above it.
    allowed = MediaAsset.objects.filter(pk__in=ids, unit_id__in=_ancestor_ids(item.unit))
    found = {a.pk for a in allowed}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"media": [_("These media files are not available to this unit: %s") % missing]}
        )
    ContentMedia.objects.filter(item=item).delete()
    ContentMedia.objects.bulk_create(
        [ContentMedia(item=item, asset_id=pk, position=i) for i, pk in enumerate(ids)]
    )


def _set_variants(item: ContentItem, variants: Sequence[VariantInput | dict[str, Any]]) -> None:
    errors: list[str] = []
    seen: set[str] = set()
    rows: list[ChannelVariant] = []
    for raw in variants:
        try:
            v = raw if isinstance(raw, VariantInput) else VariantInput(**raw)
        except TypeError:  # not a mapping, no channel, or an unknown key
            errors.append(_("A channel variant has a channel, a text, hashtags and a link."))
            continue
        values = (v.channel, v.text or "", v.hashtags or "", v.link or "")
        if not all(isinstance(x, str) for x in values):
            errors.append(_("%s: enter text.") % v.channel)
            continue
        if v.channel not in Channel.values:
            errors.append(_("Unknown channel: %s") % v.channel)
            continue
        if v.channel in seen:
            errors.append(_("Channel %s appears twice.") % v.channel)
            continue
        seen.add(v.channel)
        for text in (v.text, v.hashtags, v.link):
            if "\x00" in (text or ""):
                errors.append(_("Null characters are not allowed."))
        link = (v.link or "").strip()
        if link:
            from django.core.validators import URLValidator

            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                errors.append(_("%s: enter a valid link (http or https).") % v.channel)
        if not (v.text or "").strip() and not (v.hashtags or "").strip() and not link:
            continue  # an empty variant is no variant
        rows.append(
            ChannelVariant(
                item=item,
                channel=v.channel,
                text=(v.text or "").strip(),
                hashtags=normalise_hashtags(v.hashtags or ""),
                link=link,
            )
        )
    if errors:
        raise ValidationError({"variants": errors})
    ChannelVariant.objects.filter(item=item).delete()
    ChannelVariant.objects.bulk_create(rows)


def _set_authors(item: ContentItem, author_ids: Sequence[int] | None, by: Any) -> None:
    User = get_user_model()
    ids = {by.pk} if item.created_by_id is None else set()
    for raw in author_ids or []:
        try:
            ids.add(int(raw))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"authors": [_("Choose staff members.")]}) from exc
    users = list(User.objects.filter(pk__in=ids, is_active=True, profile__isnull=False))
    scope = visible_unit_ids(by)
    bad = [
        u.pk
        for u in users
        if scope is not None and get_profile(u) and get_profile(u).unit_id not in scope  # type: ignore[union-attr]
    ]
    if len(users) != len(ids) or bad:
        raise ValidationError({"authors": [_("Authors must be active staff in your scope.")]})
    item.authors.add(*users)


# --- create and edit --------------------------------------------------------------------------


@transaction.atomic
def create_item(
    *,
    unit: WorkUnit,
    by: Any,
    fields: dict[str, Any],
    variants: Sequence[VariantInput | dict[str, Any]] | None = None,
    media: Sequence[int] | None = None,
    tags: Iterable[str] | None = None,
    authors: Sequence[int] | None = None,
    source: ContentItem | None = None,
) -> ContentItem:
    """A new draft of ``unit``; ``by`` becomes its first author."""
    _require(by, "content.add_contentitem")
    if not can_see_unit(by, unit.pk):
        raise PermissionDenied(_("You cannot create content for this unit."))
    if not str(fields.get("title") or "").strip():  # a non-text title fails in _clean_text
        raise ValidationError({"title": [_("This field is required.")]})
    if not fields.get("form"):
        raise ValidationError({"form": [_("This field is required.")]})
    item = ContentItem(unit=unit, created_by=by, status=Status.DRAFT, source=source)
    _apply_fields(item, fields)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        raise ValidationError({"slug": [_("This slug is already used in this unit.")]}) from exc
    item.authors.add(by)
    _set_authors(item, authors, by)
    if tags is not None:
        _set_tags(item, tags)
    if media is not None:
        _set_media(item, media, by)
    if variants is not None:
        _set_variants(item, variants)
    _new_version(item, by)
    _record(item, Status.DRAFT, by, gettext_noop("Created"))
    item.save(update_fields=["version", "content_hash", "status", "updated_at"])
    return item


def _lock(item: ContentItem) -> ContentItem:
    """Re-read the row under a lock so concurrent transitions serialise."""
    return ContentItem.objects.select_for_update().select_related("unit").get(pk=item.pk)


@transaction.atomic
def update_item(
    item: ContentItem,
    *,
    by: Any,
    fields: dict[str, Any] | None = None,
    variants: Sequence[VariantInput | dict[str, Any]] | None = None,
    media: Sequence[int] | None = None,
    tags: Iterable[str] | None = None,
    authors: Sequence[int] | None = None,
    expected_version: int | None = None,
    void_approval: bool = False,
) -> ContentItem:
    """Change an item. A change of its content after approval voids the approval and
    returns it to review, so it must be asked for: without ``void_approval`` such an edit
    is refused and changes nothing. ``expected_version`` refuses an edit based on a
    stale copy."""
    _require(by, "content.change_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if item.status in {Status.PUBLISHED, Status.WITHDRAWN, Status.ARCHIVED}:
        raise ValidationError(
            _(
                "A %(status)s item cannot be edited. Withdraw it with a correction notice, "
                "or make a copy and publish that."
            )
            % {"status": item.get_status_display().lower()}
        )
    if not can_edit(by, item):
        raise PermissionDenied(_("Only the item's authors or an editor can change it."))
    if expected_version is not None and expected_version != item.version:
        raise ValidationError(
            _(
                "Someone saved a newer version (%(current)s) while you edited version "
                "%(yours)s. Reload the item and apply your change again."
            )
            % {"current": item.version, "yours": expected_version},
            code="stale",
        )
    old_publish_at = item.publish_at
    if fields:
        _apply_fields(item, fields)
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:
            raise ValidationError({"slug": [_("This slug is already used in this unit.")]}) from exc
    if authors is not None:
        _set_authors(item, authors, by)
    if tags is not None:
        _set_tags(item, tags)
    if media is not None:
        _set_media(item, media, by)
    if variants is not None:
        _set_variants(item, variants)
    changed = _new_version(item, by)
    if changed and item.status in {Status.APPROVED, Status.SCHEDULED} and not void_approval:
        raise ValidationError(
            _(
                "This item is approved (version %(version)s). Changing its content voids the "
                "approval and returns it to review: confirm that you want this."
            )
            % {"version": item.version - 1},
            code="approved",
        )
    if changed:
        item.authors.add(by)  # whoever writes content is one of its authors
        if item.status in {Status.APPROVED, Status.SCHEDULED}:
            item.approved_hash = ""
            item.approved_by = None
            item.approved_at = None
            _record(
                item,
                Status.SUBMITTED,
                by,
                gettext_noop(
                    "Edited after approval: the approval is void and the item is back in review."
                ),
            )
    elif item.status == Status.SCHEDULED and item.publish_at != old_publish_at:
        # Moving a scheduled item is scheduling: the same permission and rules as schedule().
        _require(by, "content.publish_contentitem")
        if item.publish_at is not None and item.publish_at <= timezone.now():
            raise ValidationError(
                {"publish_at": [_("Choose a time in the future, or publish now.")]}
            )
        _check_schedule(item, item.publish_at, item.schedule_reason)
        _enqueue_publication(item)
    item.save()
    return item


# --- the workflow -----------------------------------------------------------------------------


def submission_problems(item: ContentItem) -> list[str]:
    """What stops an item from going to validation (and from being published)."""
    problems: list[str] = []
    if not item.title.strip():
        problems.append(_("The title is empty."))
    links = list(item.media_links.select_related("asset"))
    needs_body = item.form in {
        ContentForm.NEWS,
        ContentForm.PRESS_RELEASE,
        ContentForm.HOAX_CLARIFICATION,
    }
    if needs_body and not item.body_text.strip():
        problems.append(_("The body is empty."))
    visual = {
        ContentForm.PHOTO,
        ContentForm.MEME,
        ContentForm.INFOGRAPHIC,
        ContentForm.ADVERTISEMENT,
    }
    if item.form in visual and not any(link.asset.kind == "image" for link in links):
        problems.append(_("A %s needs at least one image.") % item.get_form_display().lower())
    if item.form in {ContentForm.VIDEO, ContentForm.FILM} and not (
        item.embed_url or any(link.asset.kind == "video" for link in links)
    ):
        problems.append(_("A video needs a video file or an external video URL."))
    if item.form == ContentForm.PODCAST and not (
        item.embed_url or any(link.asset.kind == "audio" for link in links)
    ):
        problems.append(_("A podcast needs an audio file or an external URL."))
    for link in links:
        if link.asset.needs_alt_text:
            problems.append(
                _("The image “%s” has no alternative text; add it in the media library.")
                % link.asset
            )
    if item.form == ContentForm.PRESS_RELEASE and not item.contact_name.strip():
        problems.append(_("A press release needs a contact person."))
    if item.form == ContentForm.HOAX_CLARIFICATION and not (
        item.claim_text.strip() and item.claim_rating
    ):
        problems.append(_("A hoax clarification needs the claim and the verdict."))
    for variant in item.variants.all():
        check = check_variant(
            variant.channel, variant.text, variant.hashtags, variant.link, title=item.title
        )
        problems.extend(check.errors)
    return problems


@transaction.atomic
def submit(item: ContentItem, *, by: Any, comment: str = "") -> ContentItem:
    """Draft or returned → awaiting validation."""
    _require(by, "content.change_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if item.status not in {Status.DRAFT, Status.RETURNED}:
        raise ValidationError(
            _("Only a draft or a returned item can be submitted (it is %s).")
            % item.get_status_display()
        )
    if not can_edit(by, item):
        raise PermissionDenied(_("Only the item's authors or an editor can submit it."))
    if "\x00" in (comment or ""):
        raise ValidationError({"comment": [_("Null characters are not allowed.")]})
    problems = submission_problems(item)
    if problems:
        raise ValidationError(problems)
    _record(item, Status.SUBMITTED, by, (comment or "").strip())
    item.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def return_for_changes(item: ContentItem, *, by: Any, comment: str) -> ContentItem:
    """Awaiting validation → returned, with the validator's comments (required)."""
    _require_scope(by, item)
    item = _lock(item)
    refusal = approval_refusal(by, item)
    if refusal:
        if not by.has_perm("content.approve_contentitem"):
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say what must change.")]})
    if "\x00" in comment:
        raise ValidationError({"comment": [_("Null characters are not allowed.")]})
    _record(item, Status.RETURNED, by, comment.strip())
    item.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def approve(
    item: ContentItem,
    *,
    by: Any,
    comment: str = "",
    expected_version: int | None = None,
    reason: str = "",
) -> ContentItem:
    """Awaiting validation → approved, bound to the hash of the current version. An item
    with a future publication time is scheduled at once."""
    _require_scope(by, item)
    item = _lock(item)
    refusal = approval_refusal(by, item)
    if refusal:
        if not by.has_perm("content.approve_contentitem"):
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)
    if expected_version is not None and expected_version != item.version:
        raise ValidationError(
            _(
                "The item changed (now version %(current)s) since you reviewed version "
                "%(yours)s. Review it again."
            )
            % {"current": item.version, "yours": expected_version},
            code="stale",
        )
    if "\x00" in (comment or ""):
        raise ValidationError({"comment": [_("Null characters are not allowed.")]})
    problems = submission_problems(item)
    if problems:
        raise ValidationError(problems)
    current = compute_hash(item)
    if current != item.content_hash:  # a media file changed under the item
        _new_version(item, None)
    item.approved_hash = item.content_hash
    item.approved_by = by
    item.approved_at = timezone.now()
    _record(item, Status.APPROVED, by, (comment or "").strip())
    if item.publish_at and item.publish_at > timezone.now():
        if reason:
            item.schedule_reason = reason.strip()
        _check_schedule(item, item.publish_at, item.schedule_reason)
        _record(item, Status.SCHEDULED, by, gettext_noop("Scheduled for its planned time."))
        item.save()
        _enqueue_publication(item)
        return item
    item.save()
    return item


# --- scheduling -----------------------------------------------------------------------------


def restricted_stages(unit: WorkUnit, when: datetime) -> list[ElectionStage]:
    """Stages restricting publication (quiet period) on ``when``'s date in the unit's zone,
    of national elections and of elections organised by the unit or a unit above it."""
    day = unit.localtime(when).date()
    return list(
        ElectionStage.objects.filter(
            restricts_publishing=True,
            starts_on__lte=day,
            ends_on__gte=day,
            election__is_active=True,
        )
        .filter(Q(election__unit__isnull=True) | Q(election__unit_id__in=_ancestor_ids(unit)))
        .select_related("election")
    )


def schedule_warnings(unit: WorkUnit, when: datetime | None) -> list[str]:
    if when is None:
        return []
    return [
        _("%(when)s falls in “%(stage)s” (%(election)s), a period that restricts publishing.")
        % {
            "when": unit.localtime(when).strftime("%d-%m-%Y %H:%M"),
            "stage": stage.name,
            "election": stage.election.name,
        }
        for stage in restricted_stages(unit, when)
    ]


def _check_schedule(item: ContentItem, when: datetime | None, reason: str) -> None:
    if when is None:
        raise ValidationError({"publish_at": [_("Choose the publication time.")]})
    warnings = schedule_warnings(item.unit, when)
    if warnings and not (reason or "").strip():
        raise ValidationError(
            {"schedule_reason": [*warnings, _("Give a reason to schedule it anyway.")]},
            code="restricted_period",
        )


def _enqueue_publication(item: ContentItem) -> None:
    """Ask the worker to publish at the item's time; the sweep in ``publish_due`` is the
    safety net, so a lost task only delays publication by one sweep."""
    from bakohumas.content.tasks import publish_scheduled_item

    item_id, version, when = item.pk, item.version, item.publish_at

    def enqueue() -> None:
        task = publish_scheduled_item
        try:
            if when and task.get_backend().supports_defer:
                task = task.using(run_after=when)
            task.enqueue(item_id, version)
        except Exception:  # the sweep publishes it anyway
            logger.warning("Could not enqueue publication of item %s", item_id, exc_info=True)

    transaction.on_commit(enqueue)


def schedule(item: ContentItem, *, by: Any, publish_at: datetime, reason: str = "") -> ContentItem:
    """Approved (or scheduled) → scheduled for ``publish_at`` (aware datetime)."""
    _require(by, "content.publish_contentitem")
    _require_scope(by, item)
    with transaction.atomic():
        item = _lock(item)
        if item.status not in {Status.APPROVED, Status.SCHEDULED}:
            raise ValidationError(
                _("Only an approved item can be scheduled (it is %s).") % item.get_status_display()
            )
        if publish_at is None or timezone.is_naive(publish_at):
            raise ValidationError({"publish_at": [_("Choose the publication time.")]})
        if publish_at <= timezone.now():
            raise ValidationError(
                {"publish_at": [_("Choose a time in the future, or publish now.")]}
            )
        if "\x00" in (reason or ""):
            raise ValidationError({"schedule_reason": [_("Null characters are not allowed.")]})
        _check_schedule(item, publish_at, reason)
        if _approval_matches(item):
            item.publish_at = publish_at
            item.schedule_reason = (reason or "").strip()
            if item.status != Status.SCHEDULED:
                _record(item, Status.SCHEDULED, by, item.schedule_reason)
            else:
                note = _("Rescheduled")
                if item.schedule_reason:
                    note = f"{note}: {item.schedule_reason}"
                Transition.objects.create(
                    item=item,
                    from_status=Status.SCHEDULED,
                    to_status=Status.SCHEDULED,
                    by=by,
                    comment=note,
                    version=item.version,
                    content_hash=item.content_hash,
                )
            item.save()
            _enqueue_publication(item)
            return item
        _void_for_drift(item)
    raise ValidationError(_(VOIDED_MESSAGE), code="voided")


def reschedule(
    item: ContentItem, *, by: Any, publish_at: datetime, reason: str = ""
) -> ContentItem:
    """Move an item's planned time (the calendar's drag and drop). A scheduled item stays
    scheduled at the new time; the content, and so its approval, is unchanged."""
    _require(by, "content.change_contentitem")
    _require_scope(by, item)
    status = ContentItem.objects.filter(pk=item.pk).values_list("status", flat=True).first()
    if status == Status.SCHEDULED:
        # Not inside an outer transaction: a voided approval schedule() records must stay.
        return schedule(item, by=by, publish_at=publish_at, reason=reason)
    with transaction.atomic():
        return _move_unscheduled(item, by=by, publish_at=publish_at, reason=reason)


def _move_unscheduled(
    item: ContentItem, *, by: Any, publish_at: datetime, reason: str
) -> ContentItem:
    item = _lock(item)
    if item.status == Status.SCHEDULED:  # scheduled since the check above: a rare race
        raise ValidationError(_("The item changed meanwhile; reload it and try again."))
    if item.status not in EDITABLE_STATUSES:
        raise ValidationError(_("A %s item cannot be moved.") % item.get_status_display().lower())
    if not can_edit(by, item):
        raise PermissionDenied(_("Only the item's authors or an editor can move it."))
    if publish_at is None or timezone.is_naive(publish_at):
        raise ValidationError({"publish_at": [_("Choose the publication time.")]})
    if "\x00" in (reason or ""):
        raise ValidationError({"schedule_reason": [_("Null characters are not allowed.")]})
    _check_schedule(item, publish_at, reason)
    item.publish_at = publish_at
    item.schedule_reason = (reason or "").strip()
    item.save(update_fields=["publish_at", "schedule_reason", "updated_at"])
    return item


@transaction.atomic
def unschedule(item: ContentItem, *, by: Any) -> ContentItem:
    """Scheduled → approved (the approval stands; nothing will be published)."""
    _require(by, "content.publish_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if item.status != Status.SCHEDULED:
        raise ValidationError(_("The item is not scheduled."))
    _record(item, Status.APPROVED, by, gettext_noop("Schedule cancelled"))
    item.save()
    return item


def _approval_matches(item: ContentItem) -> bool:
    """Whether the item's content still is exactly what was approved (a media file's alt
    text or caption may have changed under it)."""
    return bool(item.approved_hash) and compute_hash(item) == item.approved_hash


VOIDED_MESSAGE = "The content changed after approval; it is back in review."


def _publish(item: ContentItem, by: Any, comment: str = "") -> None:
    now = timezone.now()
    item.published_at = now
    _record(item, Status.PUBLISHED, by, comment)
    item.save()


def publish_now(item: ContentItem, *, by: Any, reason: str = "") -> ContentItem:
    """Approved or scheduled → published at once. An item whose content no longer matches
    its approval goes back to review instead (and the caller gets a ValidationError)."""
    _require(by, "content.publish_contentitem")
    _require_scope(by, item)
    with transaction.atomic():
        item = _lock(item)
        if item.status not in {Status.APPROVED, Status.SCHEDULED}:
            raise ValidationError(
                _("Only an approved item can be published (it is %s).") % item.get_status_display()
            )
        if "\x00" in (reason or ""):
            raise ValidationError({"schedule_reason": [_("Null characters are not allowed.")]})
        _check_schedule(item, timezone.now(), reason or item.schedule_reason)
        if _approval_matches(item):
            if reason:
                item.schedule_reason = reason.strip()
            _publish(item, by)
            return item
        _void_for_drift(item)
    raise ValidationError(_(VOIDED_MESSAGE), code="voided")


def publish_for_dissemination(item: ContentItem) -> ContentItem:
    """Publish an approved or scheduled item on the portal because a website publication of
    its dissemination plan came due (the caller checked the approval hash). Runs inside the
    caller's transaction."""
    item = _lock(item)
    if item.status == Status.PUBLISHED:
        return item
    if item.status not in {Status.APPROVED, Status.SCHEDULED} or not _approval_matches(item):
        raise ValidationError(_(VOIDED_MESSAGE), code="voided")
    _publish(item, None, gettext_noop("Published by its dissemination plan."))
    return item


def publish_due(now: datetime | None = None, limit: int = 500) -> int:
    """Publish every scheduled item whose time has come (the worker's sweep and the task).
    Each item in its own transaction; an item whose approval no longer matches goes back to
    review instead. Returns how many were published."""
    now = now or timezone.now()
    ids = list(
        ContentItem.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for pk in ids:
        if publish_one_due(pk, now=now):
            published += 1
    return published


def publish_one_due(pk: int, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    try:
        with transaction.atomic():
            item = (
                ContentItem.objects.select_for_update()
                .select_related("unit")
                .filter(pk=pk, status=Status.SCHEDULED, publish_at__lte=now)
                .first()
            )
            if item is None:
                return False
            if not _approval_matches(item):
                _void_for_drift(item)
                return False
            _publish(item, None, gettext_noop("Published at its scheduled time."))
            return True
    except Exception:
        logger.exception("Publishing item %s failed", pk)
        return False


def _void_for_drift(item: ContentItem) -> None:
    _new_version(item, None)
    item.approved_hash = ""
    item.approved_by = None
    item.approved_at = None
    _record(
        item,
        Status.SUBMITTED,
        None,
        gettext_noop("The content changed after approval (media or variants): back in review."),
    )
    item.save()


@transaction.atomic
def withdraw(item: ContentItem, *, by: Any, notice: str) -> ContentItem:
    """Published → withdrawn: off the portal, which shows the public correction notice."""
    _require(by, "content.publish_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if (
        item.status not in {Status.PUBLISHED, Status.ARCHIVED}
        or not item.published_at
        or item.withdrawn_at  # archived after a withdrawal: its notice stands
    ):
        raise ValidationError(_("Only a published item can be withdrawn."))
    notice = (notice or "").strip()
    if not notice:
        raise ValidationError({"notice": [_("Write the public correction notice.")]})
    if "\x00" in notice:
        raise ValidationError({"notice": [_("Null characters are not allowed.")]})
    item.correction_notice = notice
    item.withdrawn_at = timezone.now()
    _record(item, Status.WITHDRAWN, by, notice)
    item.save()
    return item


@transaction.atomic
def archive(item: ContentItem, *, by: Any, comment: str = "") -> ContentItem:
    """Published or withdrawn → archived (a published item stays readable on the portal)."""
    _require(by, "content.publish_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if item.status not in {Status.PUBLISHED, Status.WITHDRAWN, Status.DRAFT, Status.RETURNED}:
        raise ValidationError(
            _("A %s item cannot be archived.") % item.get_status_display().lower()
        )
    if "\x00" in (comment or ""):
        raise ValidationError({"comment": [_("Null characters are not allowed.")]})
    _record(item, Status.ARCHIVED, by, (comment or "").strip())
    item.save()
    return item


@transaction.atomic
def delete_draft(item: ContentItem, *, by: Any) -> None:
    """Delete an item that never went public (drafts and returned items only)."""
    _require(by, "content.delete_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if item.status not in {Status.DRAFT, Status.RETURNED} or item.published_at:
        raise ValidationError(_("Only a draft can be deleted; archive anything else."))
    item.delete()


# --- cascading ------------------------------------------------------------------------------


@transaction.atomic
def share_down(item: ContentItem, *, by: Any, shared: bool = True) -> ContentItem:
    """Offer (or stop offering) a province or national item to the units below as a
    template. Only approved or published content can be shared."""
    _require(by, "content.share_contentitem")
    _require_scope(by, item)
    item = _lock(item)
    if item.unit.level == Level.REGENCY_CITY:
        raise ValidationError(_("Only a province or national item can be shared down."))
    if shared and item.status not in {Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED}:
        raise ValidationError(_("Share an item once it is approved."))
    item.is_template = shared
    item.save(update_fields=["is_template", "updated_at"])
    return item


def templates_for(unit: WorkUnit) -> Any:
    """Templates offered to ``unit`` by the units above it."""
    above = _ancestor_ids(unit) - {unit.pk}
    # Only while the shared version stands: not once an edit voided its approval, nor after
    # it was withdrawn or archived.
    return ContentItem.objects.filter(
        is_template=True,
        unit_id__in=above,
        status__in=[Status.APPROVED, Status.SCHEDULED, Status.PUBLISHED],
    ).select_related("unit")


@transaction.atomic
def localise(template: ContentItem, *, unit: WorkUnit, by: Any) -> ContentItem:
    """A new draft of ``unit`` copied from a template above it; it keeps the link to its
    source and goes through the unit's own validation."""
    if not templates_for(unit).filter(pk=template.pk).exists():
        raise ValidationError(_("This item is not shared with this unit."))
    existing = ContentItem.objects.filter(source=template, unit=unit).first()
    if existing is not None:
        raise ValidationError(
            _("This unit already has its own version of the template: “%s”.") % existing.title
        )
    fields = {name: getattr(template, name) for name in EDITABLE_FIELDS if name != "slug"}
    fields["election"] = template.election_id
    fields["stage"] = template.stage_id
    fields["publish_at"] = None
    fields["schedule_reason"] = ""
    return create_item(
        unit=unit,
        by=by,
        fields=fields,
        variants=[
            VariantInput(v.channel, v.text, v.hashtags, v.link) for v in template.variants.all()
        ],
        media=list(template.media_links.values_list("asset_id", flat=True)),
        tags=list(template.tags.values_list("name", flat=True)),
        source=template,
    )


@transaction.atomic
def duplicate(item: ContentItem, *, by: Any) -> ContentItem:
    """A new draft copied from ``item`` in the same unit (e.g. to correct a published item)."""
    _require_scope(by, item)
    fields = {name: getattr(item, name) for name in EDITABLE_FIELDS if name != "slug"}
    fields["election"] = item.election_id
    fields["stage"] = item.stage_id
    fields["publish_at"] = None
    fields["schedule_reason"] = ""
    return create_item(
        unit=item.unit,
        by=by,
        fields=fields,
        variants=[VariantInput(v.channel, v.text, v.hashtags, v.link) for v in item.variants.all()],
        media=list(item.media_links.values_list("asset_id", flat=True)),
        tags=list(item.tags.values_list("name", flat=True)),
        source=item.source,
    )


def due_soon(user: Any, days: int = 7) -> Any:
    """Items of the user's scope planned in the next ``days`` days and not yet published."""
    now = timezone.now()
    return (
        ContentItem.objects.for_user(user)
        .filter(
            publish_at__gte=now - timedelta(days=1),
            publish_at__lte=now + timedelta(days=days),
            status__in=[
                Status.DRAFT,
                Status.RETURNED,
                Status.SUBMITTED,
                Status.APPROVED,
                Status.SCHEDULED,
            ],
        )
        .select_related("unit")
        .order_by("publish_at")
    )


def awaiting_validation(user: Any) -> Any:
    """Items the user could validate now: submitted, in scope, not written by them."""
    if not user.has_perm("content.approve_contentitem"):
        return ContentItem.objects.none()
    return (
        ContentItem.objects.for_user(user)
        .filter(status=Status.SUBMITTED)
        .exclude(created_by=user)
        .exclude(authors=user)
        .exclude(versions__created_by=user)
        .select_related("unit", "created_by")
        .distinct()
        .order_by("updated_at")
    )
