"""Reads of the stakeholder workspace: scoped, filtered, index-friendly querysets.

The UI, the REST API and the exports share these functions, so a filter means the same
everywhere. Every function starts from ``Model.objects.for_user(user)`` (permission
scoping), so callers never see another unit's rows.

Search is written to stay fast at national scale (50,000 organisations, 500,000
contacts): no ``OR`` across joins; every word must be in one searchable expression of the
row (``search_expression``: name and position for contacts; name, city and email for
organisations), served by one trigram GIN index on PostgreSQL (migration 0003) and by an
FTS5 trigram table on SQLite (migration 0005); numbers
are searched as E.164 prefixes (pattern-ops B-tree) and text with "@" by the email column.
PostgreSQL on SSD storage should run with ``random_page_cost`` about 1.1 so that the
planner prefers these indexes to sequential scans.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.db.models import F, Func, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from bakohumas.core.scoping import visible_unit_ids
from bakohumas.stakeholders.models import (
    Channel,
    CommunicationGroup,
    ConsentStatus,
    Contact,
    ContactConsent,
    Engagement,
    GroupMembership,
    Organisation,
)

__all__ = [
    "CONSENT_NONE",
    "CONTACT_ORDERINGS",
    "GROUP_ORDERINGS",
    "ORGANISATION_ORDERINGS",
    "contact_list",
    "duplicate_keys",
    "engagement_list",
    "group_list",
    "organisation_list",
    "phone_search_prefix",
]

#: Sort keys offered by the lists (``?sort=``) → ``order_by`` arguments.
ORGANISATION_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "category": ("category", "name", "id"),
    "-category": ("-category", "-name", "-id"),
    "city": ("city", "name", "id"),
    "-city": ("-city", "-name", "-id"),
    "unit": ("unit__code", "name", "id"),
    "-unit": ("-unit__code", "-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
CONTACT_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "organisation": ("organisation__name", "name", "id"),
    "-organisation": ("-organisation__name", "-name", "-id"),
    "unit": ("unit__code", "name", "id"),
    "-unit": ("-unit__code", "-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
GROUP_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "unit": ("unit__code", "name", "id"),
    "-unit": ("-unit__code", "-name", "-id"),
}

#: ``consent_status`` value meaning "no consent recorded for the channel".
CONSENT_NONE = "none"
MAX_SEARCH_WORDS = 5

_PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")


def _truthy(value: Any) -> bool | None:
    """``True``/``False`` from the usual spellings; ``None`` for "any"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on", "active"}:
        return True
    if text in {"0", "false", "no", "off", "inactive"}:
        return False
    return None


def _as_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    pk = getattr(value, "pk", value)
    try:
        return int(pk)
    except (TypeError, ValueError):
        return -1  # matches nothing: an invalid id is an empty result, not an error


def _words(q: str) -> list[str]:
    return [w for w in (q or "").split() if w][:MAX_SEARCH_WORDS]


def search_expression(*fields: str) -> Func:
    """``UPPER((f1 || ' ' || f2 …))``: the searchable text of a row.

    Matches the trigram GIN index of migration 0003 on PostgreSQL (the expression must stay
    identical to the index's), so a search of several words is one index scan. The fields
    must be non-null text columns.
    """
    return Func(
        *[F(name) for name in fields],
        template="UPPER((%(expressions)s))",
        arg_joiner=" || ' ' || ",
        output_field=TextField(),
    )


ORGANISATION_SEARCH_FIELDS = ("name", "city", "email")
CONTACT_SEARCH_FIELDS = ("name", "position")


FTS_TABLES = {
    "stakeholders_organisation": "stakeholders_organisation_fts",
    "stakeholders_contact": "stakeholders_contact_fts",
}
TRIGRAM = 3  # the FTS5 trigram tokenizer matches words of at least three characters


