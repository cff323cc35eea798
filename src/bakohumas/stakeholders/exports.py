"""CSV and XLSX exports of the (filtered, scoped) organisation and contact lists.

CSV is streamed row by row (``StreamingHttpResponse``), so its size is unbounded; XLSX is
written by XlsxWriter in ``constant_memory`` mode to a temporary file and is limited to
:data:`XLSX_MAX_ROWS` rows. Text cells that a spreadsheet would read as a formula
(``=``, ``+``, ``-``, ``@`` …) are prefixed with an apostrophe in CSV; XLSX writes every
value as a plain string or number, never a formula.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from bakohumas.stakeholders.models import Channel, Contact, Organisation

XLSX_MAX_ROWS = 100_000
CHUNK_SIZE = 2000
_E164 = re.compile(r"^\+\d{6,15}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Column = tuple[str, Callable[[Any], Any]]


def _tags(obj: Any) -> str:
    return ", ".join(t.name for t in obj.tags.all())


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _local(obj: Any) -> str:
    value = obj.updated_at
    if value is None:
        return ""
    return obj.unit.localtime(value).strftime("%Y-%m-%d %H:%M") + " " + obj.unit.zone_abbreviation


def organisation_columns() -> list[Column]:
    return [
        (_("ID"), lambda o: o.pk),
        (_("Name"), lambda o: o.name),
        (_("Category"), lambda o: str(o.get_category_display())),
        (_("Unit code"), lambda o: o.unit.code),
        (_("Work unit"), lambda o: o.unit.name),
        (_("City/regency"), lambda o: o.city),
        (_("Address"), lambda o: o.address),
        (_("Phone"), lambda o: o.phone),
        (_("Email"), lambda o: o.email),
        (_("Website"), lambda o: o.website),
        ("Facebook", lambda o: o.facebook),
        ("Instagram", lambda o: o.instagram),
        ("X", lambda o: o.x_account),
        ("YouTube", lambda o: o.youtube),
        ("TikTok", lambda o: o.tiktok),
        (_("Tags"), _tags),
        (_("Active"), lambda o: _yes_no(o.is_active)),
        (_("Updated"), _local),
    ]


def _consent_getter(channel: str) -> Callable[[Contact], str]:
    def get(contact: Contact) -> str:
        for consent in contact.consents.all():  # prefetched
            if consent.channel == channel:
                return str(consent.get_status_display())
        return ""

    return get


def contact_columns() -> list[Column]:
    columns: list[Column] = [
        (_("ID"), lambda c: c.pk),
        (_("Name"), lambda c: c.name),
        (_("Position"), lambda c: c.position),
        (_("Organisation"), lambda c: c.organisation.name if c.organisation else ""),
        (_("Unit code"), lambda c: c.unit.code),
        (_("Work unit"), lambda c: c.unit.name),
        (_("Phone"), lambda c: c.phone),
        (_("WhatsApp"), lambda c: c.whatsapp),
        (_("Email"), lambda c: c.email),
        (_("Preferred channel"), lambda c: str(c.get_preferred_channel_display() or "")),
    ]
    for value, label in Channel.choices:
        columns.append((_("Consent: %(channel)s") % {"channel": label}, _consent_getter(value)))
    columns += [
        (_("Tags"), _tags),
        (_("Active"), lambda c: _yes_no(c.is_active and c.merged_into_id is None)),
        (_("Merged into"), lambda c: c.merged_into_id or ""),
        (_("Updated"), _local),
    ]
    return columns


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _E164.match(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(queryset: QuerySet[Any], columns: list[Column]) -> Iterator[list[Any]]:
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [getter(obj) for _header, getter in columns]


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{timezone.now():%Y%m%d-%H%M}.{ext}"


def csv_response(
    queryset: QuerySet[Any], columns: list[Column], stem: str
) -> StreamingHttpResponse:
    """Stream ``queryset`` as UTF-8 CSV (with a BOM so spreadsheets detect the encoding)."""
    headers = [str(h) for h, _getter in columns]
    writer = csv.writer(_Echo())

    def generate() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(headers)
        for row in _rows(queryset, columns):
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def xlsx_response(
    queryset: QuerySet[Any], columns: list[Column], stem: str, sheet: str
) -> FileResponse:
    """``queryset`` as an XLSX workbook (XlsxWriter, constant memory)."""
    import xlsxwriter

    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="bakohumas-export-")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        for col, (header, _getter) in enumerate(columns):
            worksheet.write_string(0, col, str(header), bold)
        worksheet.freeze_panes(1, 0)
        for row_number, row in enumerate(_rows(queryset, columns), start=1):
            for col, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    worksheet.write_number(row_number, col, value)
                elif value not in (None, ""):
                    worksheet.write_string(row_number, col, str(value))
        workbook.close()
        stream = open(path, "rb")  # closed by FileResponse
    finally:
        os.unlink(path)  # the open handle keeps the data readable until it is closed
    return FileResponse(
        stream,
        as_attachment=True,
        filename=_filename(stem, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_organisations(
    queryset: QuerySet[Organisation], fmt: str
) -> StreamingHttpResponse | FileResponse:
    """``queryset`` comes from ``selectors.organisation_list`` (related rows loaded)."""
    qs = queryset
    if fmt == "xlsx":
        return xlsx_response(qs, organisation_columns(), "organisasi", _("Organisations"))
    return csv_response(qs, organisation_columns(), "organisasi")


def export_contacts(queryset: QuerySet[Contact], fmt: str) -> StreamingHttpResponse | FileResponse:
    """``queryset`` comes from ``selectors.contact_list`` (related rows loaded)."""
    qs = queryset
    if fmt == "xlsx":
        return xlsx_response(qs, contact_columns(), "kontak", _("Contacts"))
    return csv_response(qs, contact_columns(), "kontak")
