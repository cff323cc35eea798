"""Loopback HTTP servers speaking the documented requests and answers of each platform the
dissemination adapters publish to, plus helpers that wire them to channel accounts.

Each fake is a real ``ThreadingHTTPServer`` on 127.0.0.1 (a free port), checks what the
platform checks (the token, the required fields, the limits), answers in the platform's
shape (success and error bodies), records every request (``calls``) and what it accepted
(``posts`` / ``messages`` / …), and can be told to misbehave:

* ``fail(status=429, retry_after=1, on_call=2)`` — the 2nd request to the platform's
  publishing endpoint is answered 429 with Retry-After 1 (``times=`` repeats it,
  ``path=`` picks another endpoint, ``when=`` a predicate on the request);
* ``fail(status=500, on_call=1)`` — a server error;
* ``revoke()`` — the token stops working (the platform's "invalid token" answer).

A failed request is never also accepted: the fakes model a platform that refused, so
"exactly once" can be counted at the server.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import functools
import hashlib
import hmac
import itertools
import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

Response = tuple[int, dict[str, str], bytes]


def as_json(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return (
        status,
        {"Content-Type": "application/json; charset=UTF-8", **(headers or {})},
        json.dumps(data).encode(),
    )


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Any]]:
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body, policy=email.policy.HTTP
    )
    fields: dict[str, str] = {}
    files: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = str(part.get_param("name", header="content-disposition"))
        payload = bytes(part.get_payload(decode=True) or b"")
        if part.get_filename():
            files[name] = (part.get_filename(), part.get_content_type(), payload)
        else:
            fields[name] = payload.decode()
    return fields, files


@dataclass
class Call:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    status: int = 0

    @functools.cached_property
    def json(self) -> Any:
        if "json" not in self.headers.get("content-type", ""):
            return None
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @functools.cached_property
    def form(self) -> dict[str, str]:
        ctype = self.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            return parse_multipart(ctype, self.body)[0]
        if ctype.startswith("application/x-www-form-urlencoded"):
            return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}
        return {}

    @functools.cached_property
    def files(self) -> dict[str, Any]:
        ctype = self.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            return parse_multipart(ctype, self.body)[1]
        return {}

    @property
    def params(self) -> dict[str, str]:
        """Query, form fields and JSON object merged (what a handler reads)."""
        merged = dict(self.query)
        merged.update(self.form)
        data = self.json
        if isinstance(data, dict):
            merged.update({k: v for k, v in data.items() if isinstance(v, str | int)})
        return merged

    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""


@dataclass
class Failure:
    status: int  # 0: a slow answer (the request is handled, the answer comes late)
    path: str
    on_call: int
    times: int
    retry_after: float | None
    when: Callable[[Call], bool] | None
    seen: int = 0
    used: int = 0
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        call = Call(
            method=self.command,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self._body(),
        )
        status, headers, body = self.server.fake.dispatch(call)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakePlatform

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that gave up waiting (slow answers) is expected here


class FakePlatform:
    """Base of the fakes: the server, the record of calls and the programmed failures."""

    # The endpoint a failure applies to by default (its publishing endpoint).
    send_path: str = ""
    token: str = "valid-token"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.lock = threading.RLock()
        self.failures: list[Failure] = []
        self.revoked = False
        self._ids = itertools.count(1001)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakePlatform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- programming -----------------------------------------------------------------------
    def fail(
        self,
        *,
        status: int,
        on_call: int = 1,
        times: int = 1,
        retry_after: float | None = None,
        path: str | None = None,
        when: Callable[[Call], bool] | None = None,
    ) -> None:
        """Answer ``status`` to the ``on_call``-th request whose path contains ``path``
        (default: the publishing endpoint) and to the ``times - 1`` after it."""
        with self.lock:
            self.failures.append(
                Failure(status, path or self.send_path, on_call, times, retry_after, when)
            )

    def slow(
        self,
        seconds: float,
        *,
        on_call: int = 1,
        path: str | None = None,
        when: Callable[[Call], bool] | None = None,
    ) -> None:
        """Handle the ``on_call``-th matching request normally but answer only after
        ``seconds`` (the platform did the work; the answer was late)."""
        with self.lock:
            self.failures.append(
                Failure(0, path or self.send_path, on_call, 1, None, when, delay=seconds)
            )

    def revoke(self) -> None:
        self.revoked = True

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def calls_to(self, fragment: str, method: str | None = None) -> list[Call]:
        with self.lock:
            return [
                c
                for c in self.calls
                if fragment in c.path and (method is None or c.method == method)
            ]

    # --- serving ---------------------------------------------------------------------------
    def dispatch(self, call: Call) -> Response:
        with self.lock:
            self.calls.append(call)
            failure = self._failure_for(call)
        if failure is not None and failure.status:
            response = self.error(call, failure.status, failure.retry_after)
        elif self.revoked or not self.authorized(call):
            response = self.unauthorized(call)
        else:
            try:
                response = self.route(call)
            except Exception as exc:  # a bug in the fake: say so loudly
                response = (500, {"Content-Type": "text/plain"}, repr(exc).encode())
        call.status = response[0]
        if failure is not None and failure.delay:
            time.sleep(failure.delay)
        return response

    def _failure_for(self, call: Call) -> Failure | None:
        chosen = None
        for failure in self.failures:
            if failure.path not in call.path or (failure.when and not failure.when(call)):
                continue
            failure.seen += 1  # every programmed failure counts every matching call
            if chosen is None and failure.seen >= failure.on_call and failure.used < failure.times:
                failure.used += 1
                chosen = failure
        return chosen

    def authorized(self, call: Call) -> bool:
        return call.bearer() == self.token or call.query.get("access_token") == self.token

    def unauthorized(self, call: Call) -> Response:
        return self.error(call, 401, None)

    def error(self, call: Call, status: int, retry_after: float | None) -> Response:
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        return as_json(status, {"error": f"HTTP {status}"}, headers)

    def route(self, call: Call) -> Response:
        raise NotImplementedError


def not_found(call: Call) -> Response:
    return as_json(404, {"error": f"no route {call.method} {call.path}"})


# --- Telegram Bot API ------------------------------------------------------------------------


class FakeTelegram(FakePlatform):
    """``/bot<token>/<method>``; answers ``{"ok": true, "result": …}`` or ``{"ok": false,
    "error_code", "description", "parameters": {"retry_after"}}``."""

    send_path = "/send"
    token = "123456:AAE-test-token"
    chats: ClassVar[dict[str, dict[str, Any]]] = {
        "@kpusamarinda": {
            "id": -1001234567890,
            "title": "KPU Kota Samarinda",
            "type": "channel",
            "username": "kpusamarinda",
        },
        "-1009876543210": {"id": -1009876543210, "title": "Grup Humas", "type": "supergroup"},
    }

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}

    def _method(self, call: Call) -> tuple[str, str]:
        parts = call.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return "", ""
        return parts[0][3:], parts[1]

    def authorized(self, call: Call) -> bool:
        return self._method(call)[0] == self.token

    def unauthorized(self, call: Call) -> Response:
        return as_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})

    def error(self, call: Call, status: int, retry_after: float | None) -> Response:
        body: dict[str, Any] = {"ok": False, "error_code": status}
        if status == 429:
            wait = int(retry_after or 1)
            body["description"] = f"Too Many Requests: retry after {wait}"
            body["parameters"] = {"retry_after": wait}
        else:
            body["description"] = "Internal Server Error" if status >= 500 else "Bad Request"
        return as_json(status, body)

    def _bad(self, description: str) -> Response:
        return as_json(400, {"ok": False, "error_code": 400, "description": description})

    def route(self, call: Call) -> Response:
        _token, method = self._method(call)
        params = call.params
        if method == "getMe":
            return as_json(
                200,
                {
                    "ok": True,
                    "result": {
                        "id": 123456,
                        "is_bot": True,
                        "first_name": "Humas KPU",
                        "username": "humas_kpu_bot",
                    },
                },
            )
        if method == "setWebhook":
            return self._set_webhook(call)
        chat = self.chats.get(str(params.get("chat_id", "")))
        if method == "getChat":
            return (
                as_json(200, {"ok": True, "result": chat})
                if chat
                else self._bad("Bad Request: chat not found")
            )
        if not method.startswith("send"):
            return as_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if chat is None:
            return self._bad("Bad Request: chat not found")
        record: dict[str, Any] = {"method": method, "chat": chat["id"]}
        if method == "sendMessage":
            text = str(params.get("text") or "")
            if not text:
                return self._bad("Bad Request: message text is empty")
            if len(text) > 4096:
                return self._bad("Bad Request: message is too long")
            record["text"] = text
        else:
            field_name = {
                "sendPhoto": "photo",
                "sendVideo": "video",
                "sendAudio": "audio",
                "sendDocument": "document",
            }.get(method)
            if field_name is None:
                return as_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            upload = call.files.get(field_name)
            if upload is None and not params.get(field_name):
                return self._bad(f"Bad Request: there is no {field_name} in the request")
            caption = str(params.get("caption") or "")
            if len(caption) > 1024:
                return self._bad("Bad Request: message caption is too long")
            record.update(
                caption=caption, file=upload[2] if upload else b"", name=upload and upload[0]
            )
        message_id = self.next_id()
        record["message_id"] = message_id
        with self.lock:
            self.posts.append(record)
        result = {"message_id": message_id, "date": int(time.time()), "chat": chat}
        if "text" in record:
            result["text"] = record["text"]
        return as_json(200, {"ok": True, "result": result})

    def _set_webhook(self, call: Call) -> Response:
        """``setWebhook``: an https URL, an optional ``secret_token`` of 1-256 characters
        ``A-Z a-z 0-9 _ -``; the last accepted one is kept in ``webhook``."""
        data = call.json if isinstance(call.json, dict) else call.params
        url = str(data.get("url") or "")
        token = str(data.get("secret_token") or "")
        if url and not url.startswith("https://"):
            return self._bad("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if token and (
            len(token) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in token)
        ):
            return self._bad("Bad Request: secret token contains unallowed characters")
        with self.lock:
            self.webhook = {
                "url": url,
                "secret_token": token,
                "allowed_updates": data.get("allowed_updates"),
            }
        return as_json(200, {"ok": True, "result": True, "description": "Webhook was set"})


# --- Meta Graph API: WhatsApp Cloud API, Facebook Page, Instagram ------------------------------


class FakeMeta(FakePlatform):
    """Graph API under ``/v21.0`` for one Page, one Instagram account and one WhatsApp
    phone number. Errors: ``{"error": {"message", "type", "code", "error_subcode",
    "fbtrace_id"}}``."""

    version = "/v21.0"
    page_id = "104857600001"
    ig_user_id = "17841400000000001"
    phone_number_id = "109876543210987"
    templates: ClassVar[set[tuple[str, str]]] = {("berita_kpu", "id"), ("berita_kpu", "en_US")}
    FB_METRICS: ClassVar[set[str]] = {
        "post_total_media_view_unique",
        "post_media_view",
        "post_reactions_by_type_total",
        "post_clicks",
    }
    IG_METRICS: ClassVar[set[str]] = {
        "reach",
        "views",
        "total_interactions",
        "likes",
        "comments",
        "saved",
        "shares",
    }

    def __init__(self, send_path: str = "/messages") -> None:
        super().__init__()
        self.send_path = send_path
        self.posts: list[dict[str, Any]] = []  # Facebook posts and Instagram media
        self.messages: list[dict[str, Any]] = []  # accepted WhatsApp messages
        self.containers: dict[str, dict[str, Any]] = {}
        self.container_polls = 1  # IN_PROGRESS answers before FINISHED
        self.blocked: set[str] = set()  # numbers the API refuses (131030)

    @property
    def api_base(self) -> str:
        return self.url + self.version

    def unauthorized(self, call: Call) -> Response:
        return self._error(
            400,
            "Error validating access token: The session has been invalidated because the "
            "user changed their password or Facebook has changed the session for security "
            "reasons.",
            190,
            subcode=460,
        )

    def error(self, call: Call, status: int, retry_after: float | None) -> Response:
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        if status == 429:
            return self._error(429, "(#130429) Rate limit hit", 130429, headers=headers)
        if status >= 500:
            return self._error(status, "An unknown error has occurred.", 1, transient=True)
        return self._error(status, "(#100) Invalid parameter", 100)

    def _error(
        self,
        status: int,
        message: str,
        code: int,
        *,
        subcode: int | None = None,
        transient: bool = False,
        headers: dict[str, str] | None = None,
        details: str = "",
    ) -> Response:
        error: dict[str, Any] = {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": uuid.uuid4().hex[:11],
        }
        if subcode:
            error["error_subcode"] = subcode
        if transient:
            error["is_transient"] = True
        if details:
            error["error_data"] = {"details": details}
        return as_json(status, {"error": error}, headers)

    def route(self, call: Call) -> Response:
        if not call.path.startswith(self.version + "/"):
            return not_found(call)
        parts = call.path[len(self.version) + 1 :].strip("/").split("/")
        params = call.params
        if call.method == "GET" and len(parts) == 1:
            return self._node(parts[0], params)
        if call.method == "GET" and len(parts) == 2 and parts[1] == "insights":
            return self._insights(parts[0], params.get("metric", ""))
        if call.method != "POST" or len(parts) != 2:
            return not_found(call)
        node, edge = parts
        if node == self.phone_number_id and edge == "messages":
            return self._message(call)
        if node == self.page_id and edge in ("feed", "photos", "videos"):
            return self._page_post(edge, call)
        if node == self.ig_user_id and edge == "media":
            return self._container(params)
        if node == self.ig_user_id and edge == "media_publish":
            return self._publish(params)
        return self._error(400, f"(#100) Unsupported post request: {node}/{edge}", 100)

    def _node(self, node: str, params: dict[str, str]) -> Response:
        if node == self.page_id:
            return as_json(200, {"id": node, "name": "KPU Kota Samarinda"})
        if node == self.phone_number_id:
            return as_json(
                200,
                {"id": node, "display_phone_number": "+62 541 000000", "verified_name": "KPU"},
            )
        with self.lock:
            container = self.containers.get(node)
            post = next((p for p in self.posts if p["id"] == node), None)
            if container is not None:
                if container["polls"] > 0:
                    container["polls"] -= 1
                    status = "IN_PROGRESS"
                else:
                    status = container["status"]
                return as_json(200, {"id": node, "status_code": status})
        if post is not None:
            return as_json(200, {"id": node, "permalink": f"https://www.instagram.com/p/{node}/"})
        return self._error(
            400,
            f"Unsupported get request. Object with ID '{node}' does not exist.",
            100,
            subcode=33,
        )

    def _insights(self, node: str, metric: str) -> Response:
        names = [m for m in metric.split(",") if m]
        with self.lock:
            post = next((p for p in self.posts if p["id"] == node), None)
        if post is None:
            return self._error(400, f"Object with ID '{node}' does not exist.", 100, subcode=33)
        known = self.IG_METRICS if post["platform"] == "instagram" else self.FB_METRICS
        unknown = [m for m in names if m not in known]
        if not names or unknown:
            return self._error(400, "(#100) metric[0] must be one of the following values: …", 100)
        data = []
        for name in names:
            value: Any = post["metrics"].get(name, 0)
            data.append(
                {
                    "name": name,
                    "period": "lifetime",
                    "values": [{"value": value}],
                    "title": name,
                    "id": f"{node}/insights/{name}/lifetime",
                }
            )
        return as_json(200, {"data": data})

    def _page_post(self, edge: str, call: Call) -> Response:
        params = call.params
        upload = call.files.get("source")
        if edge == "feed" and not (params.get("message") or params.get("link")):
            return self._error(400, "(#100) Missing message or attachment", 100)
        if edge in ("photos", "videos") and upload is None and not params.get("url"):
            return self._error(400, "(#324) Requires upload file", 324)
        n = self.next_id()
        post_id = f"{self.page_id}_{n}"
        record = {
            "platform": "facebook",
            "edge": edge,
            "id": post_id,
            "text": params.get("message") or params.get("description") or "",
            "file": upload[2] if upload else b"",
            "metrics": {
                "post_total_media_view_unique": 1200,
                "post_media_view": 3400,
                "post_reactions_by_type_total": {"like": 50, "love": 7},
                "post_clicks": 89,
            },
        }
        with self.lock:
            self.posts.append(record)
        if edge == "feed":
            return as_json(200, {"id": post_id})
        if edge == "photos":
            return as_json(200, {"id": str(n), "post_id": post_id})
        record["id"] = str(n)
        return as_json(200, {"id": str(n)})

    def _container(self, params: dict[str, str]) -> Response:
        media_type = params.get("media_type", "")
        if media_type in ("REELS", "VIDEO"):
            if not params.get("video_url"):
                return self._error(400, "(#100) The parameter video_url is required", 100)
        elif not params.get("image_url"):
            return self._error(400, "(#100) The parameter image_url is required", 100)
        if len(params.get("caption", "")) > 2200:
            return self._error(400, "(#100) The caption is too long", 100)
        container = str(self.next_id())
        with self.lock:
            self.containers[container] = {
                "params": dict(params),
                "polls": self.container_polls,
                "status": "FINISHED",
                "published": False,
            }
        return as_json(200, {"id": container})

    def _publish(self, params: dict[str, str]) -> Response:
        with self.lock:
            container = self.containers.get(params.get("creation_id", ""))
            if container is None or container["status"] != "FINISHED" or container["polls"]:
                return self._error(400, "Media ID is not available", 9007, subcode=2207027)
            if container["published"]:
                return self._error(400, "The media has already been published", 9007)
            container["published"] = True
        media_id = str(self.next_id())
        with self.lock:
            self.posts.append(
                {
                    "platform": "instagram",
                    "id": media_id,
                    "text": container["params"].get("caption", ""),
                    "params": container["params"],
                    "metrics": {"reach": 900, "views": 2100, "total_interactions": 130},
                }
            )
        return as_json(200, {"id": media_id})

    def _message(self, call: Call) -> Response:
        data = call.json
        if not isinstance(data, dict) or data.get("messaging_product") != "whatsapp":
            return self._error(400, "(#100) The parameter messaging_product is required.", 100)
        to = str(data.get("to") or "")
        if not to.isdigit():
            return self._error(400, "(#100) Invalid parameter", 100, details="to is invalid")
        if to in self.blocked:
            return self._error(
                400,
                "(#131030) Recipient phone number not in allowed list",
                131030,
                details="Recipient phone number not in allowed list",
            )
        if data.get("type") != "template":
            return self._error(
                400,
                "(#131047) Re-engagement message",
                131047,
                details="More than 24 hours have passed since the recipient last replied.",
            )
        template = data.get("template") or {}
        language = (template.get("language") or {}).get("code", "")
        if (template.get("name"), language) not in self.templates:
            return self._error(
                404,
                "(#132001) Template name does not exist in the translation",
                132001,
                details=f"template name ({template.get('name')}) does not exist in {language}",
            )
        body = [c for c in template.get("components") or [] if c.get("type") == "body"]
        params = body[0].get("parameters", []) if body else []
        if len(params) != 2 or any(
            "\n" in p.get("text", "") or "\t" in p.get("text", "") for p in params
        ):
            return self._error(
                400,
                "(#132000) Number of parameters does not match the expected number of params",
                132000,
            )
        wamid = "wamid." + uuid.uuid4().hex.upper()
        with self.lock:
            self.messages.append(
                {
                    "to": to,
                    "id": wamid,
                    "template": template,
                    "key": data.get("biz_opaque_callback_data", ""),
                }
            )
        return as_json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            },
        )

    def status_payload(self, statuses: list[dict[str, Any]]) -> dict[str, Any]:
        """A status notification as Meta posts it to the webhook."""
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "102290129340398",
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "6254100000",
                                    "phone_number_id": self.phone_number_id,
                                },
                                "statuses": statuses,
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }


# --- X API v2 ----------------------------------------------------------------------------------


class FakeX(FakePlatform):
    """``POST /2/tweets``, ``/2/media/upload`` (one-shot and INIT/APPEND/FINALIZE/STATUS),
    ``GET /2/users/me``, ``GET /2/tweets/:id``. Errors: ``{"title", "detail", "type",
    "status"}``; a 429 carries ``x-rate-limit-reset``."""

    send_path = "/2/tweets"

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}

    def _problem(self, status: int, title: str, detail: str) -> Response:
        return as_json(
            status, {"title": title, "detail": detail, "type": "about:blank", "status": status}
        )

    def unauthorized(self, call: Call) -> Response:
        return self._problem(401, "Unauthorized", "Unauthorized")

    def error(self, call: Call, status: int, retry_after: float | None) -> Response:
        if status == 429:
            reset = math.ceil(time.time() + (retry_after or 1))
            return as_json(
                429,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                },
            )
        if status >= 500:
            return self._problem(status, "Service Unavailable", "Service Unavailable")
        return self._problem(status, "Invalid Request", "One or more parameters are invalid.")

    def route(self, call: Call) -> Response:
        if call.path == "/2/users/me" and call.method == "GET":
            return as_json(200, {"data": {"id": "2244994945", "name": "KPU", "username": "kpu"}})
        if call.path == "/2/media/upload":
            return self._media(call)
        if call.path == "/2/tweets" and call.method == "POST":
            return self._tweet(call)
        if call.path.startswith("/2/tweets/") and call.method == "GET":
            post_id = call.path.rsplit("/", 1)[-1]
            with self.lock:
                post = next((p for p in self.posts if p["id"] == post_id), None)
            if post is None:
                return as_json(
                    200,
                    {
                        "errors": [
                            {
                                "value": post_id,
                                "detail": f"Could not find tweet with id: [{post_id}].",
                                "title": "Not Found Error",
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            }
                        ]
                    },
                )
            data = {"id": post_id, "text": post["text"], "edit_history_tweet_ids": [post_id]}
            if "public_metrics" in call.query.get("tweet.fields", ""):
                data["public_metrics"] = {
                    "retweet_count": 4,
                    "reply_count": 2,
                    "like_count": 31,
                    "quote_count": 1,
                    "bookmark_count": 3,
                    "impression_count": 2650,
                }
            return as_json(200, {"data": data})
        return not_found(call)

    def _tweet(self, call: Call) -> Response:
        data = call.json
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return self._problem(400, "Invalid Request", "One or more parameters are invalid.")
        text = data["text"]
        counted = len(__import__("re").sub(r"https?://\S+", "x" * 23, text))
        if counted > 280:
            return self._problem(400, "Invalid Request", "Your Tweet text is too long.")
        media_ids = (data.get("media") or {}).get("media_ids") or []
        with self.lock:
            unknown = [m for m in media_ids if self.media.get(m, {}).get("state") != "succeeded"]
            duplicate = any(p["text"] == text for p in self.posts)
        if unknown:
            return self._problem(400, "Invalid Request", f"Your media IDs are invalid: {unknown}")
        if duplicate:
            return self._problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            )
        post_id = str(1_800_000_000_000_000_000 + self.next_id())
        with self.lock:
            self.posts.append({"id": post_id, "text": text, "media_ids": media_ids})
        return as_json(
            201, {"data": {"id": post_id, "text": text, "edit_history_tweet_ids": [post_id]}}
        )

    def _media(self, call: Call) -> Response:
        params = call.params
        command = params.get("command", "")
        if call.method == "GET" and command == "STATUS":
            with self.lock:
                media = self.media.get(params.get("media_id", ""))
                if media is None:
                    return self._problem(400, "Invalid Request", "media_id not found")
                media["state"] = "succeeded"
            return as_json(
                200,
                {
                    "data": {
                        "id": params["media_id"],
                        "processing_info": {"state": "succeeded", "progress_percent": 100},
                    }
                },
            )
        if call.method != "POST":
            return not_found(call)
        media_id = params.get("media_id", "")
        if not command:
            upload = call.files.get("media")
            if upload is None or params.get("media_category") not in (
                "tweet_image",
                "tweet_gif",
                "tweet_video",
            ):
                return self._problem(400, "Invalid Request", "media and media_category required")
            new_id = str(1_900_000_000_000_000_000 + self.next_id())
            with self.lock:
                self.media[new_id] = {"state": "succeeded", "bytes": upload[2]}
            return as_json(
                200,
                {
                    "data": {
                        "id": new_id,
                        "media_key": f"3_{new_id}",
                        "size": len(upload[2]),
                        "expires_after_secs": 86400,
                    }
                },
            )
        if command == "INIT":
            if not params.get("total_bytes") or not params.get("media_type"):
                return self._problem(400, "Invalid Request", "total_bytes and media_type required")
            new_id = str(1_900_000_000_000_000_000 + self.next_id())
            with self.lock:
                self.media[new_id] = {
                    "state": "init",
                    "total": int(params["total_bytes"]),
                    "segments": {},
                }
            return as_json(
                200,
                {"data": {"id": new_id, "media_key": f"7_{new_id}", "expires_after_secs": 86399}},
            )
        with self.lock:
            media = self.media.get(media_id)
        if media is None:
            return self._problem(400, "Invalid Request", "media_id not found")
        if command == "APPEND":
            upload = call.files.get("media")
            if upload is None:
                return self._problem(400, "Invalid Request", "media required")
            with self.lock:
                media["segments"][int(params.get("segment_index", 0))] = upload[2]
            return (204, {}, b"")
        if command == "FINALIZE":
            with self.lock:
                data = b"".join(media["segments"][i] for i in sorted(media["segments"]))
                if len(data) != media["total"]:
                    return self._problem(400, "Invalid Request", "File size mismatch")
                media["bytes"] = data
                media["state"] = "pending"
            return as_json(
                200,
                {
                    "data": {
                        "id": media_id,
                        "size": len(data),
                        "processing_info": {"state": "pending", "check_after_secs": 0},
                    }
                },
            )
        return self._problem(400, "Invalid Request", f"unknown command {command}")


# --- YouTube Data API v3 -----------------------------------------------------------------------


class FakeYouTube(FakePlatform):
    """The resumable upload protocol (``POST …?uploadType=resumable`` → ``Location``;
    ``PUT`` bytes; ``308 Resume Incomplete`` with ``Range``), ``thumbnails.set``,
    ``videos.list`` statistics and ``channels.list?mine=true``."""

    send_path = "/upload/youtube/v3/videos"
    channel_id = "UCkpuSamarinda000000000"

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.videos: list[dict[str, Any]] = []
        self.thumbnails: dict[str, bytes] = {}
        self.break_after: int | None = None  # store only so many bytes of the next PUT, 503

    def _google_error(
        self, status: int, message: str, reason: str, headers: dict[str, str] | None = None
    ) -> Response:
        return as_json(
            status,
            {
                "error": {
                    "code": status,
                    "message": message,
                    "errors": [
                        {
                            "message": message,
                            "domain": "youtube.quota" if reason == "quotaExceeded" else "global",
                            "reason": reason,
                        }
                    ],
                }
            },
            headers,
        )

    def unauthorized(self, call: Call) -> Response:
        return self._google_error(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
            "authError",
        )

    def error(self, call: Call, status: int, retry_after: float | None) -> Response:
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        if status == 429:
            return self._google_error(429, "Too many requests", "rateLimitExceeded", headers)
        if status == 403:
            return self._google_error(
                403,
                "The request cannot be completed because you have exceeded your quota.",
                "quotaExceeded",
                headers,
            )
        return self._google_error(status, "Backend Error", "backendError", headers)

    def route(self, call: Call) -> Response:
        if call.path == "/upload/youtube/v3/videos" and call.method == "POST":
            return self._start(call)
        if call.path == "/upload/youtube/v3/videos" and call.method == "PUT":
            return self._put(call)
        if call.path == "/upload/youtube/v3/thumbnails/set" and call.method == "POST":
            video = call.query.get("videoId", "")
            if not any(v["id"] == video for v in self.videos):
                return self._google_error(404, "Video not found", "videoNotFound")
            if len(call.body) > 2 * 1024 * 1024:
                return self._google_error(400, "The thumbnail is too large", "mediaBodyRequired")
            self.thumbnails[video] = call.body
            return as_json(
                200,
                {
                    "kind": "youtube#thumbnailSetResponse",
                    "items": [{"default": {"url": f"https://i.ytimg.com/vi/{video}/default.jpg"}}],
                },
            )
        if call.path == "/youtube/v3/videos" and call.method == "GET":
            ids = call.query.get("id", "").split(",")
            items = [
                {
                    "kind": "youtube#video",
                    "id": v["id"],
                    "statistics": {
                        "viewCount": "1520",
                        "likeCount": "44",
                        "favoriteCount": "0",
                        "commentCount": "6",
                    },
                }
                for v in self.videos
                if v["id"] in ids
            ]
            return as_json(200, {"kind": "youtube#videoListResponse", "items": items})
        if call.path == "/youtube/v3/channels" and call.method == "GET":
            return as_json(
                200,
                {
                    "kind": "youtube#channelListResponse",
                    "items": [{"kind": "youtube#channel", "id": self.channel_id}],
                },
            )
        return not_found(call)

    def _start(self, call: Call) -> Response:
        if call.query.get("uploadType") != "resumable":
            return self._google_error(400, "uploadType must be resumable", "invalid")
        resource = call.json if isinstance(call.json, dict) else {}
        title = ((resource.get("snippet") or {}).get("title")) or ""
        if not title or len(title) > 100 or "<" in title or ">" in title:
            return self._google_error(
                400, "The request metadata specifies an invalid video title.", "invalidTitle"
            )
        try:
            total = int(call.headers.get("x-upload-content-length", ""))
        except ValueError:
            return self._google_error(400, "X-Upload-Content-Length is required", "invalid")
        upload_id = uuid.uuid4().hex
        with self.lock:
            self.sessions[upload_id] = {
                "total": total,
                "data": b"",
                "resource": resource,
                "type": call.headers.get("x-upload-content-type", ""),
            }
        location = f"{self.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        return (200, {"Location": location, "Content-Length": "0"}, b"")

    def _put(self, call: Call) -> Response:
        session = self.sessions.get(call.query.get("upload_id", ""))
        if session is None:
            return self._google_error(404, "Upload session not found", "notFound")
        content_range = call.headers.get("content-range", "")
        if content_range.startswith("bytes */"):
            received = len(session["data"])
            if received == session["total"] and "video" in session:
                return as_json(200, session["video"])
            headers = {"Range": f"bytes=0-{received - 1}"} if received else {}
            return (308, headers, b"")
        start = 0
        if content_range.startswith("bytes "):
            start = int(content_range[6:].split("-", 1)[0])
        if start != len(session["data"]):
            return self._google_error(400, "Invalid Content-Range", "badContent")
        body = call.body
        if self.break_after is not None:
            keep, self.break_after = self.break_after, None
            session["data"] += body[:keep]
            return self._google_error(503, "Backend Error", "backendError")
        session["data"] += body
        if len(session["data"]) < session["total"]:
            return (308, {"Range": f"bytes=0-{len(session['data']) - 1}"}, b"")
        video_id = "yt" + uuid.uuid4().hex[:9]
        video = {
            "kind": "youtube#video",
            "id": video_id,
            "snippet": session["resource"].get("snippet"),
            "status": {"uploadStatus": "uploaded", **(session["resource"].get("status") or {})},
        }
        session["video"] = video
        with self.lock:
            self.videos.append(
                {"id": video_id, "data": session["data"], "resource": session["resource"]}
            )
        return as_json(200, video)


# --- TikTok Content Posting API ------------------------------------------------------------------


class FakeTikTok(FakePlatform):
    """Direct Post: creator_info/query, video/init (FILE_UPLOAD chunk rules), the PUT upload
    (206 / 201), status/fetch and video/query. Every answer carries
    ``{"error": {"code", "message", "log_id"}}``."""

    send_path = "/v2/post/publish/video/init/"
    username = "kpusamarinda"
    options: ClassVar[list[str]] = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]

    def __init__(self) -> None:
        super().__init__()
        self.publishes: dict[str, dict[str, Any]] = {}
        self.moderation_polls = 0  # status answers PROCESSING_DOWNLOAD before complete
        self.refuse_reason = ""  # FAILED with this reason once uploaded

    def _answer(
        self,
        status: int,
        data: Any,
        code: str = "ok",
        message: str = "",
        headers: dict[str, str] | None = None,
    ) -> Response:
        return as_json(
            status,
            {"data": data, "error": {"code": code, "message": message, "log_id": uuid.uuid4().hex}},
            headers,
        )

    def unauthorized(self, call: Call) -> Response:
        return self._answer(
            401,
            {},
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        )

    def error(self, call: Call, status: int, retry_after: float | None) -> Response:
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        if status == 429:
            return self._answer(
                429, {}, "rate_limit_exceeded", "The API rate limit was exceeded.", headers
            )
        return self._answer(status, {}, "internal_error", "Something went wrong.", headers)

    def authorized(self, call: Call) -> bool:
        if call.path.startswith("/upload/"):
            return True  # the upload URL carries its own token
        return super().authorized(call)

    def route(self, call: Call) -> Response:
        data = call.json if isinstance(call.json, dict) else {}
        if call.path == "/v2/post/publish/creator_info/query/":
            return self._answer(
                200,
                {
                    "creator_avatar_url": "https://p16.tiktokcdn.com/avatar.jpeg",
                    "creator_username": self.username,
                    "creator_nickname": "KPU Samarinda",
                    "privacy_level_options": self.options,
                    "comment_disabled": False,
                    "duet_disabled": False,
                    "stitch_disabled": True,
                    "max_video_post_duration_sec": 600,
                },
            )
        if call.path == "/v2/post/publish/video/init/":
            return self._init(data)
        if call.path.startswith("/upload/") and call.method == "PUT":
            return self._upload(call)
        if call.path == "/v2/post/publish/status/fetch/":
            return self._status(data)
        if call.path == "/v2/video/query/":
            ids = (data.get("filters") or {}).get("video_ids") or []
            videos = [
                {
                    "id": i,
                    "view_count": 5400,
                    "like_count": 320,
                    "comment_count": 12,
                    "share_count": 25,
                }
                for i in ids
                if any(p.get("post_id") == i for p in self.publishes.values())
            ]
            return self._answer(200, {"videos": videos, "cursor": 0, "has_more": False})
        return not_found(call)

    def _init(self, data: dict[str, Any]) -> Response:
        post = data.get("post_info") or {}
        source = data.get("source_info") or {}
        if post.get("privacy_level") not in self.options:
            return self._answer(
                400,
                {},
                "privacy_level_option_mismatch",
                "privacy_level is not one of the creator's options",
            )
        if len(str(post.get("title") or "")) > 2200:
            return self._answer(400, {}, "invalid_params", "title too long")
        if source.get("source") != "FILE_UPLOAD":
            return self._answer(400, {}, "invalid_params", "source must be FILE_UPLOAD here")
        size, chunk, count = (
            int(source.get(k) or 0) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        mb = 1024 * 1024
        valid = size > 0 and 1 <= count <= 1000 and count == size // chunk if chunk else False
        if valid and size < 5 * mb:
            valid = chunk == size and count == 1
        elif valid and size > 64 * mb:
            valid = 5 * mb <= chunk <= 64 * mb and size - chunk * (count - 1) <= 128 * mb
        if not valid:
            return self._answer(
                400,
                {},
                "invalid_params",
                "chunk_size and total_chunk_count do not follow the rules",
            )
        publish_id = f"v_pub_file~v2-1.{self.next_id()}"
        token = uuid.uuid4().hex
        with self.lock:
            self.publishes[publish_id] = {
                "size": size,
                "title": post.get("title"),
                "privacy": post.get("privacy_level"),
                "data": b"",
                "token": token,
                "polls": self.moderation_polls,
                "post_id": "",
            }
        return self._answer(
            200,
            {
                "publish_id": publish_id,
                "upload_url": f"{self.url}/upload/?upload_id={publish_id}&upload_token={token}",
            },
        )

    def _upload(self, call: Call) -> Response:
        publish = self.publishes.get(call.query.get("upload_id", ""))
        if publish is None or call.query.get("upload_token") != publish["token"]:
            return (404, {}, b"")
        first, _sep, rest = call.headers.get("content-range", "").partition("-")
        try:
            start = int(first.removeprefix("bytes "))
            end, total = (int(x) for x in rest.split("/"))
        except ValueError:
            return (400, {}, b"")
        if (
            start != len(publish["data"])
            or end - start + 1 != len(call.body)
            or total != publish["size"]
        ):
            return (416, {}, b"")
        publish["data"] += call.body
        return (201, {}, b"") if len(publish["data"]) == total else (206, {}, b"")

    def _status(self, data: dict[str, Any]) -> Response:
        with self.lock:
            publish = self.publishes.get(str(data.get("publish_id") or ""))
            if publish is None:
                return self._answer(400, {}, "invalid_publish_id", "publish_id not found")
            if len(publish["data"]) < publish["size"]:
                return self._answer(
                    200, {"status": "PROCESSING_UPLOAD", "uploaded_bytes": len(publish["data"])}
                )
            if self.refuse_reason:
                return self._answer(200, {"status": "FAILED", "fail_reason": self.refuse_reason})
            if publish["polls"] > 0:
                publish["polls"] -= 1
                return self._answer(
                    200, {"status": "PROCESSING_DOWNLOAD", "uploaded_bytes": publish["size"]}
                )
            if not publish["post_id"]:
                publish["post_id"] = str(7_300_000_000_000_000_000 + self.next_id())
            return self._answer(
                200,
                {
                    "status": "PUBLISH_COMPLETE",
                    "publicaly_available_post_id": [int(publish["post_id"])],
                    "uploaded_bytes": publish["size"],
                },
            )

    def published(self) -> list[dict[str, Any]]:
        return [p for p in self.publishes.values() if len(p["data"]) == p["size"]]


# --- a generic webhook receiver ------------------------------------------------------------------


class FakeWebhookReceiver(FakePlatform):
    """A partner system: checks ``X-Bakohumas-Signature`` (401 when wrong), keeps each
    ``Idempotency-Key`` once (a repeat gets the first answer)."""

    send_path = "/hook"
    secret = "whsec-test-signing-secret"

    def __init__(self) -> None:
        super().__init__()
        self.received: dict[str, dict[str, Any]] = {}

    def authorized(self, call: Call) -> bool:
        expected = "sha256=" + hmac.new(self.secret.encode(), call.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, call.headers.get("x-bakohumas-signature", ""))

    def unauthorized(self, call: Call) -> Response:
        return as_json(401, {"error": "invalid signature"})

    def route(self, call: Call) -> Response:
        if call.path == "/moved":
            return (301, {"Location": self.url + "/hook"}, b"")
        if call.path != "/hook" or call.method != "POST":
            return not_found(call)
        key = call.headers.get("idempotency-key", "")
        if not key or not isinstance(call.json, dict):
            return as_json(400, {"error": "Idempotency-Key and a JSON body are required"})
        with self.lock:
            if key not in self.received:
                n = len(self.received) + 1
                self.received[key] = {
                    "id": f"rcv-{n}",
                    "url": f"https://mitra.example/p/{n}",
                    "body": call.json,
                }
            first = self.received[key]
        return as_json(201, {"id": first["id"], "url": first["url"]})


# --- helpers for tests ----------------------------------------------------------------------------


@contextlib.contextmanager
def running(fake: FakePlatform) -> Iterator[Any]:
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def make_account(
    unit: Any, kind: str, config: dict[str, Any], secret: dict[str, Any], name: str = "Akun resmi"
) -> Any:
    from bakohumas.dissemination import crypto
    from bakohumas.dissemination.models import ChannelAccount

    return ChannelAccount.objects.create(
        unit=unit,
        kind=kind,
        name=name,
        config=config,
        secret_ciphertext=crypto.encrypt(secret),
        secret_hint=crypto.hint(secret),
        rate_per_second=1000,
    )


_asset_numbers = itertools.count(1)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x11" * 2000 + b"\xff\xd9"
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def make_asset(
    unit: Any,
    kind: str = "image",
    data: bytes | None = None,
    *,
    size: int | None = None,
    mime_type: str | None = None,
    ext: str | None = None,
) -> Any:
    """A media-library file: stored for real when ``data`` is given (uploads read it),
    else only the row (``size`` as the library recorded it: limits are checked on it)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from bakohumas.media.models import MediaAsset

    n = next(_asset_numbers)
    defaults = {
        "image": ("image/jpeg", "jpg"),
        "video": ("video/mp4", "mp4"),
        "pdf": ("application/pdf", "pdf"),
        "audio": ("audio/mpeg", "mp3"),
        "slides": ("application/vnd.ms-powerpoint", "ppt"),
    }
    mime, extension = defaults[kind]
    mime, extension = mime_type or mime, ext or extension
    name = f"media/{unit.pk}/asset-{n}-{uuid.uuid4().hex[:6]}.{extension}"
    if data is not None:
        name = default_storage.save(name, ContentFile(data))
    return MediaAsset.objects.create(
        unit=unit,
        kind=kind,
        file=name,
        original_name=f"berkas-{n}.{extension}",
        mime_type=mime,
        size=size if size is not None else len(data or b""),
        sha256=hashlib.sha256(data or name.encode()).hexdigest(),
        title=f"Berkas {n}",
        alt_text=f"Petugas KPU menyiapkan logistik {n}" if kind == "image" else "",
    )


