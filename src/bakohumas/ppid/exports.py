"""The request register, the objection register and the yearly statistics as XLSX
(XlsxWriter) and PDF (ReportLab).

The registers show the requester's personal data only to a ``user`` who may see it
(``services.can_view_pii``); without a user, or for anyone else, the columns are masked
(initials, the identity number's last four characters, no address, email or phone).
Every cell is written as a plain string or number, never a formula. Times are in each
request's unit's own zone.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from bakohumas.ppid import services
from bakohumas.ppid.forms import channel_label
from bakohumas.ppid.models import InformationRequest, Objection

XLSX_MAX_ROWS = 100_000
PDF_MAX_ROWS = 5_000
CHUNK_SIZE = 2000

Column = tuple[str, Callable[[Any], Any], int]  # header, value, width (characters)


def _local(unit: Any, value: datetime | None) -> str:
    if value is None:
        return ""
    return unit.localtime(value).strftime("%Y-%m-%d %H:%M") + " " + unit.zone_abbreviation


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _requester(viewer: Any) -> Callable[[InformationRequest], dict[str, Any]]:
    cache: dict[int, bool] = {}

    def get(request: InformationRequest) -> dict[str, Any]:
        allowed = cache.get(request.unit_id)
        if allowed is None:
            allowed = cache[request.unit_id] = viewer is not None and services.can_view_pii(
                viewer, request
            )
        if allowed:
            return services.requester_data(request, viewer)
        return services.masked(request)

    return get


def request_columns(user: Any = None) -> list[Column]:
    who = _requester(user)
    return [
        (_("Register number"), lambda r: r.register_number, 24),
        (_("Work unit"), lambda r: r.unit.code, 10),
        (_("Received"), lambda r: _local(r.unit, r.received_at), 20),
        (_("Received through"), lambda r: channel_label(r.channel), 14),
        (_("Rule set"), lambda r: r.get_rule_set_display(), 18),
        (_("Requester"), lambda r: r.get_requester_kind_display(), 14),
        (_("Name"), lambda r: who(r)["name"], 24),
        (_("Identity document"), lambda r: r.get_identity_type_display(), 16),
        (_("Identity number"), lambda r: who(r)["identity_number"], 20),
        (_("Address"), lambda r: who(r)["address"], 30),
        (_("Email"), lambda r: who(r)["email"], 24),
        (_("Phone"), lambda r: who(r)["phone"], 16),
        (_("Occupation"), lambda r: r.occupation, 16),
        (_("Information requested"), lambda r: r.information, 50),
        (_("Purpose"), lambda r: r.purpose, 30),
        (_("How to receive it"), lambda r: r.get_receive_method_display(), 18),
        (_("How to get a copy"), lambda r: r.get_copy_method_display(), 16),
        (_("Status"), lambda r: r.get_status_display(), 16),
        (_("Answer due"), lambda r: _day(r.due_date), 12),
        (_("Extended"), lambda r: _local(r.unit, r.extended_at), 20),
        (_("Decision"), lambda r: r.get_decision_display(), 18),
        (_("Decided"), lambda r: _local(r.unit, r.decided_at), 20),
        (_("Exemption ground"), lambda r: r.exemption_ground.upper(), 10),
        (_("Redirected to"), lambda r: r.redirected_to, 20),
        (_("Copying fee"), lambda r: int(r.fee or 0), 12),
        (_("Officer"), lambda r: _person(r.assignee), 20),
    ]


def objection_columns() -> list[Column]:
    return [
        (_("Register number"), lambda o: o.register_number, 24),
        (_("Request"), lambda o: o.request.register_number, 24),
        (_("Work unit"), lambda o: o.request.unit.code, 10),
        (_("Filed"), lambda o: _local(o.request.unit, o.filed_at), 20),
        (_("Reason"), lambda o: o.get_reason_display(), 30),
        (_("The objection"), lambda o: o.statement, 50),
        (_("Answer due"), lambda o: _day(o.due_date), 12),
        (_("Status"), lambda o: o.get_status_display(), 12),
        (_("Decision"), lambda o: o.get_decision_display(), 24),
        (_("Decided"), lambda o: _local(o.request.unit, o.decided_at), 20),
        (_("Response of the superior"), lambda o: o.response, 50),
    ]


def _request_rows(qs: QuerySet[InformationRequest]) -> Iterable[InformationRequest]:
    return qs.select_related("unit", "assignee").iterator(chunk_size=CHUNK_SIZE)


def _objection_rows(qs: QuerySet[Objection]) -> Iterable[Objection]:
    return qs.select_related("request__unit").iterator(chunk_size=CHUNK_SIZE)


# XLSX ---------------------------------------------------------------------------------
def _workbook(buffer: io.BytesIO) -> Any:
    import xlsxwriter

    return xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )


def _sheet(workbook: Any, title: str, columns: list[Column], rows: Iterable[Any]) -> int:
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for col, (header, _get, width) in enumerate(columns):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, width, wrap if width >= 30 else None)
    sheet.freeze_panes(1, 1)
    count = 0
    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            break
        for col, (_header, get, _width) in enumerate(columns):
            value = get(row)
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, str(value or ""))
    if count:
        sheet.autofilter(0, 0, min(count, XLSX_MAX_ROWS), len(columns) - 1)
    return count


def requests_xlsx(qs: QuerySet[InformationRequest], *, user: Any = None) -> bytes:
    """The request register (``qs`` already filtered and scoped)."""
    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    _sheet(workbook, _("Requests"), request_columns(user), _request_rows(qs))
    workbook.close()
    return buffer.getvalue()


def objections_xlsx(qs: QuerySet[Objection]) -> bytes:
    """The objection register (``qs`` already filtered and scoped)."""
    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    _sheet(workbook, _("Objections"), objection_columns(), _objection_rows(qs))
    workbook.close()
    return buffer.getvalue()


def _stats_tables(stats: dict[str, Any]) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The statistics as titled two-column tables (label, value)."""
    share = stats["on_time_share"]
    average = stats["average_working_days"]
    summary = [
        (_("Requests received"), stats["total"]),
        (_("Decided"), stats["decided"]),
        (_("Still open"), stats["open"]),
        (_("Overdue (open past the due date)"), stats["overdue"]),
        (
            _("Average working days to the decision"),
            average if average is not None else "-",
        ),
        (_("Decided on time"), stats["on_time"]),
        (
            _("Share decided on time"),
            f"{share * 100:.1f} %" if share is not None else "-",
        ),
    ]
    objections = stats["objections"]

    def rows(items: list[dict[str, Any]]) -> list[tuple[str, Any]]:
        return [(row["label"], row["count"]) for row in items]

    return [
        (_("Summary"), summary),
        (_("By status"), rows(stats["by_status"])),
        (_("By decision"), rows(stats["by_decision"])),
        (_("By rule set"), rows(stats["by_rule_set"])),
        (_("By channel"), rows(stats["by_channel"])),
        (
            _("Objections"),
            [
                (_("Objections filed"), objections["total"]),
                (_("Waiting for a decision"), objections["pending"]),
                (_("Decided after the due date"), objections["decided_late"]),
            ],
        ),
        (_("Objections by reason"), rows(objections["by_reason"])),
        (_("Objections by outcome"), rows(objections["by_decision"])),
    ]


