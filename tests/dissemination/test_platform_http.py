"""The shared HTTP mapping of the platform adapters: Retry-After in both of its forms, X's
reset time, the outcome of each kind of answer, and a platform that cannot be reached."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from bakohumas.dissemination.adapters.base import (
    PermanentError,
    ReconnectRequired,
    TransientError,
    adapter_class,
    registered_kinds,
)
from bakohumas.dissemination.adapters.http import (
    classify,
    reset_seconds,
    retry_after_seconds,
)
from bakohumas.dissemination.adapters.telegram import TelegramAdapter
from bakohumas.dissemination.models import ACCOUNT_KINDS

NOW = 1_760_000_000.0


def test_every_account_channel_has_a_registered_adapter() -> None:
    assert set(ACCOUNT_KINDS) <= set(registered_kinds())
    for kind in ACCOUNT_KINDS:
        cls = adapter_class(kind)
        assert cls is not None and cls.kind == kind


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(" 2.5 ") == 2.5
    when = format_datetime(datetime.fromtimestamp(NOW + 120, tz=UTC), usegmt=True)
    assert retry_after_seconds(when, now=NOW) == pytest.approx(120.0)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == 0.0  # past
    assert retry_after_seconds("10000000") == 86_400.0  # capped at a day
    for bad in (None, "", "soon", "-5x", "nan"):
        assert not retry_after_seconds(bad)


def test_x_reset_time_is_seconds_from_now_at_least_one() -> None:
    assert reset_seconds(str(int(NOW) + 30), now=NOW) == 30.0
    assert reset_seconds(str(int(NOW) - 30), now=NOW) == 1.0
    assert reset_seconds("tomorrow") is None


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (401, ReconnectRequired),
        (403, ReconnectRequired),
        (429, TransientError),
        (500, TransientError),
        (503, TransientError),
        (400, PermanentError),
        (404, PermanentError),
        (413, PermanentError),
    ],
)
def test_each_answer_maps_to_one_outcome(status: int, outcome: type[Exception]) -> None:
    error = classify(status, "reason", retry_after=3)
    assert type(error) is outcome
    if outcome is TransientError:
        assert isinstance(error, TransientError) and error.retry_after == 3


def test_platform_codes_override_the_status() -> None:
    assert type(classify(400, "expired token", reconnect=True)) is ReconnectRequired
    assert type(classify(400, "throttled", transient=True)) is TransientError
    assert type(classify(403, "duplicate", reconnect=False)) is PermanentError


@pytest.mark.django_db
def test_an_unreachable_platform_is_transient_and_holds_the_batch(units: Any) -> None:
    from tests.dissemination.fakeplatforms import make_account

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = make_account(
        units["64.72"],
        "telegram",
        {"api_base": f"http://127.0.0.1:{port}", "destination": "@kpu"},
        {"bot_token": "1:x"},
    )
    with pytest.raises(TransientError) as raised:
        TelegramAdapter(account).check_credentials()
    assert raised.value.channel_down


@pytest.mark.django_db
def test_a_missing_token_or_a_bad_api_address_is_said_plainly(units: Any) -> None:
    from tests.dissemination.fakeplatforms import make_account

    no_token = make_account(units["64.72"], "telegram", {"destination": "@kpu"}, {})
    with pytest.raises(ReconnectRequired, match="bot token"):
        TelegramAdapter(no_token).check_credentials()
    bad_base = make_account(
        units["64.72"], "telegram", {"api_base": "file:///etc"}, {"bot_token": "1:x"}, name="b"
    )
    with pytest.raises(PermanentError, match="not an http"):
        TelegramAdapter(bad_base).check_credentials()
