"""Raw emails as mail clients write them, for the inbound email tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x11" * 2000 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def make_email(
    text: str | None = "Kapan jadwal coklit di Samarinda?",
    *,
    html: str | None = None,
    sender: str = "Siti Aminah <Siti.Aminah@Example.ID>",
    to: str = "humas@kpu-samarinda.example.id",
    subject: str = "Pertanyaan coklit",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    """A message with a text and/or HTML body and attachments (name, bytes, declared type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.id>"
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, data, declared in files:
        maintype, subtype = declared.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)
