"""Phase one of an import: every data row checked and planned, nothing written to the
stakeholder tables.

:class:`RowValidator` turns the cells of one row into normalised values and readable
errors (field checks and duplicates inside the file, in file order); :meth:`plan_batch`
then looks a batch of rows up in the database (organisations named by contacts, existing
records with the same name, number or email) and decides each row's action:
create, update the existing record, skip it (by the job's duplicate policy) or error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from bakohumas.core.models import Level, WorkUnit
from bakohumas.core.scoping import visible_unit_ids
from bakohumas.imports.columns import (
    CONSENT_NEEDS,
    NO_WORDS,
    YES_WORDS,
    Column,
    category_index,
    channel_index,
    column_map,
    columns_for,
    key_for_header,
    normalise_word,
)
from bakohumas.imports.models import DuplicatePolicy, ImportKind, RowAction
from bakohumas.stakeholders.models import Category, Channel, Contact, Organisation
from bakohumas.stakeholders.services import parse_tag_names
from bakohumas.stakeholders.validation import normalise_email, normalise_phone

QUOTE_MAX = 60


class HeaderError(Exception):
    """The header row cannot be used; ``str(exc)`` is the user message."""


def _quote(value: str) -> str:
    return value if len(value) <= QUOTE_MAX else value[: QUOTE_MAX - 1] + "…"


def accepted_columns_text(kind: str) -> str:
    """``"nama (name), kategori (category), …"``: the headers an import accepts."""
    return ", ".join(f"{c.header} ({c.key})" for c in columns_for(kind))


def map_header(kind: str, header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Map header cells to field keys: ``({cell index: key}, [ignored headers])``.

    Raises :class:`HeaderError` naming the missing required columns (and the accepted
    ones) or a column given twice.
    """
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = str(cell).strip()
        if not text:
            continue
        key = key_for_header(kind, text)
        if key is None:
            ignored.append(text)
            continue
        if key in seen:
            raise HeaderError(
                _("The columns “%(first)s” and “%(second)s” both mean %(field)s. Keep one.")
                % {"first": seen[key], "second": text, "field": column_map(kind)[key].label}
            )
        seen[key] = text
        mapping[index] = key
    missing = [c.header for c in columns_for(kind) if c.required and c.key not in seen]
    if missing:
        raise HeaderError(
            _("Missing required columns: %(missing)s. Accepted columns: %(accepted)s.")
            % {"missing": ", ".join(missing), "accepted": accepted_columns_text(kind)}
        )
    return mapping, ignored


def scope_unit_ids(user: Any, unit: WorkUnit) -> list[int] | None:
    """Units an import into ``unit`` looks in: ``unit`` and the units below it, limited
    to what ``user`` may see (``None``: every unit)."""
    if unit.level == Level.NATIONAL:
        subtree: list[int] | None = None
    elif unit.level == Level.PROVINCE:
        subtree = list(WorkUnit.objects.filter(province_id=unit.pk).values_list("id", flat=True))
        subtree.append(unit.pk)
    else:
        subtree = [unit.pk]
    visible = visible_unit_ids(user)
    if subtree is None:
        return visible
    if visible is None:
        return subtree
    allowed = set(visible)
    return [pk for pk in subtree if pk in allowed]


@dataclass
class PlannedRow:
    """One validated row, ready to become an ``ImportRow``."""

    line: int
    data: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)
    action: str = RowAction.CREATE
    existing_id: int | None = None

    def stored_data(self) -> dict[str, Any]:
        data = dict(self.data)
        if self.errors:
            data["_raw"] = self.raw
        return data


_url_validator = URLValidator(schemes=["http", "https"])


