"""What every HTTP platform adapter shares: one ``httpx`` client per adapter (kept open
between the sends of a worker's batch), timeouts, and the mapping of answers to the
engine's three outcomes:

* 401/403 or a platform's "invalid token" code → ``ReconnectRequired``;
* 429 → ``TransientError`` with the ``Retry-After`` the platform gave (the engine holds
  the whole account that long);
* 5xx, timeouts and network errors → ``TransientError`` (backed-off retry);
* any other 4xx → ``PermanentError`` with the platform's own message.

Each platform adapter overrides ``error_for`` to read its documented error shape and
calls ``classify`` with what it found.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import tempfile
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import (
    Adapter,
    AdapterError,
    MediaFile,
    PermanentError,
    ReconnectRequired,
    TransientError,
)

USER_AGENT = "Bakohumas/1 (+https://github.com/bakohumas)"
# Connect quickly or fail; API answers within half a minute; uploads may take longer.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
# The longest wait a 429 may impose before the engine tries again (a day).
MAX_RETRY_AFTER = 86_400.0


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110
    10.2.3). None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (now if now is not None else time.time())
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def reset_seconds(epoch: str | None, *, now: float | None = None) -> float | None:
    """Seconds until an epoch-seconds reset time (X's ``x-rate-limit-reset``)."""
    if not epoch:
        return None
    try:
        at = float(epoch.strip())
    except ValueError:
        return None
    return min(max(at - (now if now is not None else time.time()), 1.0), MAX_RETRY_AFTER)


def classify(
    status: int,
    reason: str,
    *,
    retry_after: float | None = None,
    reconnect: bool | None = None,
    transient: bool | None = None,
    code: str = "",
) -> AdapterError:
    """The engine's outcome for an HTTP answer. ``reconnect``/``transient`` override the
    status-based choice when the platform's own error code says more."""
    if reconnect or (reconnect is None and transient is None and status in (401, 403)):
        return ReconnectRequired(reason, code=code)
    if status == 429 or transient or (transient is None and status >= 500):
        return TransientError(reason, retry_after=retry_after, code=code)
    return PermanentError(reason, code=code)


def json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def short(text: str, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>`` HMAC-SHA256 of ``body`` (webhook signatures, both directions)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@contextlib.contextmanager
def local_file(media: MediaFile, *, timeout: httpx.Timeout = UPLOAD_TIMEOUT) -> Iterator[Path]:
    """A path to the bytes of ``media``: its stored file, or a temporary download of its
    URL when the storage has no local path (object storage)."""
    if media.path is not None and media.path.is_file():
        yield media.path
        return
    if not media.url:
        raise PermanentError(_("The file %s is not available.") % media.name)
    with tempfile.NamedTemporaryFile(prefix="bkh-media-") as tmp:
        try:
            with httpx.stream("GET", media.url, timeout=timeout, follow_redirects=True) as r:
                if r.status_code != 200:
                    raise TransientError(
                        _("The file %(name)s could not be read (HTTP %(status)s).")
                        % {"name": media.name, "status": r.status_code}
                    )
                for chunk in r.iter_bytes(1 << 20):
                    tmp.write(chunk)
        except httpx.HTTPError as exc:
            raise TransientError(
                _("The file %(name)s could not be read: %(error)s")
                % {"name": media.name, "error": exc}
            ) from exc
        tmp.flush()
        yield Path(tmp.name)


def file_chunks(path: Path, start: int = 0, length: int | None = None) -> Iterator[bytes]:
    """The bytes of ``path`` from ``start``, ``length`` of them (default: to the end), in
    1 MiB pieces: uploads never hold a whole video in memory."""
    remaining = length if length is not None else path.stat().st_size - start
    with path.open("rb") as handle:
        handle.seek(start)
        while remaining > 0:
            piece = handle.read(min(1 << 20, remaining))
            if not piece:
                break
            remaining -= len(piece)
            yield piece


class HttpAdapter(Adapter):
    """An adapter talking to one platform's HTTP API at ``account.config["api_base"]``."""

    default_api_base: ClassVar[str] = ""
    # Longest text the platform takes (characters); 0: no limit checked here.
    max_text: ClassVar[int] = 0

    def __init__(self, account: Any = None) -> None:
        super().__init__(account)
        self._client: httpx.Client | None = None

    # --- settings ---------------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        base = str(self.config.get("api_base") or self.default_api_base).strip().rstrip("/")
        if not is_http_url(base):
            raise PermanentError(
                _("The API address of this account is not an http(s) URL: %s") % base[:100]
            )
        return base

    @property
    def destination(self) -> str:
        return str(self.config.get("destination") or "").strip()

    def token(self, name: str = "access_token") -> str:
        value = str(self.secret.get(name) or "").strip()
        if not value:
            raise ReconnectRequired(
                _("No %(name)s is saved for this %(platform)s account.")
                % {"name": name.replace("_", " "), "platform": self.label()}
            )
        return value

    def missing_settings(self, *names: str) -> list[str]:
        """Problems for settings the account must have (checked before anything is sent)."""
        problems = []
        for name in names:
            if not str(self.config.get(name) or "").strip():
                problems.append(
                    _("Set “%(name)s” in the settings of the %(platform)s account.")
                    % {"name": name, "platform": self.label()}
                )
        return problems

    def text_problems(self, text: str, limit: int | None = None) -> list[str]:
        limit = limit if limit is not None else self.max_text
        if limit and len(text) > limit:
            return [
                _("The text has %(n)s characters; %(platform)s takes at most %(limit)s.")
                % {"n": len(text), "platform": self.label(), "limit": limit}
            ]
        return []

    # --- HTTP ---------------------------------------------------------------------------------
    @property
    def timeout(self) -> httpx.Timeout:
        """``config["timeout"]`` (seconds) overrides the default; the tests use it."""
        seconds = self.config.get("timeout")
        if isinstance(seconds, int | float) and seconds > 0:
            return httpx.Timeout(float(seconds), connect=min(float(seconds), 10.0))
        return TIMEOUT

    @property
    def upload_timeout(self) -> httpx.Timeout:
        return self.timeout if self.config.get("timeout") else UPLOAD_TIMEOUT

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def call(
        self,
        method: str,
        url: str,
        *,
        ok: tuple[int, ...] = (200, 201),
        publishing: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; an answer outside ``ok`` raises the platform's ``AdapterError``.

        ``publishing``: this request makes the post (or message) and the platform has no
        idempotency key. When it was sent whole but no answer came in time, the post may
        well be out: that is not retried automatically (a double post is worse than a
        person checking) but fails with a reason that says so."""
        try:
            response = self.client().request(method, url, **kwargs)
        except httpx.ReadTimeout as exc:
            if publishing:
                raise PermanentError(
                    _(
                        "%(platform)s received the post but did not answer in time; it may "
                        "have been published. Check the account before retrying."
                    )
                    % {"platform": self.label()},
                    code="uncertain",
                ) from exc
            raise TransientError(
                _("%(platform)s did not answer in time (%(error)s).")
                % {"platform": self.label(), "error": type(exc).__name__}
            ) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # The platform cannot be reached at all: the rest of the batch waits too.
            raise TransientError(
                _("Could not reach %(platform)s: %(error)s")
                % {"platform": self.label(), "error": short(str(exc)) or type(exc).__name__},
                channel_down=True,
            ) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(
                _("%(platform)s did not answer in time (%(error)s).")
                % {"platform": self.label(), "error": type(exc).__name__}
            ) from exc
        except httpx.HTTPError as exc:
            raise TransientError(
                _("Could not reach %(platform)s: %(error)s")
                % {"platform": self.label(), "error": short(str(exc)) or type(exc).__name__}
            ) from exc
        if response.status_code not in ok:
            raise self.error_for(response)
        return response

    def error_for(self, response: httpx.Response) -> AdapterError:
        """The outcome of an unexpected answer (platforms override this)."""
        return classify(
            response.status_code,
            self.describe(response.status_code, short(response.text)),
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )

    def describe(self, status: int, message: str) -> str:
        return _("%(platform)s answered %(status)s: %(message)s") % {
            "platform": self.label(),
            "status": status,
            "message": message or _("no reason given"),
        }
