"""Files the import pages hand out: the templates (CSV and XLSX) and the errors of a job.

CSV files are written the way Indonesian Excel opens them with a double click: UTF-8
with a byte-order mark and ``;`` between columns (the import reads both ``;`` and ``,``).
Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from bakohumas.imports.columns import TEMPLATE_COLUMNS, column_map, columns_for
from bakohumas.imports.models import ImportJob, ImportKind, ImportRow, RowAction, RowOutcome
from bakohumas.stakeholders.models import Category, Channel

CSV_DELIMITER = ";"
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """Text for a CSV cell, neutralised against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else ""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r"):
        return "'" + text
    if text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit():
        return "'" + text
    return text


def _csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n").writerow(
        [safe_cell(v) for v in values]
    )
    return buffer.getvalue()


def template_columns(kind: str) -> list[Any]:
    columns = column_map(kind)
    return [columns[key] for key in TEMPLATE_COLUMNS[ImportKind(kind)]]


def template_csv(kind: str) -> bytes:
    """The CSV template of ``kind``: Indonesian headers and one example row."""
    columns = template_columns(kind)
    text = BOM + _csv_line(c.header for c in columns) + _csv_line(c.example for c in columns)
    return text.encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """The XLSX template of ``kind``: a data sheet (headers, one example row, numbers
    stored as text so leading zeros survive) and a guide sheet listing every column and
    the accepted categories and channels."""
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet("Data")
    for col, column in enumerate(template_columns(kind)):
        sheet.write_string(0, col, column.header, bold)
        sheet.set_column(col, col, max(14, len(column.example) + 2), text)
        if column.example:
            sheet.write_string(1, col, column.example)
    sheet.freeze_panes(1, 0)

    guide = workbook.add_worksheet(_("Guide")[:31])
    guide.set_column(0, 0, 24)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 30)
    guide.set_column(3, 3, 70)
    row = 0
    for col, title in enumerate(
        (_("Column"), _("Required"), _("Other accepted names"), _("Description"))
    ):
        guide.write_string(row, col, title, bold)
    for column in columns_for(kind):
        row += 1
        guide.write_string(row, 0, column.header)
        guide.write_string(row, 1, _("yes") if column.required else "")
        guide.write_string(row, 2, ", ".join(column.aliases[1:]), wrap)
        description = str(column.label)
        if column.help:
            description = f"{description}. {column.help}"
        guide.write_string(row, 3, description, wrap)
    vocabularies: list[tuple[str, Any]] = []
    if "category" in column_map(kind):
        vocabularies.append((_("Categories"), Category.choices))
    if "preferred_channel" in column_map(kind):
        vocabularies.append((_("Channels"), Channel.choices))
    for title, choices in vocabularies:
        row += 2
        guide.write_string(row, 0, title, bold)
        guide.write_string(row, 1, _("Code"), bold)
        guide.write_string(row, 2, _("Name"), bold)
        for value, label in choices:
            row += 1
            guide.write_string(row, 1, value)
            guide.write_string(row, 2, str(label))
    workbook.close()
    return output.getvalue()


def _row_value(row: ImportRow, key: str) -> Any:
    raw = row.data.get("_raw")
    if isinstance(raw, dict):
        return raw.get(key, "")
    if key == "organisation":
        return row.data.get("organisation", "")
    return row.data.get(key, "")


def error_rows(job: ImportJob) -> Any:
    from django.db.models import Q

    return (
        ImportRow.objects.filter(job=job)
        .filter(Q(action=RowAction.ERROR) | Q(outcome=RowOutcome.FAILED))
        .order_by("line_number")
    )


def errors_csv(job: ImportJob) -> Iterator[bytes]:
    """The rows of ``job`` with errors, as CSV lines: the line number, the errors, then
    the values as they were in the file (fix them and upload this file again: the two
    first columns are ignored by the import)."""
    columns = column_map(job.kind)
    keys = [k for k in job.columns if k in columns]
    header = [_("line"), _("errors"), *[columns[k].header for k in keys]]
    yield (BOM + _csv_line(header)).encode("utf-8")
    for row in error_rows(job).iterator(chunk_size=1000):
        values = [row.line_number, " | ".join(str(e) for e in row.errors)]
        values += [_row_value(row, k) for k in keys]
        yield _csv_line(values).encode("utf-8")
