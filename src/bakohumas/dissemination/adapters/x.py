"""X (formerly Twitter) API v2, with an OAuth 2.0 user access token
(``secret["access_token"]``, scopes ``tweet.write``, ``tweet.read``, ``users.read``,
``media.write``).

* images (up to four) → ``POST /2/media/upload`` (multipart ``media`` +
  ``media_category=tweet_image``) → ``{"data": {"id": …}}``;
* a video → the chunked upload on the same endpoint: ``command=INIT`` (``total_bytes``,
  ``media_type``, ``media_category=tweet_video``), ``APPEND`` (``segment_index``, 4 MB
  pieces), ``FINALIZE``, then ``STATUS`` until ``processing_info.state`` is
  ``succeeded``;
* ``POST /2/tweets`` ``{"text": …, "media": {"media_ids": [...]}}`` → 201
  ``{"data": {"id": …, "text": …}}``.

Metrics: ``GET /2/tweets/{id}?tweet.fields=public_metrics`` (impressions; likes, reposts,
replies, quotes and bookmarks as engagement; X does not report reach).

Errors come as ``{"title", "detail", "type", "status"}`` (or ``{"errors": [...]}``); a 429
carries ``x-rate-limit-reset`` (epoch seconds). A 403 about duplicate content is not a
credentials problem: it means the same text is already on the account.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from bakohumas.content.channels import weighted_length
from bakohumas.dissemination.adapters.base import (
    AdapterError,
    MediaFile,
    Metrics,
    PermanentError,
    Prepared,
    SendResult,
    TransientError,
    register,
)
from bakohumas.dissemination.adapters.http import (
    HttpAdapter,
    classify,
    json_of,
    local_file,
    reset_seconds,
    retry_after_seconds,
    short,
)

MB = 1024 * 1024
CHUNK = 4 * MB
MAX_WEIGHTED = 280


@register
class XAdapter(HttpAdapter):
    kind = "x"
    default_api_base = "https://api.x.com"
    default_rate = 0.2
    # Images 5 MB, videos 512 MB (X's media upload constraints).
    media_limits: ClassVar[dict[str, int]] = {"image": 5 * MB, "video": 512 * MB}
    poll_limit: ClassVar[int] = 60

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def error_for(self, response: httpx.Response) -> AdapterError:
        data = json_of(response)
        status = response.status_code
        message = str(data.get("detail") or data.get("title") or "")
        errors = data.get("errors")
        if not message and isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = str(errors[0].get("message") or errors[0].get("detail") or "")
        reason = self.describe(status, short(message or response.text))
        if status == 429:
            wait = retry_after_seconds(response.headers.get("retry-after")) or reset_seconds(
                response.headers.get("x-rate-limit-reset")
            )
            return TransientError(reason, retry_after=wait, code="429")
        if status == 403 and "duplicate" in message.lower():
            return PermanentError(
                reason + " " + _("The same text is already posted on this account."), code="403"
            )
        return classify(
            status, reason, retry_after=retry_after_seconds(response.headers.get("retry-after"))
        )

    def check_credentials(self) -> None:
        self.call("GET", f"{self.api_base}/2/users/me", headers=self.auth())

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        length = weighted_length(prepared.text)
        limit = int(self.config.get("max_chars") or MAX_WEIGHTED)
        if length > limit:
            problems.append(
                _("The post counts %(n)s characters on X; the limit is %(limit)s.")
                % {"n": length, "limit": limit}
            )
        images = [m for m in prepared.media if m.kind == "image"]
        videos = [m for m in prepared.media if m.kind == "video"]
        if len(videos) > 1 or (videos and images) or len(images) > 4:
            problems.append(_("A post on X carries up to four images or one video."))
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        media_ids = [self._upload(m) for m in prepared.media if m.kind in ("image", "video")]
        body: dict[str, Any] = {"text": prepared.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        response = self.call(
            "POST",
            f"{self.api_base}/2/tweets",
            json=body,
            headers=self.auth(),
            ok=(200, 201),
            publishing=True,
        )
        data = json_of(response).get("data") or {}
        post_id = str(data.get("id") or "") if isinstance(data, dict) else ""
        if not post_id:
            raise PermanentError(_("X answered without the id of the post."))
        return SendResult(provider_id=post_id, url=f"https://x.com/i/web/status/{post_id}")

    # --- media ---------------------------------------------------------------------------------
    def _media_id(self, response: httpx.Response) -> str:
        data = json_of(response)
        inner = data.get("data") if isinstance(data.get("data"), dict) else data
        media_id = str((inner or {}).get("id") or (inner or {}).get("media_id_string") or "")
        if not media_id:
            raise TransientError(_("X answered the upload without a media id."))
        return media_id

    def _upload(self, media: MediaFile) -> str:
        url = f"{self.api_base}/2/media/upload"
        with local_file(media) as path:
            if media.kind == "image":
                with path.open("rb") as handle:
                    response = self.call(
                        "POST",
                        url,
                        data={"media_category": "tweet_image"},
                        files={"media": (media.name, handle, media.mime_type)},
                        headers=self.auth(),
                        timeout=self.upload_timeout,
                    )
                return self._media_id(response)
            size = path.stat().st_size
            media_id = self._media_id(
                self.call(
                    "POST",
                    url,
                    data={
                        "command": "INIT",
                        "total_bytes": str(size),
                        "media_type": media.mime_type,
                        "media_category": "tweet_video",
                    },
                    headers=self.auth(),
                )
            )
            with path.open("rb") as handle:
                index = 0
                while piece := handle.read(CHUNK):
                    self.call(
                        "POST",
                        url,
                        data={
                            "command": "APPEND",
                            "media_id": media_id,
                            "segment_index": str(index),
                        },
                        files={"media": ("chunk", piece, "application/octet-stream")},
                        headers=self.auth(),
                        timeout=self.upload_timeout,
                        ok=(200, 201, 202, 204),
                    )
                    index += 1
        response = self.call(
            "POST", url, data={"command": "FINALIZE", "media_id": media_id}, headers=self.auth()
        )
        self._wait_processed(url, media_id, json_of(response))
        return media_id

    def _wait_processed(self, url: str, media_id: str, answer: dict[str, Any]) -> None:
        for _attempt in range(self.poll_limit):
            inner = answer.get("data") if isinstance(answer.get("data"), dict) else answer
            info = (inner or {}).get("processing_info")
            if not isinstance(info, dict):
                return
            state = str(info.get("state") or "")
            if state == "succeeded":
                return
            if state == "failed":
                error = info.get("error") if isinstance(info.get("error"), dict) else {}
                raise PermanentError(
                    _("X could not process the video: %s")
                    % short(str((error or {}).get("message") or state))
                )
            wait = float(info.get("check_after_secs") or 1)
            time.sleep(min(max(wait, 0.0), float(self.config.get("max_poll_seconds", 10))))
            answer = json_of(
                self.call(
                    "GET",
                    url,
                    params={"command": "STATUS", "media_id": media_id},
                    headers=self.auth(),
                )
            )
        raise TransientError(_("X is still processing the video; trying again later."))

    def fetch_metrics(self, publication: Any) -> Metrics | None:
        if not publication.external_id:
            return None
        response = self.call(
            "GET",
            f"{self.api_base}/2/tweets/{publication.external_id}",
            params={"tweet.fields": "public_metrics"},
            headers=self.auth(),
        )
        data = json_of(response).get("data") or {}
        figures = data.get("public_metrics") if isinstance(data, dict) else None
        if not isinstance(figures, dict):
            return None

        def n(name: str) -> int:
            try:
                return int(figures.get(name) or 0)
            except (TypeError, ValueError):
                return 0

        return Metrics(
            impressions=n("impression_count"),
            engagement=sum(
                n(k)
                for k in (
                    "like_count",
                    "retweet_count",
                    "reply_count",
                    "quote_count",
                    "bookmark_count",
                )
            ),
        )
