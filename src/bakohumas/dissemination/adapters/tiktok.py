"""TikTok Content Posting API (Direct Post) with a user access token
(``secret["access_token"]``, scopes ``video.publish``, ``video.list`` for metrics).

1. ``POST /v2/post/publish/creator_info/query/`` — the privacy levels the creator may
   use (the configured ``config["privacy_level"]``, default ``PUBLIC_TO_EVERYONE``, must
   be one of them) and the creator's username;
2. ``POST /v2/post/publish/video/init/`` ``{"post_info": {"title", "privacy_level", …},
   "source_info": {"source": "FILE_UPLOAD", "video_size", "chunk_size",
   "total_chunk_count"}}`` → ``{"data": {"publish_id", "upload_url"}}``;
3. ``PUT upload_url`` each chunk with ``Content-Range: bytes a-b/N`` (chunks of 5-64 MB,
   the last one absorbing the rest; a video under 64 MB goes whole) → 206, then 201;
4. ``POST /v2/post/publish/status/fetch/`` ``{"publish_id"}`` until ``PUBLISH_COMPLETE``
   (with ``publicaly_available_post_id``, TikTok's spelling) or ``FAILED`` (``fail_reason``).

Moderation may take hours: when the post is not public within ``status_wait_seconds``,
the delivery is recorded with ``publish:<publish_id>`` and ``fetch_metrics`` resolves the
post id later (and reports a post TikTok refused after moderation).

Metrics: ``POST /v2/video/query/?fields=id,view_count,like_count,comment_count,
share_count`` ``{"filters": {"video_ids": [...]}}``.

Every answer carries ``{"error": {"code", "message", "log_id"}}``; ``code`` is ``ok`` on
success. Token codes ask for a reconnect; ``rate_limit_exceeded`` (429) waits.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import (
    AdapterError,
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
    file_chunks,
    json_of,
    local_file,
    retry_after_seconds,
    short,
)

MB = 1024 * 1024
GB = 1024 * MB
SINGLE_CHUNK_MAX = 64 * MB
CHUNK = 10 * MB
TITLE_LIMIT = 2200
RECONNECT_CODES = {
    "access_token_invalid",
    "access_token_expired",
    "scope_not_authorized",
    "scope_permission_missed",
}
TRANSIENT_CODES = {"rate_limit_exceeded", "internal_error", "server_error"}
PUBLISH_PREFIX = "publish:"


def chunking(size: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) by TikTok's media transfer rules."""
    if size <= SINGLE_CHUNK_MAX:
        return size, 1
    return CHUNK, size // CHUNK


