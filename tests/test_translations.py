"""The Indonesian catalogue is complete and compiled, and Indonesian is the default."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from bakohumas.core.models import Role

LOCALE = Path(__file__).resolve().parents[1] / "src" / "bakohumas" / "locale"
PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "id" / "LC_MESSAGES" / "django.mo"


def _entries() -> list[str]:
    return PO.read_text(encoding="utf-8").strip().split("\n\n")[1:]


def test_every_message_is_translated_and_not_fuzzy() -> None:
    untranslated = []
    for block in _entries():
        if block.startswith("#~"):
            continue
        assert "#, fuzzy" not in block, block
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        text = "".join(re.findall(r'"(.*)"', "".join(strs)))
        if not text:
            untranslated.append(block)
    assert untranslated == []


def test_placeholders_survive_translation() -> None:
    pattern = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    for msgid, msgstr in catalogue._catalog.items():  # type: ignore[attr-defined]
        if not msgid or isinstance(msgid, tuple):
            continue
        assert sorted(pattern.findall(msgid)) == sorted(pattern.findall(msgstr)), msgid


def test_compiled_catalogue_is_current() -> None:
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    compiled = {k[0] if isinstance(k, tuple) else k for k in catalogue._catalog}  # type: ignore[attr-defined]
    missing = []
    for block in _entries():
        match = re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            msgid = "".join(
                ast.literal_eval(part) for part in re.findall(r'(".*")', match.group(1))
            )
            if msgid not in compiled:
                missing.append(msgid)
    assert missing == [], "run `make messages`: " + repr(missing[:5])


@pytest.mark.django_db
def test_indonesian_is_default_and_english_switchable(login: Callable[..., Client]) -> None:
    client = login("64.72", Role.COORDINATOR)
    page = client.get("/app/").content.decode()
    assert "Dasbor" in page and 'lang="id"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/app/"})
    page = client.get("/app/").content.decode()
    assert "Dashboard" in page and 'lang="en"' in page
