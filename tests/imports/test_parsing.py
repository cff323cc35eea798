"""File detection, decoding, delimiter sniffing and header mapping (no database)."""

from __future__ import annotations

import io
import zipfile

import pytest

from bakohumas.imports.columns import category_index, channel_index, key_for_header
from bakohumas.imports.models import ImportKind
from bakohumas.imports.parsing import (
    SpreadsheetError,
    cell_text,
    decode_text,
    detect_format,
    read_sheet,
    sniff_delimiter,
)
from bakohumas.imports.validation import HeaderError, map_header
from tests.imports.conftest import csv_bytes, xlsx_bytes


def _file(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def test_xlsx_detected_by_content() -> None:
    assert detect_format(_file(xlsx_bytes([["nama"], ["A"]])), "data.xlsx") == "xlsx"


def test_csv_detected() -> None:
    assert detect_format(_file(b"nama,kategori\nA,press\n"), "data.CSV") == "csv"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "virus.xlsx", "not a spreadsheet"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "tool.xlsx", "not a spreadsheet"),
        (b"nama,kategori\nA,press\n", "renamed.xlsx", "not a valid Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.csv", "not a spreadsheet"),
        (b"", "empty.csv", "empty"),
        (b"abc\x00\x00\x00def" * 10, "binary.csv", "not a CSV text file"),
        (b"nama\nA\n", "data.txt", "Only .csv and .xlsx"),
    ],
)
def test_bad_files_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        detect_format(_file(data), name)


def test_zip_without_workbook_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<doc/>")
    with pytest.raises(SpreadsheetError, match="zip archive"):
        detect_format(_file(buffer.getvalue()), "report.xlsx")


def test_workbook_named_csv_refused() -> None:
    with pytest.raises(SpreadsheetError, match=r"Rename it to \.xlsx"):
        detect_format(_file(xlsx_bytes([["nama"]])), "data.csv")


def test_decode_utf8_bom_latin1_cp1252_utf16() -> None:
    assert decode_text("nama\nJosé".encode("utf-8-sig")) == ("nama\nJosé", "utf-8-sig")
    assert decode_text("nama\nJosé".encode()) == ("nama\nJosé", "utf-8")
    text, encoding = decode_text("nama\nJosé Müller, Bandar Seri Begawan".encode("latin-1"))
    assert text == "nama\nJosé Müller, Bandar Seri Begawan"
    assert encoding in {"cp1252", "latin_1", "iso8859_15"}
    text, _enc = decode_text("catatan\n“Humas” \u2013 kantor".encode("cp1252"))
    assert text == "catatan\n“Humas” \u2013 kantor"
    assert decode_text("nama\nAna".encode("utf-16"))[0] == "nama\nAna"


def test_sniff_delimiter() -> None:
    assert sniff_delimiter("nama;kategori\nA;press\nB;party\n") == ";"
    assert sniff_delimiter("nama,kategori\nA,press\n") == ","
    assert sniff_delimiter("nama\tkategori\nA\tpress\n") == "\t"
    # One column only: the sniffer gives up, the fallback answers ",".
    assert sniff_delimiter("nama\n") == ","


def test_read_sheet_keeps_line_numbers_and_drops_blank_rows() -> None:
    data = csv_bytes([["nama", "kategori"], ["A", "press"], ["", ""], ["  ", ""], ["B", "party"]])
    sheet = read_sheet(_file(data), "x.csv", 100)
    assert sheet.header == ["nama", "kategori"]
    assert sheet.rows == [(2, ["A", "press"]), (5, ["B", "party"])]


def test_read_xlsx_numbers_as_typed() -> None:
    data = xlsx_bytes(
        [["nama", "telepon", "catatan"], ["A", 81234567890, 1.5], [None, None], ["B", "0812", True]]
    )
    sheet = read_sheet(_file(data), "x.xlsx", 100)
    assert sheet.rows == [(2, ["A", "81234567890", "1.5"]), (4, ["B", "0812", "ya"])]


def test_row_limit() -> None:
    data = csv_bytes([["nama"], *[[f"n{i}"] for i in range(6)]])
    with pytest.raises(SpreadsheetError, match="more than 5 data rows"):
        read_sheet(_file(data), "x.csv", 5)


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(6281234.0) == "6281234"
    assert cell_text(12) == "12"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Nama", "name"),
        (" NAME ", "name"),
        ("No. HP", "phone"),
        ("no_hp", "phone"),
        ("Telepon", "phone"),
        ("WA", "whatsapp"),
        ("E-Mail", "email"),
        ("Surel", "email"),
        ("Jabatan", "position"),
        ("Organisasi", "organisation"),
        ("Kanal Utama", "preferred_channel"),
        ("Persetujuan WhatsApp", "consent_whatsapp"),
        ("consent email", "consent_email"),
        ("Tags", "tags"),
        ("sesuatu", None),
    ],
)
def test_contact_header_aliases(header: str, key: str | None) -> None:
    assert key_for_header(ImportKind.CONTACTS, header) == key


def test_organisation_header_aliases() -> None:
    assert key_for_header(ImportKind.ORGANISATIONS, "Kategori") == "category"
    assert key_for_header(ImportKind.ORGANISATIONS, "Category") == "category"
    assert key_for_header(ImportKind.ORGANISATIONS, "Situs Web") == "website"


def test_map_header_missing_names_missing_and_accepted() -> None:
    with pytest.raises(HeaderError) as info:
        map_header(ImportKind.ORGANISATIONS, ["nama", "alamat rumah"])
    message = str(info.value)
    assert "kategori" in message.split("Accepted")[0]
    assert "nama (name)" in message and "telepon (phone)" in message


def test_map_header_same_column_twice() -> None:
    with pytest.raises(HeaderError, match="both mean"):
        map_header(ImportKind.CONTACTS, ["nama", "Name"])


def test_map_header_ignores_unknown() -> None:
    mapping, ignored = map_header(ImportKind.CONTACTS, ["No", "Nama", "", "Hobi"])
    assert mapping == {1: "name"}
    assert ignored == ["No", "Hobi"]


def test_vocabularies_accept_codes_labels_and_words() -> None:
    categories = category_index()
    assert categories["press"] == "press"
    assert categories["mass media (press)"] == "press"
    assert categories["pers"] == "press"
    assert categories["partai politik"] == "party"
    assert categories["university"] == "university"
    channels = channel_index()
    assert channels["wa"] == "whatsapp"
    assert channels["surel"] == "email"
    assert channels["email"] == "email"


def test_known_headers_choose_the_delimiter() -> None:
    from bakohumas.imports.parsing import choose_delimiter

    # Commas inside a ";" file: the header decides.
    text = "nama;kategori\nPartai A, B, C, D;partai\n"
    known = lambda h: key_for_header(ImportKind.ORGANISATIONS, h) is not None  # noqa: E731
    assert choose_delimiter(text, known) == ";"
    assert choose_delimiter("nama,kategori\nA;B;C,press\n", known) == ","


def test_excel_sep_hint_line() -> None:
    data = b"sep=;\r\nnama;kategori\r\nA, B;press\r\n"
    sheet = read_sheet(_file(data), "x.csv", 10)
    assert sheet.delimiter == ";"
    assert sheet.header == ["nama", "kategori"]
    assert sheet.rows == [(2, ["A, B", "press"])]