def approved_item(
    unit: Any,
    contributor: Any,
    coordinator: Any,
    *,
    media: list[Any] = (),  # type: ignore[assignment]
    variants: list[dict[str, str]] | None = None,
    **fields: Any,
) -> Any:
    """An item with media written by a contributor and approved by a coordinator."""
    from bakohumas.content import services as content_services

    data = {
        "form": "news",
        "title": "Jadwal pemutakhiran data pemilih",
        "summary": "Ringkasan jadwal coklit.",
        "body": "<p>Isi berita tentang coklit.</p>",
    }
    data.update(fields)
    item = content_services.create_item(
        unit=unit, by=contributor, fields=data, variants=variants or [], media=[a.pk for a in media]
    )
    content_services.submit(item, by=contributor)
    return content_services.approve(item, by=coordinator)


def drain_until(publication: Any, *, timeout: float = 15.0, pause: float = 0.05) -> Any:
    """Run the engine's sender until the publication leaves *sending* (retries included)."""
    from bakohumas.dissemination import engine
    from bakohumas.dissemination.models import PublicationStatus

    deadline = time.monotonic() + timeout
    while True:
        engine.drain("test-worker")
        publication.refresh_from_db()
        if publication.status != PublicationStatus.SENDING or time.monotonic() > deadline:
            return publication
        time.sleep(pause)
