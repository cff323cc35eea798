"""Issue 5's done-flow in the browser, in Indonesian, on the demo data.

A citizen asks a question and files an information request on KPU Kota Samarinda's
portal; both appear in the Samarinda inbox, the request with its PerKI 1/2019 deadline
(three working days in WITA); editor.samarinda replies to the question (the task worker
sends the email) and answers the request; the citizen sees the status on the tracking
page. A signed WhatsApp Cloud API webhook payload creates a thread, and the very same
payload again creates nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from bakohumas.core.models import WorkUnit
from bakohumas.core.workdays import calendar_for
from bakohumas.dissemination.adapters.http import sign
from bakohumas.dissemination.models import ChannelAccount, ChannelKind
from bakohumas.inbox.demo import DEMO_APP_SECRET, DEMO_PHONE_NUMBER_ID
from bakohumas.inbox.management.commands.simulate_whatsapp import build_payload
from bakohumas.inbox.models import Message, Thread
from bakohumas.ppid.models import InformationRequest
from tests.browser.conftest import in_indonesian, log_in

pytestmark = pytest.mark.browser

# The public forms refuse a form sent sooner than two seconds after it was shown.
HUMAN_PAUSE_MS = 2100


def _ask_question(page: Any, base: str) -> None:
    page.goto(f"{base}/satker/64.72/hubungi/")
    page.check("input[name=kind][value=question]")
    page.fill("#id_name", "Lestari Wulandari")
    page.fill("#id_email", "lestari.wulandari@example.id")
    page.fill("#id_subject", "Jadwal coklit di Sempaja")
    page.fill("#id_message", "Kapan petugas coklit datang ke RT 07 Sempaja Utara? 🙏")
    page.check("#id_consent")
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.locator("form.public-form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()
    assert Thread.objects.filter(subject="Jadwal coklit di Sempaja").exists()


def _file_request(page: Any, base: str) -> tuple[str, str]:
    page.goto(f"{base}/satker/64.72/ppid/permohonan/")
    page.fill("#id_name", "Lestari Wulandari")
    page.fill("#id_identity_number", "6472034107950004")
    page.fill("#id_address", "Jl. Pramuka 5, Sempaja Utara, Samarinda")
    page.fill("#id_email", "lestari.wulandari@example.id")
    page.fill("#id_information", "Jumlah pemilih per TPS di Kelurahan Sempaja Utara.")
    page.fill("#id_purpose", "Informasi untuk warga RT 07.")
    page.check("#id_consent")
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.locator("form.public-form button[type=submit]").click()
    number = page.locator(".register-number").inner_text().strip()
    code = page.locator(".secret-code").inner_text().strip()
    return number, code


def _post_signed(url: str, body: bytes) -> httpx.Response:
    return httpx.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(DEMO_APP_SECRET, body),
        },
        timeout=10,
    )


def test_question_request_reply_tracking_and_whatsapp(
    page: Any, login_as: Callable[[str], Any], live_server: Any
) -> None:
    base = live_server.url
    samarinda = WorkUnit.objects.get(code="64.72")

    # 1. A citizen asks a question and files an information request on the portal.
    _ask_question(page, base)
    number, code = _file_request(page, base)
    request = InformationRequest.objects.get(register_number=number)
    received = samarinda.localtime(request.received_at).date()
    assert request.rule_set == "perki"
    assert request.due_date == calendar_for(samarinda).add_working_days(received, 3)
    assert len(code) >= 8

    # 2. Both are in the Samarinda inbox; the request with its deadline.
    login_as("editor.samarinda")
    page.goto(f"{base}/app/inbox/")
    rows = page.get_by_test_id("thread-row")
    expect(rows.filter(has_text="Jadwal coklit di Sempaja")).to_have_count(1)
    expect(rows.filter(has_text=number)).to_have_count(1)
    page.goto(f"{base}/app/inbox/{request.thread_id}/")
    expect(page.get_by_test_id("due")).to_contain_text(request.due_date.strftime("%d-%m-%Y"))
    expect(page.get_by_test_id("ppid-link")).to_have_text(number)

    # 3. The editor replies to the question; the worker sends the email.
    question = Thread.objects.get(subject="Jadwal coklit di Sempaja")
    page.goto(f"{base}/app/inbox/{question.pk}/")
    page.fill("#reply-body", "Petugas coklit datang ke RT 07 pada hari Sabtu pagi.")
    page.get_by_role("button", name=in_indonesian("Send reply")).click()
    expect(page.get_by_test_id("message-out")).to_have_count(1)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    sent = [m for m in mail.outbox if "lestari.wulandari@example.id" in " ".join(m.to)]
    out = Message.objects.filter(thread=question, direction="out").values_list("status", "error")
    assert any("Sabtu pagi" in m.body for m in sent), (
        list(out),
        [(m.to, m.subject) for m in mail.outbox],
    )
    page.reload()
    expect(page.get_by_test_id("message-status")).to_have_text(in_indonesian("Sent"))

    # 4. The editor answers the request.
    page.goto(f"{base}/app/ppid/{request.pk}/")
    page.locator("summary", has_text=in_indonesian("Decide")).click()
    form = page.locator("form[data-decision-form]")
    form.locator("select[name=decision]").select_option("granted")
    form.locator("textarea[name=answer]").fill("Jumlah pemilih per TPS terlampir dalam surel.")
    form.locator("button[type=submit]").click()
    request.refresh_from_db()
    assert request.decision == "granted"

    # 5. The citizen sees the status on the tracking page.
    page.goto(f"{base}/ppid/lacak/")
    page.fill("#id_register_number", number)
    page.fill("#id_code", code)
    page.wait_for_timeout(HUMAN_PAUSE_MS)
    page.locator("form.public-form button[type=submit]").click()
    expect(page.locator(".request-status")).to_have_text(in_indonesian("Answered"))
    expect(page.get_by_text("Jumlah pemilih per TPS terlampir dalam surel.")).to_be_visible()

    # 6. A signed WhatsApp webhook payload makes a thread; the same payload again, nothing.
    account = ChannelAccount.objects.get(unit=samarinda, kind=ChannelKind.WHATSAPP)
    payload = build_payload(
        DEMO_PHONE_NUMBER_ID, "6281350007777", "Hendra Gunawan", "Di mana TPS saya?", "wamid.E2E1"
    )
    body = json.dumps(payload).encode()
    url = f"{base}/d/hooks/whatsapp/{account.pk}/"
    before = Message.objects.count()
    assert _post_signed(url, body).status_code == 200
    assert Message.objects.count() == before + 1
    assert _post_signed(url, body).status_code == 200
    assert Message.objects.count() == before + 1
    forged = httpx.post(
        url,
        content=body,
        headers={"X-Hub-Signature-256": sign("not-the-secret", body)},
        timeout=10,
    )
    assert forged.status_code == 403
    page.goto(f"{base}/app/inbox/")
    expect(
        page.get_by_test_id("thread-row").filter(has_text=re.compile("Hendra Gunawan"))
    ).to_have_count(1)


def test_staff_log_in_sees_demo_inbox(page: Any, live_server: Any, demo: None) -> None:
    """The demo inbox is there for a newcomer: threads from each channel, a hoax report."""
    log_in(page, live_server.url, "koordinator.samarinda")
    page.goto(f"{live_server.url}/app/inbox/")
    expect(page.get_by_test_id("thread-row").first).to_be_visible()
    assert page.get_by_test_id("thread-row").count() >= 4
