"""The inbox part of ``generate_dataset`` and a tiny run of the inbox benchmark
(``bench/inbox.py``): the pages, their floors and the webhook loop on a small data set."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max

from bakohumas.core.management.commands.generate_dataset import (
    EVENT_COLUMNS,
    MESSAGE_COLUMNS,
    THREAD_COLUMNS,
)
from bakohumas.core.models import WorkUnit
from bakohumas.dissemination.models import ChannelAccount
from bakohumas.inbox import search
from bakohumas.inbox.models import (
    Channel,
    Direction,
    InboxTag,
    Message,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadStatus,
)
from bench import inbox

pytestmark = pytest.mark.django_db

THREADS, MESSAGES = 400, 1_600


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def dataset() -> str:
    out = StringIO()
    call_command(
        "generate_dataset",
        "--scale",
        "small",
        "--organisations",
        "20",
        "--contacts",
        "300",
        "--content",
        "0",
        "--threads",
        str(THREADS),
        "--messages",
        str(MESSAGES),
        stdout=out,
    )
    return out.getvalue()


def test_the_insert_columns_are_every_column_of_the_models() -> None:
    def columns(model: Any) -> set[str]:
        return {f.column for f in model._meta.concrete_fields}

    assert set(THREAD_COLUMNS) == columns(Thread)
    assert set(MESSAGE_COLUMNS) == columns(Message) - {"id"}
    assert set(EVENT_COLUMNS) == columns(ThreadEvent) - {"id"}


def test_generated_inbox_is_complete_consistent_and_searchable(dataset: str) -> None:
    assert f"{THREADS:,} inbox threads with {MESSAGES:,} messages" in dataset
    assert Thread.objects.count() == THREADS
    assert Message.objects.count() == MESSAGES
    # Every kind (but PPID requests, which come with their request), channel, status and
    # direction; some assigned, some tagged, some linked to a hoax case or a contact.
    kinds = set(Thread.objects.values_list("kind", flat=True))
    assert kinds == set(ThreadKind.values) - {ThreadKind.INFORMATION_REQUEST}
    assert set(Thread.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Thread.objects.values_list("status", flat=True)) == set(ThreadStatus.values)
    assert set(Message.objects.values_list("direction", flat=True)) == set(Direction.values)
    assert 0 < Thread.objects.filter(assignee__isnull=False).count() < THREADS
    assert Thread.tags.through.objects.exists() and InboxTag.objects.exists()
    assert Thread.objects.filter(kind=ThreadKind.HOAX_REPORT, hoax_case__isnull=False).exists()
    assert Thread.objects.filter(contact__isnull=False).exists()
    assert ThreadEvent.objects.filter(action="received").count() == THREADS
    # The denormalised fields match the messages.
    stats = {
        row["thread"]: row
        for row in Message.objects.values("thread").annotate(n=Count("id"), last=Max("created_at"))
    }
    for thread in Thread.objects.all():
        assert thread.message_count == stats[thread.pk]["n"]
        assert thread.last_message_at == stats[thread.pk]["last"]
        assert thread.created_at <= thread.last_message_at
        assert thread.first_response_due and thread.due_at
        assert thread.created_at < thread.first_response_due <= thread.due_at
        directions = list(thread.messages.values_list("direction", flat=True))
        assert directions[0] == Direction.INBOUND
        if thread.status == ThreadStatus.NEW:
            assert set(directions) == {Direction.INBOUND} and thread.unread
        if thread.status == ThreadStatus.WAITING:
            assert directions[-1] == Direction.OUTBOUND
        if thread.channel == Channel.WHATSAPP:
            assert thread.handle.startswith("+62") and thread.handle == thread.phone
    # Ids grow with time; replies have authors of the thread's unit or above.
    created = list(Thread.objects.order_by("id").values_list("created_at", flat=True))
    assert created == sorted(created)
    reply = Message.objects.filter(direction=Direction.OUTBOUND).select_related("author")
    assert all(m.author_id for m in reply[:50])
    # Every thread has its search document, and the search finds the generated words.
    for thread in Thread.objects.all()[:20]:
        document = (search.document_of(thread.pk) or "").lower()
        assert thread.subject.lower()[:20] in document
    assert search.search_threads(Thread.objects.all(), inbox.COMMON_WORD).exists()
    # The id sequence goes on after the generated ids.
    unit = WorkUnit.objects.get(code="64.72")
    later = Thread.objects.create(unit=unit, kind=ThreadKind.MESSAGE, channel=Channel.EMAIL)
    assert later.pk > max(
        t for t in Thread.objects.exclude(pk=later.pk).values_list("pk", flat=True)
    )


def test_a_tiny_benchmark_run_measures_pages_floors_and_the_webhook(
    dataset: str, settings: Any
) -> None:
    settings.ROOT_URLCONF = "bench.inbox"
    unit = inbox.busiest_unit()
    assert unit.threads.count() == max(
        WorkUnit.objects.annotate(n=Count("threads")).values_list("n", flat=True)
    )
    pages = inbox.measure_pages(unit, requests=2, budget=0.2)
    assert set(pages) == {p["key"] for p in inbox.pages(unit.code)}
    for key, page in pages.items():
        assert "error" not in page, (key, page)
        assert page["p50_ms"] > 0 and page["p95_ms"] >= page["p50_ms"]
        assert page["sql"]["queries"] > 0 and page["sql"]["p50_ms"] > 0
        assert page["floor"]["p50_ms"] > 0
        assert page["bytes"] > 1000
    assert pages["search-common"]["matches"]["found"] > 0
    assert pages["search-common"]["matches"]["method"] in {"scan", "index"}
    hook = inbox.measure_webhook(unit, messages=6, budget=1)
    assert hook["errors"] == []
    assert hook["product"]["messages"] == hook["product"]["stored"] == 6
    assert hook["product"]["threads"] == 3  # three senders, two messages each
    assert hook["replay"] == {"status": 200, "stored": 0}
    assert hook["floor"]["messages"] == 6 and hook["floor"]["rate"] > 0
    # Nothing of the run is left.
    assert not ChannelAccount.objects.exists()
    assert Thread.objects.count() == THREADS and Message.objects.count() == MESSAGES
    # The report renders it.
    result = {
        "started": "2026-11-30 10:00",
        "databases": [
            {
                "db": connection.vendor,
                "version": "x",
                "threads": THREADS,
                "messages": MESSAGES,
                "unit": {"code": unit.code, "name": unit.name},
                "pages": pages,
                "webhook": hook,
                "errors": [],
            }
        ],
    }
    text = "\n".join(inbox.render(result))
    assert text.startswith(inbox.HEADING)
    assert "search, common word `pemilih`" in text and "msg/s" in text
    assert "HTTP 200, 0 stored" in text


def test_render_marks_targets_and_splice_replaces_only_the_inbox_section() -> None:
    page = {"p50_ms": 20.0, "p95_ms": 40.0, "sql": {"p50_ms": 2.0, "p95_ms": 3.0, "queries": 9}}
    slow = {**page, "p95_ms": 400.0}
    db = {
        "db": "sqlite",
        "pages": {"list": page, "search-common": slow},
        "webhook": {
            "product": {
                "rate": 100.0,
                "p50_ms": 9.0,
                "p95_ms": 12.0,
                "messages": 10,
                "stored": 10,
                "threads": 5,
            },
            "floor": {"rate": 1000.0, "p50_ms": 1.0, "p95_ms": 1.2},
            "replay": {"status": 200, "stored": 0},
        },
        "errors": ["something"],
    }
    lines = inbox.render({"databases": [db]})
    table = "\n".join(lines)
    assert "| inbox list, first page | 20.0 / 40.0 ✓ | 2.0 / 3.0 (9 q) |" in table
    assert "400.0 ✗" in table
    assert "| ratio product / floor | 0.10 |" in table
    assert "- SQLite: problem: something" in table
    assert inbox.render({}) == []

    report = (
        "# B\n\n## Dissemination (issue 4)\n\nold d\n\n## Inbox (issue 5)\n\nold i\n\n"
        "## Public portal (issue 3)\n\np\n"
    )
    spliced = inbox.splice(report, "## Inbox (issue 5)\n\nnew i")
    assert "new i" in spliced and "old i" not in spliced and "old d" in spliced
    assert spliced.index("new i") < spliced.index("## Public portal")
    without = "# B\n\n## Public portal (issue 3)\n\np\n"
    added = inbox.splice(without, "## Inbox (issue 5)\n\nnew i")
    assert added.index("new i") < added.index("## Public portal")