def stats_title(stats: dict[str, Any], unit_name: str = "") -> str:
    title = _("Public information service statistics %(year)s") % {"year": stats["year"]}
    return f"{title} — {unit_name}" if unit_name else title


def stats_xlsx(stats: dict[str, Any], unit_name: str = "") -> bytes:
    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    sheet = workbook.add_worksheet(_("Statistics")[:31])
    bold = workbook.add_format({"bold": True})
    heading = workbook.add_format({"bold": True, "font_size": 13})
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 14)
    sheet.write_string(0, 0, stats_title(stats, unit_name), heading)
    line = 2
    for title, items in _stats_tables(stats):
        sheet.write_string(line, 0, title, bold)
        line += 1
        for label, value in items:
            sheet.write_string(line, 0, str(label))
            if isinstance(value, int | float):
                sheet.write_number(line, 1, value)
            else:
                sheet.write_string(line, 1, str(value))
            line += 1
        line += 1
    workbook.close()
    return buffer.getvalue()


# PDF ----------------------------------------------------------------------------------
def _p(text: Any, style: Any, limit: int = 600) -> Any:
    from reportlab.platypus import Paragraph

    value = str(text or "")
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _pdf(
    title: str, subtitle: str, tables: list[tuple[str, list[list[Any]], list[float]]]
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from bakohumas.portal.pdf import FONT, FONT_BOLD, _register_fonts

    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="Bakohumas",
        invariant=True,
    )
    heading = ParagraphStyle("h", fontName=FONT_BOLD, fontSize=13, leading=17)
    small = ParagraphStyle("s", fontName=FONT, fontSize=8.5, leading=11)
    section = ParagraphStyle("sec", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6)
    story: list[Any] = [Paragraph(escape(title), heading)]
    if subtitle:
        story.append(Paragraph(escape(subtitle), small))
    story.append(Spacer(1, 4 * mm))
    for caption, rows, widths in tables:
        if caption:
            story.append(Paragraph(escape(caption), section))
        table = LongTable(rows, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E9ECEF")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#ADB5BD")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        story.append(Spacer(1, 3 * mm))
    doc.build(story)
    return buffer.getvalue()