class RowValidator:
    """Validates and plans the rows of one import job."""

    def __init__(
        self, *, kind: str, unit: WorkUnit, user: Any, policy: str, mapping: dict[int, str]
    ) -> None:
        self.kind = kind
        self.unit = unit
        self.user = user
        self.policy = policy
        self.mapping = mapping
        self.columns = column_map(kind)
        self.categories = category_index()
        self.channels = channel_index()
        self.scope_ids = scope_unit_ids(user, unit)
        # In-file duplicates: key → first line it appeared on.
        self.seen_numbers: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}
        # Existing records already claimed by an earlier line: id → line.
        self.claimed: dict[int, int] = {}
        self.organisations: dict[str, list[dict[str, Any]]] = {}
        self.unit_names: dict[int, str] = {}

    # --- one row: field checks and in-file duplicates --------------------------------
    def clean(self, line: int, cells: Sequence[str]) -> PlannedRow:
        raw: dict[str, str] = {}
        for index, key in self.mapping.items():
            raw[key] = cells[index].strip() if index < len(cells) else ""
        row = PlannedRow(line=line, data={}, raw=raw)
        for key, value in raw.items():
            self._clean_value(row, self.columns[key], value)
        for column in self.columns.values():
            if column.required and not raw.get(column.key):
                row.errors.append(_("%(column)s is required.") % {"column": column.label})
        if self.kind == ImportKind.CONTACTS:
            self._check_consent_addresses(row)
            self._check_contact_duplicates_in_file(row)
        else:
            self._check_organisation_duplicates_in_file(row)
        return row

    def _error(self, row: PlannedRow, column: Column, message: str) -> None:
        row.errors.append(_("%(column)s: %(error)s") % {"column": column.label, "error": message})

    def _clean_value(self, row: PlannedRow, column: Column, value: str) -> None:
        if not value:
            return
        kind = column.kind
        if kind in {"text", "email", "url", "tags"} and len(value) > column.max_length:
            self._error(
                row,
                column,
                _("Too long (at most %(max)d characters).") % {"max": column.max_length},
            )
            return
        try:
            if kind == "phone":
                row.data[column.key] = normalise_phone(value)
            elif kind == "email":
                row.data[column.key] = normalise_email(value)
            elif kind == "url":
                row.data[column.key] = self._clean_url(value)
            elif kind == "category":
                row.data[column.key] = self._lookup(
                    value,
                    self.categories,
                    _("Unknown category “%(value)s”. Use one of: %(choices)s."),
                    Category.values,
                )
            elif kind == "channel":
                row.data[column.key] = self._lookup(
                    value,
                    self.channels,
                    _("Unknown channel “%(value)s”. Use one of: %(choices)s."),
                    Channel.values,
                )
            elif kind == "consent":
                if self._yes_no(value):
                    row.data[column.key] = True
            elif kind == "tags":
                names = parse_tag_names(value.replace(";", ","))
                if names:
                    row.data[column.key] = names
            else:
                row.data[column.key] = value
        except ValidationError as exc:
            for message in exc.messages:
                self._error(row, column, message)

    def _clean_url(self, value: str) -> str:
        url = value if "://" in value else f"https://{value}"
        try:
            _url_validator(url)
        except ValidationError as exc:
            raise ValidationError(
                _("“%(value)s” is not a valid web address.") % {"value": _quote(value)}
            ) from exc
        return url

    def _lookup(
        self, value: str, index: dict[str, str], message: str, choices: Iterable[str]
    ) -> str:
        found = index.get(normalise_word(value))
        if found is None:
            raise ValidationError(message % {"value": _quote(value), "choices": ", ".join(choices)})
        return found

    def _yes_no(self, value: str) -> bool:
        word = normalise_word(value)
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise ValidationError(
            _("“%(value)s” is not yes or no. Write “ya” or “tidak”.") % {"value": _quote(value)}
        )

    def _check_consent_addresses(self, row: PlannedRow) -> None:
        for column in self.columns.values():
            if column.kind != "consent" or not row.data.get(column.key):
                continue
            needs = CONSENT_NEEDS.get(Channel(column.channel), "")
            if needs and not row.data.get(needs) and not row.raw.get(needs):
                self._error(
                    row,
                    column,
                    _("This consent needs a value in the column %(field)s.")
                    % {"field": self.columns[needs].label},
                )

    def _check_contact_duplicates_in_file(self, row: PlannedRow) -> None:
        numbers = {row.data[k] for k in ("phone", "whatsapp") if row.data.get(k)}
        email = str(row.data.get("email", "")).lower()
        for number in sorted(numbers):
            earlier = self.seen_numbers.get(number)
            if earlier is not None:
                row.errors.append(
                    _("The number %(number)s is already on line %(line)d.")
                    % {"number": number, "line": earlier}
                )
        if email:
            earlier = self.seen_emails.get(email)
            if earlier is not None:
                row.errors.append(
                    _("The email %(email)s is already on line %(line)d.")
                    % {"email": email, "line": earlier}
                )
        for number in numbers:
            self.seen_numbers.setdefault(number, row.line)
        if email:
            self.seen_emails.setdefault(email, row.line)

    def _check_organisation_duplicates_in_file(self, row: PlannedRow) -> None:
        name = str(row.data.get("name", "")).casefold()
        if not name:
            return
        earlier = self.seen_names.get(name)
        if earlier is not None:
            row.errors.append(
                _("The same organisation name is already on line %(line)d.") % {"line": earlier}
            )
        else:
            self.seen_names[name] = row.line

    # --- a batch of rows: database look-ups and the planned action -------------------
    def plan_batch(self, rows: list[PlannedRow]) -> None:
        if self.kind == ImportKind.CONTACTS:
            self._resolve_organisations(rows)
            self._match_contacts(rows)
        else:
            self._match_organisations(rows)
        for row in rows:
            if row.errors:
                row.action = RowAction.ERROR
                row.existing_id = None

    def _scoped(self, qs: Any) -> Any:
        if self.scope_ids is None:
            return qs
        return qs.filter(unit_id__in=self.scope_ids)

    def _unit_name(self, unit_id: int) -> str:
        if unit_id not in self.unit_names:
            self.unit_names.update(WorkUnit.objects.filter(pk=unit_id).values_list("id", "name"))
        return self.unit_names.get(unit_id, "")

    def _resolve_organisations(self, rows: list[PlannedRow]) -> None:
        wanted = {
            str(r.data["organisation"]).casefold() for r in rows if r.data.get("organisation")
        } - set(self.organisations)
        if wanted:
            found = (
                self._scoped(Organisation.objects.filter(is_active=True))
                .annotate(lname=Lower("name"))
                .filter(lname__in=sorted(wanted))
                .values("id", "name", "lname", "unit_id", "unit__name")
            )
            for name in wanted:
                self.organisations[name] = []
            for org in found:
                self.organisations.setdefault(str(org["lname"]).casefold(), []).append(org)
        for row in rows:
            org_name = row.data.get("organisation")
            if not org_name:
                continue
            name = str(org_name)
            candidates = self.organisations.get(str(name).casefold(), [])
            own = [o for o in candidates if o["unit_id"] == self.unit.pk]
            chosen = own or candidates
            if not chosen:
                row.errors.append(
                    _(
                        "Organisation “%(name)s” was not found in %(unit)s. "
                        "Import or create the organisation first."
                    )
                    % {"name": _quote(str(name)), "unit": self.unit.name}
                )
            elif len(chosen) > 1:
                row.errors.append(
                    _(
                        "Several organisations are called “%(name)s” (%(units)s). "
                        "Import the contact into the unit of the right one."
                    )
                    % {
                        "name": _quote(str(name)),
                        "units": ", ".join(sorted(o["unit__name"] for o in chosen)),
                    }
                )
            else:
                org = chosen[0]
                row.data["organisation"] = org["name"]
                row.data["organisation_id"] = org["id"]
                if org["unit_id"] != self.unit.pk:
                    row.notes.append(
                        _("The contact will belong to %(unit)s, the unit of its organisation.")
                        % {"unit": org["unit__name"]}
                    )

    def _match_contacts(self, rows: list[PlannedRow]) -> None:
        candidates = [r for r in rows if not r.errors]
        numbers = {r.data[k] for r in candidates for k in ("phone", "whatsapp") if r.data.get(k)}
        emails = {str(r.data["email"]).lower() for r in candidates if r.data.get("email")}
        by_number: dict[str, list[dict[str, Any]]] = {}
        by_email: dict[str, list[dict[str, Any]]] = {}
        if numbers or emails:
            condition = Q()
            if numbers:
                condition |= Q(phone__in=sorted(numbers)) | Q(whatsapp__in=sorted(numbers))
            if emails:
                condition |= Q(lower_email__in=sorted(emails))
            existing = (
                self._scoped(Contact.objects.filter(is_active=True, merged_into__isnull=True))
                .annotate(lower_email=Lower("email"))
                .filter(condition)
                .values("id", "name", "phone", "whatsapp", "lower_email", "unit_id")
            )
            for contact in existing:
                for key in ("phone", "whatsapp"):
                    if contact[key]:
                        by_number.setdefault(contact[key], []).append(contact)
                if contact["lower_email"]:
                    by_email.setdefault(str(contact["lower_email"]).lower(), []).append(contact)
        for row in candidates:
            matches: dict[int, dict[str, Any]] = {}
            reasons: list[str] = []
            for key in ("phone", "whatsapp"):
                number = row.data.get(key)
                for contact in by_number.get(number, []) if number else []:
                    matches[contact["id"]] = contact
                    reasons.append(_("same number"))
            email = str(row.data.get("email", "")).lower()
            for contact in by_email.get(email, []) if email else []:
                matches[contact["id"]] = contact
                reasons.append(_("same email"))
            self._plan_match(
                row, list(matches.values()), ", ".join(sorted(set(reasons))), contact=True
            )

    def _match_organisations(self, rows: list[PlannedRow]) -> None:
        candidates = [r for r in rows if not r.errors and r.data.get("name")]
        names = {str(r.data["name"]).casefold() for r in candidates}
        existing: dict[str, list[dict[str, Any]]] = {}
        if names:
            for org in (
                Organisation.objects.filter(unit_id=self.unit.pk)
                .annotate(lname=Lower("name"))
                .filter(lname__in=sorted(names))
                .values("id", "name", "lname", "unit_id")
            ):
                existing.setdefault(str(org["lname"]).casefold(), []).append(org)
        for row in candidates:
            matches = existing.get(str(row.data["name"]).casefold(), [])
            self._plan_match(row, matches, _("same name"), contact=False)

    def _plan_match(
        self, row: PlannedRow, matches: list[dict[str, Any]], reason: str, *, contact: bool
    ) -> None:
        if not matches:
            row.action = RowAction.CREATE
            return
        if len(matches) > 1:
            row.errors.append(
                _("Matches several existing records: %(names)s. Merge them first.")
                % {"names": ", ".join(f"“{m['name']}” (#{m['id']})" for m in matches)}
            )
            return
        match = matches[0]
        earlier = self.claimed.get(match["id"])
        if earlier is not None:
            row.errors.append(
                _("Line %(line)d already matches the existing record “%(name)s” (#%(id)d).")
                % {"line": earlier, "name": match["name"], "id": match["id"]}
            )
            return
        self.claimed[match["id"]] = row.line
        row.existing_id = match["id"]
        params = {"name": match["name"], "id": match["id"], "reason": reason}
        if self.policy == DuplicatePolicy.SKIP:
            row.action = RowAction.SKIP
            message = (
                _("Skipped: the contact “%(name)s” (#%(id)d) already exists (%(reason)s).")
                if contact
                else _("Skipped: the organisation “%(name)s” (#%(id)d) already exists.")
            )
        else:
            row.action = RowAction.UPDATE
            message = (
                _("Updates the existing contact “%(name)s” (#%(id)d, %(reason)s).")
                if contact
                else _("Updates the existing organisation “%(name)s” (#%(id)d).")
            )
        row.notes.append(message % params)
        if row.action == RowAction.UPDATE and match.get("unit_id") not in (None, self.unit.pk):
            row.notes.append(
                _("That record belongs to %(unit)s.") % {"unit": self._unit_name(match["unit_id"])}
            )