@register
class TikTokAdapter(HttpAdapter):
    kind = "tiktok"
    default_api_base = "https://open.tiktokapis.com"
    # Six init requests a minute per user token.
    default_rate = 0.1
    requires_media = True
    media_limits: ClassVar[dict[str, int]] = {"video": 4 * GB}
    poll_seconds: ClassVar[float] = 3.0

    def auth(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token()}",
            "Content-Type": "application/json; charset=UTF-8",
        }

    def error_for(self, response: httpx.Response) -> AdapterError:
        error = json_of(response).get("error")
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or "")
        message = str(error.get("message") or short(response.text))
        status = response.status_code
        reason = self.describe(status, short(message)) + (f" [{code}]" if code else "")
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        if code in RECONNECT_CODES:
            return classify(status, reason, reconnect=True, code=code)
        if code in TRANSIENT_CODES:
            return classify(
                429 if code == "rate_limit_exceeded" else 503,
                reason,
                retry_after=retry_after,
                transient=True,
                code=code,
            )
        return classify(status, reason, retry_after=retry_after, code=code)

    def api(self, path: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        response = self.call(
            "POST", f"{self.api_base}{path}", json=body, headers=self.auth(), params=params or None
        )
        data = json_of(response)
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        if (error or {}).get("code") not in (None, "", "ok"):
            raise self.error_for(response)
        inner = data.get("data")
        return inner if isinstance(inner, dict) else {}

    def creator(self) -> dict[str, Any]:
        return self.api("/v2/post/publish/creator_info/query/", {})

    def check_credentials(self) -> None:
        self.creator()

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        videos = [m for m in prepared.media if m.kind == "video"]
        if prepared.media and len(videos) != 1:
            problems.append(_("TikTok needs exactly one video file."))
        problems += self.text_problems(prepared.text, TITLE_LIMIT)
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        video = next((m for m in prepared.media if m.kind == "video"), None)
        if video is None:
            raise PermanentError(_("TikTok needs a video."))
        creator = self.creator()
        privacy = str(self.config.get("privacy_level") or "PUBLIC_TO_EVERYONE")
        options = creator.get("privacy_level_options") or []
        if options and privacy not in options:
            raise PermanentError(
                _("This TikTok account may not post as %(level)s (it may: %(options)s).")
                % {"level": privacy, "options": ", ".join(map(str, options))}
            )
        username = str(creator.get("creator_username") or "")
        with local_file(video) as path:
            size = path.stat().st_size
            chunk_size, count = chunking(size)
            init = self.api(
                "/v2/post/publish/video/init/",
                {
                    "post_info": {
                        "title": prepared.text[:TITLE_LIMIT],
                        "privacy_level": privacy,
                        "disable_comment": False,
                        "disable_duet": False,
                        "disable_stitch": False,
                    },
                    "source_info": {
                        "source": "FILE_UPLOAD",
                        "video_size": size,
                        "chunk_size": chunk_size,
                        "total_chunk_count": count,
                    },
                },
            )
            publish_id = str(init.get("publish_id") or "")
            upload_url = str(init.get("upload_url") or "")
            if not publish_id or not upload_url:
                raise TransientError(_("TikTok did not open an upload."))
            for index in range(count):
                start = index * chunk_size
                end = size - 1 if index == count - 1 else start + chunk_size - 1
                self.call(
                    "PUT",
                    upload_url,
                    content=file_chunks(path, start, end - start + 1),
                    headers={
                        "Content-Type": video.mime_type,
                        "Content-Length": str(end - start + 1),
                        "Content-Range": f"bytes {start}-{end}/{size}",
                    },
                    timeout=self.upload_timeout,
                    ok=(200, 201, 206),
                    # The last piece completes the upload, and a direct post goes out.
                    publishing=index == count - 1,
                )
        post_id = self._wait_published(publish_id)
        if not post_id:
            return SendResult(provider_id=PUBLISH_PREFIX + publish_id)
        url = f"https://www.tiktok.com/@{username}/video/{post_id}" if username else ""
        return SendResult(provider_id=post_id, url=url)

    def status(self, publish_id: str) -> dict[str, Any]:
        return self.api("/v2/post/publish/status/fetch/", {"publish_id": publish_id})

    def _wait_published(self, publish_id: str) -> str:
        """The public post id, or "" when TikTok is still processing or moderating."""
        deadline = time.monotonic() + float(self.config.get("status_wait_seconds", 30))
        interval = float(self.config.get("poll_seconds", self.poll_seconds))
        while True:
            try:
                data = self.status(publish_id)
            except AdapterError:  # the video is uploaded: never send it twice
                return ""
            state = str(data.get("status") or "")
            if state == "FAILED":
                raise PermanentError(
                    _("TikTok refused the video: %s") % (data.get("fail_reason") or state)
                )
            ids = data.get("publicaly_available_post_id") or []
            if state == "PUBLISH_COMPLETE" and ids:
                return str(ids[0])
            if time.monotonic() + interval > deadline:
                return ""
            time.sleep(interval)

    def fetch_metrics(self, publication: Any) -> Metrics | None:
        post_id = publication.external_id
        if not post_id:
            return None
        if post_id.startswith(PUBLISH_PREFIX):
            data = self.status(post_id[len(PUBLISH_PREFIX) :])
            if data.get("status") == "FAILED":
                raise PermanentError(
                    _("TikTok refused the video after review: %s") % (data.get("fail_reason") or "")
                )
            ids = data.get("publicaly_available_post_id") or []
            if not ids:
                return None
            post_id = str(ids[0])
            from bakohumas.dissemination.models import Publication

            Publication.objects.filter(pk=publication.pk).update(external_id=post_id)
            publication.external_id = post_id
        videos = (
            self.api(
                "/v2/video/query/",
                {"filters": {"video_ids": [post_id]}},
                fields="id,view_count,like_count,comment_count,share_count",
            ).get("videos")
            or []
        )
        if not videos or not isinstance(videos[0], dict):
            return None
        video = videos[0]

        def n(name: str) -> int:
            try:
                return int(video.get(name) or 0)
            except (TypeError, ValueError):
                return 0

        return Metrics(
            impressions=n("view_count"),
            engagement=n("like_count") + n("comment_count") + n("share_count"),
        )