def _styles() -> tuple[Any, Any]:
    from reportlab.lib.styles import ParagraphStyle

    from bakohumas.portal.pdf import FONT, FONT_BOLD, _register_fonts

    _register_fonts()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5)
    head = ParagraphStyle("head", fontName=FONT_BOLD, fontSize=7.5, leading=9.5)
    return cell, head


def _generated_line(count: int, truncated: bool) -> str:
    from django.utils import timezone

    text = _("%(count)s rows, generated %(when)s") % {
        "count": count,
        "when": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
    }
    if truncated:
        text += " " + _("(only the first %(max)s rows; narrow the filters)") % {"max": PDF_MAX_ROWS}
    return text


def requests_pdf(qs: QuerySet[InformationRequest], title: str, *, user: Any = None) -> bytes:
    """The request register as a landscape A4 table (the first ``PDF_MAX_ROWS`` rows)."""
    cell, head = _styles()
    who = _requester(user)
    headers = [
        _("Register number"),
        _("Received"),
        _("Requester"),
        _("Information requested"),
        _("Rule set"),
        _("Status"),
        _("Answer due"),
        _("Decision"),
        _("Decided"),
    ]
    rows: list[list[Any]] = [[_p(h, head) for h in headers]]
    truncated = False
    for count, request in enumerate(_request_rows(qs), start=1):
        if count > PDF_MAX_ROWS:
            truncated = True
            break
        rows.append(
            [
                _p(request.register_number, cell),
                _p(_local(request.unit, request.received_at), cell),
                _p(who(request)["name"], cell),
                _p(request.information, cell, 400),
                _p(request.rule_set.upper(), cell),
                _p(request.get_status_display(), cell),
                _p(_day(request.due_date), cell),
                _p(request.get_decision_display(), cell),
                _p(_local(request.unit, request.decided_at), cell),
            ]
        )
    widths = [34.0, 26.0, 30.0, 78.0, 14.0, 22.0, 18.0, 24.0, 26.0]
    return _pdf(title, _generated_line(len(rows) - 1, truncated), [("", rows, widths)])


def objections_pdf(qs: QuerySet[Objection], title: str) -> bytes:
    cell, head = _styles()
    headers = [
        _("Register number"),
        _("Request"),
        _("Filed"),
        _("Reason"),
        _("The objection"),
        _("Answer due"),
        _("Status"),
        _("Decision"),
    ]
    rows: list[list[Any]] = [[_p(h, head) for h in headers]]
    truncated = False
    for count, objection in enumerate(_objection_rows(qs), start=1):
        if count > PDF_MAX_ROWS:
            truncated = True
            break
        rows.append(
            [
                _p(objection.register_number, cell),
                _p(objection.request.register_number, cell),
                _p(_local(objection.request.unit, objection.filed_at), cell),
                _p(objection.get_reason_display(), cell),
                _p(objection.statement, cell, 400),
                _p(_day(objection.due_date), cell),
                _p(objection.get_status_display(), cell),
                _p(objection.get_decision_display(), cell),
            ]
        )
    widths = [34.0, 34.0, 26.0, 40.0, 70.0, 18.0, 18.0, 30.0]
    return _pdf(title, _generated_line(len(rows) - 1, truncated), [("", rows, widths)])


def stats_pdf(stats: dict[str, Any], unit_name: str = "") -> bytes:
    cell, head = _styles()
    tables = []
    for caption, items in _stats_tables(stats):
        rows: list[list[Any]] = [[_p(caption, head), _p(_("Count"), head)]]
        rows += [[_p(label, cell), _p(value, cell)] for label, value in items]
        tables.append(("", rows, [110.0, 30.0]))
    return _pdf(stats_title(stats, unit_name), "", tables)
