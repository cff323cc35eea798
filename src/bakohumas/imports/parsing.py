"""Reading uploaded spreadsheets: file-type detection by content, CSV decoding and
dialect sniffing, XLSX through openpyxl's read-only mode.

Everything here raises :class:`SpreadsheetError` with a readable message for a file
that cannot be read; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

CSV = "csv"
XLSX = "xlsx"
ALLOWED_EXTENSIONS = (".csv", ".xlsx")

# An XLSX whose parts unpack to more than this is refused (zip bomb).
MAX_UNCOMPRESSED_XLSX = 256 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
CANDIDATE_DELIMITERS = (";", ",", "\t", "|")

_MAGIC_NAMES = (
    (b"MZ", "Windows executable"),
    (b"\x7fELF", "Linux executable"),
    (b"\xcf\xfa\xed\xfe", "macOS executable"),
    (b"%PDF", "PDF document"),
    (b"\xd0\xcf\x11\xe0", "old Office document (.xls/.doc)"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
)


class SpreadsheetError(Exception):
    """A file that cannot be read as a spreadsheet; ``str(exc)`` is the user message."""


@dataclass
class Sheet:
    """The rows of a spreadsheet: the header and the data rows with their line numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""


def _head(fileobj: IO[bytes], size: int = SNIFF_BYTES) -> bytes:
    fileobj.seek(0)
    data = fileobj.read(size)
    fileobj.seek(0)
    return data


