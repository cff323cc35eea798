"""Search finds the same rows on both databases, through the index each one has
(trigram GIN on PostgreSQL, FTS5 trigram on SQLite), and follows every write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from bakohumas.core.models import Role, WorkUnit
from bakohumas.stakeholders.models import Contact, Organisation
from bakohumas.stakeholders.selectors import contact_list, organisation_list

from .factories import make_contact, make_org


def _names(qs: Any) -> list[str]:
    return sorted(qs.values_list("name", flat=True))


def test_contact_search_substrings_words_and_case(
    units: dict[str, WorkUnit], make_user: Callable[..., Any]
) -> None:
    user = make_user("64", Role.VIEWER)
    make_contact(units["64.72"], "Budi Santoso", position="Ketua Divisi Humas")
    make_contact(units["64.03"], "Siti Budiarti", position="Staf")
    make_contact(units["64.03"], "Ahmad Yani", position="Wartawan")
    assert _names(contact_list(user, q="budi")) == ["Budi Santoso", "Siti Budiarti"]
    assert _names(contact_list(user, q="BUDI humas")) == ["Budi Santoso"]
    assert _names(contact_list(user, q="udiar")) == ["Siti Budiarti"]
    assert _names(contact_list(user, q="ya")) == ["Ahmad Yani"]  # shorter than a trigram
    assert _names(contact_list(user, q='"budi')) == []  # quotes are text, not syntax
    assert _names(contact_list(user, q="budi OR ahmad")) == []  # no query operators


def test_search_index_follows_updates_and_deletes(
    units: dict[str, WorkUnit], make_user: Callable[..., Any]
) -> None:
    user = make_user("64", Role.VIEWER)
    contact = make_contact(units["64.72"], "Rahmat Hidayat")
    org = make_org(units["64.72"], "Universitas Mulawarman", city="Samarinda")
    assert _names(contact_list(user, q="rahmat")) == ["Rahmat Hidayat"]
    Contact.objects.filter(pk=contact.pk).update(name="Rahmawati")
    assert _names(contact_list(user, q="rahmat")) == []
    assert _names(contact_list(user, q="wati")) == ["Rahmawati"]
    assert _names(contact_list(user, q="hidayat")) == []
    assert _names(organisation_list(user, q="mulawarman samarinda")) == ["Universitas Mulawarman"]
    Organisation.objects.filter(pk=org.pk).delete()
    assert _names(organisation_list(user, q="mulawarman")) == []
    Contact.objects.filter(pk=contact.pk).delete()
    assert _names(contact_list(user, q="rahma")) == []


def test_search_respects_scope(units: dict[str, WorkUnit], make_user: Callable[..., Any]) -> None:
    make_contact(units["64.03"], "Budi Berau")
    make_contact(units["64.72"], "Budi Samarinda")
    assert _names(contact_list(make_user("64.72", Role.VIEWER), q="budi")) == ["Budi Samarinda"]


def test_each_database_uses_its_own_index(
    units: dict[str, WorkUnit], make_user: Callable[..., Any]
) -> None:
    make_contact(units["64.72"], "Budi Santoso")
    sql = str(contact_list(make_user("64", Role.VIEWER), q="budi").query)
    # SQLite goes through its FTS5 table; PostgreSQL through the expression its GIN index covers
    assert ("stakeholders_contact_fts" in sql) is (connection.vendor == "sqlite")