def _search_words(qs: QuerySet[Any], fields: tuple[str, ...], text: str) -> QuerySet[Any]:
    """Rows whose searchable text contains every word of ``text`` (case-insensitive).

    PostgreSQL answers from the trigram GIN index of migration 0003; SQLite from the FTS5
    trigram table of migration 0005 (words shorter than three characters, which trigrams
    cannot index, are checked on the row). Both find the same rows.
    """
    words = _words(text)
    if not words:
        return qs
    fts_table = FTS_TABLES.get(qs.model._meta.db_table)
    long_words = [w for w in words if len(w) >= TRIGRAM]
    if connections[qs.db].vendor == "sqlite" and fts_table and long_words:
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        qs = qs.filter(
            # the table name comes from FTS_TABLES, the user text is a bound parameter
            pk__in=RawSQL(f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s", [match]),  # noqa: S608, S611
        )
        words = [w for w in words if len(w) < TRIGRAM]
        if not words:
            return qs
    qs = qs.alias(search_text=search_expression(*fields))
    for word in words:
        qs = qs.filter(search_text__contains=word.upper())
    return qs


def phone_search_prefix(q: str) -> str | None:
    """The E.164 prefix to search for when ``q`` looks like (part of) a phone number.

    ``0812 34`` → ``+6281234``, ``62812`` → ``+62812``, ``+62 812`` → ``+62812``.
    ``None`` when ``q`` is not number-like or has fewer than four digits.
    """
    text = (q or "").strip()
    if not text or not _PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < 4:
        return None
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("62"):
        return "+" + digits
    if digits.startswith("0"):
        return "+62" + digits[1:]
    return "+62" + digits


def _prefix_range(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range (``>= '+62812'`` and ``< '+62813'``).

    Unlike ``LIKE 'x%'`` (case-insensitive on SQLite, so no index), a range is answered by
    the plain B-tree index of the column on every database.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _order(
    qs: QuerySet[Any],
    sort: str,
    orderings: dict[str, tuple[str, ...]],
    default: str = "name",
    *,
    searching: bool = False,
) -> QuerySet[Any]:
    """Apply the sort ``sort`` (unknown keys fall back to ``default``).

    When a text search narrows the list, the name is sorted through an expression that
    no index provides: PostgreSQL then sorts the (few) rows its trigram indexes found
    instead of walking the whole name index and filtering row by row, which is what it
    otherwise picks for ``ORDER BY name LIMIT 25`` and which is slow when matches are rare.
    """
    fields = orderings.get(sort or default, orderings[default])
    if not searching:
        return qs.order_by(*fields)
    expressions: list[Any] = []
    for name in fields:
        if name.lstrip("-") == "name":
            expression = Lower("name")
            expressions.append(expression.desc() if name.startswith("-") else expression.asc())
        else:
            expressions.append(name)
    return qs.order_by(*expressions)


def organisation_list(
    user: Any,
    q: str = "",
    category: str = "",
    unit: Any = None,
    tag: str = "",
    active: Any = None,
    *,
    sort: str = "name",
) -> QuerySet[Organisation]:
    """Organisations ``user`` may see, filtered and sorted.

    * ``q``: words each found in the name, the city or the email (case-insensitive);
      text with an ``@`` searches only the email;
    * ``category``: a :class:`~bakohumas.stakeholders.models.Category` value;
    * ``unit``: owning work unit (instance or id; outside the scope gives nothing);
    * ``tag``: exact tag name (case-insensitive);
    * ``active``: ``True``/``False``/``None`` (any; strings like ``"1"`` accepted);
    * ``sort``: a key of :data:`ORGANISATION_ORDERINGS` (default by name).

    The owning unit is ``select_related``; tags are prefetched.
    """
    qs: QuerySet[Organisation] = (
        Organisation.objects.for_user(user).select_related("unit").prefetch_related("tags")
    )
    text = (q or "").strip()
    if text:
        if "@" in text:
            qs = qs.filter(email__icontains=text)
        else:
            qs = _search_words(qs, ORGANISATION_SEARCH_FIELDS, text)
    if category:
        qs = qs.filter(category=category)
    unit_id = _as_id(unit)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if tag:
        qs = qs.filter(tags__name__iexact=tag.strip())
    is_active = _truthy(active)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return _order(qs, sort, ORGANISATION_ORDERINGS, searching=bool(text))


def contact_list(
    user: Any,
    q: str = "",
    organisation: Any = None,
    unit: Any = None,
    tag: str = "",
    consent_channel: str = "",
    consent_status: str = "",
    preferred_channel: str = "",
    active: Any = None,
    *,
    sort: str = "name",
) -> QuerySet[Contact]:
    """Contacts ``user`` may see, filtered and sorted.

    * ``q``: a number-like text searches phone and WhatsApp by E.164 prefix
      (``0812…`` finds ``+62812…``); text with an ``@`` searches the email; otherwise
      each word must be found in the name or the position;
    * ``organisation``/``unit``: instance or id;
    * ``tag``: exact tag name (case-insensitive);
    * ``consent_channel`` + ``consent_status``: contacts whose consent for the channel
      (a :class:`~bakohumas.stakeholders.models.Channel` value) is ``"granted"``
      (the default when only the channel is given), ``"withdrawn"`` or ``"none"``
      (nothing recorded);
    * ``preferred_channel``: a Channel value;
    * ``active``: ``True`` (active and not merged), ``False`` (deactivated or merged)
      or ``None`` (any);
    * ``sort``: a key of :data:`CONTACT_ORDERINGS`.

    Unit and organisation are ``select_related``; tags and consents prefetched.
    """
    qs: QuerySet[Contact] = (
        Contact.objects.for_user(user)
        .select_related("unit", "organisation")
        .prefetch_related(
            "tags",
            Prefetch("consents", queryset=ContactConsent.objects.order_by("channel")),
        )
    )
    text = (q or "").strip()
    if text:
        prefix = phone_search_prefix(text)
        if prefix is not None:
            qs = qs.filter(_prefix_range("phone", prefix) | _prefix_range("whatsapp", prefix))
        elif "@" in text:
            qs = qs.filter(email__icontains=text)
        else:
            qs = _search_words(qs, CONTACT_SEARCH_FIELDS, text)
    org_id = _as_id(organisation)
    if org_id is not None:
        qs = qs.filter(organisation_id=org_id)
    unit_id = _as_id(unit)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if tag:
        qs = qs.filter(tags__name__iexact=tag.strip())
    if consent_channel:
        status = consent_status or ConsentStatus.GRANTED
        if consent_channel not in Channel.values:
            qs = qs.none()
        elif status == CONSENT_NONE:
            qs = qs.exclude(
                pk__in=ContactConsent.objects.filter(channel=consent_channel).values("contact_id")
            )
        elif status in ConsentStatus.values:
            qs = qs.filter(consents__channel=consent_channel, consents__status=status)
        else:
            qs = qs.none()
    if preferred_channel:
        qs = qs.filter(preferred_channel=preferred_channel)
    is_active = _truthy(active)
    if is_active is True:
        qs = qs.filter(is_active=True, merged_into__isnull=True)
    elif is_active is False:
        qs = qs.filter(Q(is_active=False) | Q(merged_into__isnull=False))
    return _order(qs, sort, CONTACT_ORDERINGS, searching=bool(text))


def group_list(
    user: Any,
    q: str = "",
    platform: str = "",
    audience: str = "",
    unit: Any = None,
    active: Any = None,
    *,
    sort: str = "name",
) -> QuerySet[CommunicationGroup]:
    """Communication groups ``user`` may see; ``q`` searches the name."""
    qs = CommunicationGroup.objects.for_user(user).select_related("unit")
    for word in _words(q):
        qs = qs.filter(name__icontains=word)
    if platform:
        qs = qs.filter(platform=platform)
    if audience:
        qs = qs.filter(audience=audience)
    unit_id = _as_id(unit)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    is_active = _truthy(active)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return _order(qs, sort, GROUP_ORDERINGS, searching=bool(q and q.strip()))


def engagement_list(user: Any, organisation: Any) -> QuerySet[Engagement]:
    """The engagement log of one organisation (newest first) as ``user`` may see it."""
    org_id = _as_id(organisation)
    if org_id is None:
        return Engagement.objects.none()
    return (
        Engagement.objects.for_user(user)
        .filter(organisation_id=org_id)
        .select_related("contact", "recorded_by", "organisation__unit")
        .order_by("-occurred_at", "-id")
    )


def group_members(group: CommunicationGroup) -> QuerySet[GroupMembership]:
    """Members of ``group``: staff first, then contacts, by name."""
    return group.memberships.select_related(
        "user", "user__profile__unit", "contact", "contact__organisation", "contact__unit"
    ).order_by("contact_id", "user__first_name", "user__username", "contact__name")


# --- duplicate detection ----------------------------------------------------------------


def _duplicate_base(user: Any, unit: Any = None) -> QuerySet[Contact]:
    base = Contact.objects.for_user(user).filter(is_active=True, merged_into__isnull=True)
    unit_id = _as_id(unit)
    if unit_id is not None:
        base = base.filter(unit_id=unit_id)
    return base


def duplicate_keys(user: Any, *, unit: Any = None, limit: int = 10_000) -> list[tuple[str, str]]:
    """Values shared by two or more active contacts in ``user``'s scope.

    Returns ``[("phone", "+62…"), ("email", "a@b.id"), …]`` sorted: numbers that appear
    in two contacts' phone or WhatsApp fields (across the two fields) and emails shared
    case-insensitively; only within ``unit`` when given. At most ``limit`` keys.
    """
    from django.db.models import Count, Exists, OuterRef
    from django.db.models.functions import Lower

    base = _duplicate_base(user, unit)
    numbers: set[str] = set()
    for field in ("phone", "whatsapp"):
        numbers.update(
            base.exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list(field, flat=True)[:limit]
        )
    # The same number typed as one contact's phone and another's WhatsApp.
    cross = base.exclude(phone="").filter(
        Exists(base.filter(whatsapp=OuterRef("phone")).exclude(pk=OuterRef("pk")))
    )
    numbers.update(cross.values_list("phone", flat=True)[:limit])
    emails = set(
        base.exclude(email="")
        .annotate(lemail=Lower("email"))
        .values("lemail")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("lemail", flat=True)[:limit]
    )
    keys = [("phone", n) for n in sorted(numbers)] + [("email", e) for e in sorted(emails)]
    return keys[:limit]


def duplicate_groups(
    user: Any, keys: list[tuple[str, str]], *, unit: Any = None
) -> list[dict[str, Any]]:
    """For each key of :func:`duplicate_keys` (one page of them), the active contacts in
    scope sharing it: ``[{"kind": "phone", "value": "+62…", "keys": [(kind, value), …],
    "contacts": [...]}, …]``. Keys shared by exactly the same contacts (a number *and* an
    email) make one group. Contacts come most complete first (the suggested survivor).
    One query whatever the number of keys."""
    from django.db.models.functions import Lower

    numbers = [v for k, v in keys if k == "phone"]
    emails = [v for k, v in keys if k == "email"]
    if not keys:
        return []
    base = (
        _duplicate_base(user, unit)
        .select_related("unit", "organisation")
        .annotate(lemail=Lower("email"))
    )
    condition = Q()
    if numbers:
        condition |= Q(phone__in=numbers) | Q(whatsapp__in=numbers)
    if emails:
        condition |= Q(lemail__in=emails)
    contacts = sorted(base.filter(condition), key=_completeness)
    groups: dict[tuple[int, ...], dict[str, Any]] = {}
    for kind, value in keys:
        if kind == "phone":
            members = [c for c in contacts if value in (c.phone, c.whatsapp)]
        else:
            members = [c for c in contacts if getattr(c, "lemail", "") == value]
        if len(members) < 2:
            continue
        ids = tuple(sorted(c.pk for c in members))
        if ids in groups:
            groups[ids]["keys"].append((kind, value))
        else:
            groups[ids] = {
                "kind": kind,
                "value": value,
                "keys": [(kind, value)],
                "contacts": members,
            }
    return list(groups.values())


def _completeness(contact: Contact) -> tuple[int, int]:
    """Sort key: most filled-in first, then the oldest."""
    filled = sum(
        bool(getattr(contact, name))
        for name in (
            "organisation_id",
            "position",
            "phone",
            "whatsapp",
            "email",
            "preferred_channel",
            "notes",
        )
    )
    return (-filled, contact.pk)


def scope_unit_ids(user: Any) -> list[int] | None:
    """Shortcut for :func:`bakohumas.core.scoping.visible_unit_ids`."""
    return visible_unit_ids(user)