def _is_xlsx_zip(fileobj: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        fileobj.seek(0)
    return "xl/workbook.xml" in names


def detect_format(fileobj: IO[bytes], name: str) -> str:
    """``"csv"`` or ``"xlsx"`` from the file's content, checked against its name.

    An .xlsx must be a zip archive holding ``xl/workbook.xml``; a .csv must be text.
    Raises :class:`SpreadsheetError` otherwise (an executable renamed .xlsx, an old .xls,
    a picture …).
    """
    lower = (name or "").lower()
    if lower.endswith(".xls"):
        raise SpreadsheetError(
            _("Old Excel files (.xls) are not supported. Save the file as .xlsx or CSV.")
        )
    if not lower.endswith(ALLOWED_EXTENSIONS):
        raise SpreadsheetError(_("Only .csv and .xlsx files can be imported."))
    head = _head(fileobj)
    if not head:
        raise SpreadsheetError(_("The file is empty."))
    expected = XLSX if lower.endswith(".xlsx") else CSV
    if head.startswith(b"PK\x03\x04"):
        if not _is_xlsx_zip(fileobj):
            raise SpreadsheetError(_("The file is a zip archive, not an Excel workbook."))
        if expected != XLSX:
            raise SpreadsheetError(
                _("The file is an Excel workbook but its name ends in .csv. Rename it to .xlsx.")
            )
        return XLSX
    for magic, _description in _MAGIC_NAMES:
        if head.startswith(magic):
            raise SpreadsheetError(_("The file is not a spreadsheet. Upload a .csv or .xlsx file."))
    if expected == XLSX:
        raise SpreadsheetError(
            _("The file is not a valid Excel workbook (.xlsx), whatever its name says.")
        )
    if _looks_binary(head):
        raise SpreadsheetError(_("The file is not a CSV text file."))
    return CSV


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs; it is text
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return control > max(8, len(head) // 100)


# --- CSV ------------------------------------------------------------------------------
def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the most
    likely single-byte Western encoding (cp1252 / Latin-1), detected with
    charset-normalizer. Returns ``(text, encoding)``."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = ""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(
            data[: SNIFF_BYTES * 4], cp_isolation=["cp1252", "latin_1", "iso8859_15"]
        ).best()
        encoding = best.encoding if best is not None else ""
    except Exception:  # detection is a best effort; cp1252 below is the usual answer
        encoding = ""
    for candidate in (encoding, "cp1252", "latin_1"):
        if not candidate:
            continue
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin_1", errors="replace"), "latin_1"  # pragma: no cover


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: ``;``, ``,``, tab or ``|`` (Sniffer, then counting)."""
    sample = text[:SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(CANDIDATE_DELIMITERS)).delimiter
    except csv.Error:
        pass
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    counts = {d: first_line.count(d) for d in CANDIDATE_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def choose_delimiter(text: str, known_header: Callable[[str], bool] | None = None) -> str:
    """The delimiter of a CSV text. When ``known_header`` is given, the candidate that
    splits the first line into the most recognised column names wins (a value with
    commas in a ``;`` file cannot fool it); otherwise, or on a tie, :func:`sniff_delimiter`.
    """
    sniffed = sniff_delimiter(text)
    if known_header is None:
        return sniffed
    first = next(iter(text.splitlines()), "")
    scores = {}
    for candidate in CANDIDATE_DELIMITERS:
        cells = next(csv.reader([first], delimiter=candidate), [])
        scores[candidate] = sum(1 for cell in cells if known_header(cell))
    best = max(scores.values())
    if best == 0 or scores[sniffed] == best:
        return sniffed
    return next(d for d in CANDIDATE_DELIMITERS if scores[d] == best)


def read_csv(
    fileobj: IO[bytes], max_rows: int, known_header: Callable[[str], bool] | None = None
) -> Sheet:
    fileobj.seek(0)
    data = fileobj.read()
    text, encoding = decode_text(data)
    if not text.strip():
        raise SpreadsheetError(_("The file is empty."))
    # Excel's "sep=;" first line names the delimiter; Excel does not show it as a row.
    first, _newline, rest = text.partition("\n")
    hint = first.strip().strip('"')
    if hint.lower().startswith("sep=") and len(hint) == 5:
        delimiter, text = hint[4], rest
    else:
        delimiter = choose_delimiter(text, known_header)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _collect(reader, max_rows)
    except csv.Error as exc:
        raise SpreadsheetError(
            _("The CSV file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    rows.encoding, rows.delimiter = encoding, delimiter
    return rows


# --- XLSX -----------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell value as the text a user typed: ``81234567890.0`` → ``"81234567890"``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(fileobj: IO[bytes], max_rows: int) -> Sheet:
    """The first worksheet of a workbook, read with openpyxl in read-only mode."""
    import openpyxl

    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(_("The Excel workbook is damaged.")) from exc
    if unpacked > MAX_UNCOMPRESSED_XLSX:
        raise SpreadsheetError(_("The Excel workbook is too large once unpacked."))
    fileobj.seek(0)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise SpreadsheetError(_("The Excel workbook cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise SpreadsheetError(_("The Excel workbook has no worksheet."))
        rows_iter = ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        try:
            return _collect(rows_iter, max_rows)
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError(_("The Excel workbook cannot be read.")) from exc
    finally:
        workbook.close()


# --- Shared ---------------------------------------------------------------------------
def _collect(rows: Iterator[list[str]], max_rows: int) -> Sheet:
    """Header = the first non-empty row; data rows keep their spreadsheet line numbers.

    Blank rows are dropped silently; trailing empty cells are trimmed.
    """
    header: list[str] | None = None
    data: list[tuple[int, list[str]]] = []
    for line_number, raw in enumerate(rows, start=1):
        cells = [str(c).strip() for c in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = cells
            continue
        data.append((line_number, cells))
        if len(data) > max_rows:
            raise SpreadsheetError(
                _("The file has more than %(max)d data rows. Split it into smaller files.")
                % {"max": max_rows}
            )
    if header is None:
        raise SpreadsheetError(_("The file is empty."))
    return Sheet(header=header, rows=data)


def read_sheet(
    fileobj: IO[bytes], name: str, max_rows: int, known_header: Callable[[str], bool] | None = None
) -> Sheet:
    """Detect the format of ``fileobj`` and read it (see :func:`detect_format`).

    ``known_header`` (a header name → recognised?) helps choose a CSV's delimiter.
    """
    fmt = detect_format(fileobj, name)
    if fmt == XLSX:
        return read_xlsx(fileobj, max_rows)
    return read_csv(fileobj, max_rows, known_header)
