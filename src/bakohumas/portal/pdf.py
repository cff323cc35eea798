"""The PDF of a press release (ReportLab), generated on request.

The layout follows a press release of the media centre: the unit's name, "SIARAN PERS",
the release number and date, the title, the body, the contact person. Text comes from the
item's sanitised HTML reduced to paragraphs and list items (no markup reaches ReportLab:
every string is escaped). The Bitstream Vera fonts shipped inside ReportLab cover Latin
with diacritics; characters they lack (emoji, other scripts) print as a replacement box
but never fail. The PDF is invariant (no creation time or random id), so the same item
gives the same bytes.
"""

from __future__ import annotations

import io
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from bakohumas.content.models import ContentItem

_FONTS_REGISTERED = False
FONT = "BakohumasVera"
FONT_BOLD = "BakohumasVera-Bold"
FONT_ITALIC = "BakohumasVera-Italic"

BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _Blocks(HTMLParser):
    """Sanitised HTML → a list of (kind, text) blocks: "p", "h" (heading) or "li"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._parts: list[str] = []
        self._kind = "p"

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self.blocks.append((self._kind, text))
        self._parts = []
        self._kind = "p"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._flush()
            self._kind = "h" if tag in HEADING_TAGS else ("li" if tag == "li" else "p")
        elif tag == "br":
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(html: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


def _register_fonts() -> None:
    global _FONTS_REGISTERED
    if _FONTS_REGISTERED:
        return
    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(fonts / "VeraIt.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)
    _FONTS_REGISTERED = True


def _text(value: Any) -> str:
    """Plain text made safe for ReportLab's paragraph mini-markup (escaped, line breaks)."""
    return escape(str(value or "")).replace("\n", "<br/>")


def press_release_pdf(item: ContentItem, *, url: str = "") -> bytes:
    """The PDF of the press release ``item`` (any public item works the same)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        HRFlowable,
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )

    _register_fonts()
    unit = item.unit
    base = ParagraphStyle("base", fontName=FONT, fontSize=10.5, leading=15)
    small = ParagraphStyle(
        "small", parent=base, fontSize=9, leading=12, textColor=colors.HexColor("#333333")
    )
    header = ParagraphStyle("header", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16)
    kicker = ParagraphStyle(
        "kicker", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceBefore=6
    )
    title = ParagraphStyle(
        "title",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=14,
        leading=19,
        spaceBefore=8,
        spaceAfter=8,
    )
    heading = ParagraphStyle(
        "heading", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=16, spaceBefore=6
    )
    body = ParagraphStyle("body", parent=base, spaceAfter=6)

    published = unit.localtime(item.published_at) if item.published_at else None
    story: list[Any] = [
        Paragraph(_text(unit.name), header),
        Paragraph(_text(unit.address), small) if unit.address else Spacer(0, 0),
        HRFlowable(
            width="100%", thickness=1, color=colors.HexColor("#8b1a1a"), spaceBefore=4, spaceAfter=4
        ),
        Paragraph(_text(_("PRESS RELEASE")), kicker),
    ]
    facts = []
    if item.release_number:
        facts.append(_text(_("Number: %(number)s") % {"number": item.release_number}))
    if published is not None:
        when = formats.date_format(published, "DATE_FORMAT")
        facts.append(_text(_("Date: %(date)s") % {"date": when}))
    if facts:
        story.append(Paragraph("<br/>".join(facts), small))
    story.append(Paragraph(_text(item.title), title))
    if item.summary:
        story.append(Paragraph(f"<i>{_text(item.summary)}</i>", body))

    bullets: list[Any] = []

    def flush_bullets() -> None:
        if bullets:
            story.append(
                ListFlowable(list(bullets), bulletType="bullet", leftIndent=12, bulletFontName=FONT)
            )
            bullets.clear()

    for kind, text in html_blocks(item.body):
        if kind == "li":
            bullets.append(ListItem(Paragraph(_text(text), body), leftIndent=12))
            continue
        flush_bullets()
        story.append(Paragraph(_text(text), heading if kind == "h" else body))
    flush_bullets()

    contact = [c for c in (item.contact_name, item.contact_phone, item.contact_email) if c]
    if contact:
        story.append(Spacer(0, 6 * mm))
        story.append(Paragraph(_text(_("Contact person")), heading))
        story.append(Paragraph("<br/>".join(_text(c) for c in contact), body))
    if url:
        story.append(Spacer(0, 4 * mm))
        story.append(Paragraph(_text(url), small))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=item.title,
        author=unit.name,
        subject=_("Press release"),
        creator="Bakohumas",
        invariant=1,
        lang="id",
    )
    doc.build(story)
    return buffer.getvalue()
