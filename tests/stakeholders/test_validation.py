from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bakohumas.stakeholders.validation import normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("62812 3456 7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("(0541) 741234", "+62541741234"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "123", "0812", "+1 202 555 01"])
def test_invalid_phone_raises(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_normalise_email() -> None:
    assert normalise_email(" Humas@KPU.Go.ID ") == "Humas@kpu.go.id"
    assert normalise_email("") == ""
    with pytest.raises(ValidationError):
        normalise_email("not-an-email")
