"""YouTube Data API v3: a video upload with the resumable protocol.

``secret["access_token"]`` is an OAuth 2.0 token with the ``youtube.upload`` scope (and
``youtube.readonly`` for the metrics); ``config["destination"]`` the channel id it must
belong to; ``config["privacy"]`` public (default), unlisted or private;
``config["category_id"]`` (default 25, News & Politics).

1. ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the
   video resource as JSON and ``X-Upload-Content-Length`` / ``X-Upload-Content-Type`` →
   200 and the session URL in ``Location``;
2. ``PUT`` the bytes to that URL → 200/201 and the video resource (``id``);
3. when the PUT breaks (network error, 5xx), ``PUT`` with ``Content-Range: bytes */N``
   asks how much arrived → ``308 Resume Incomplete`` with ``Range: bytes=0-K`` and the
   upload goes on from K+1, on the same session (up to ``RESUMES`` times);
4. an image of the item becomes the custom thumbnail (``thumbnails.set``, 2 MB), best
   effort: the video is already published.

Metrics: ``GET /youtube/v3/videos?part=statistics&id=…`` (views as impressions; likes,
comments and favourites as engagement).

Errors: ``{"error": {"code", "message", "errors": [{"reason", …}]}}``; ``quotaExceeded``,
``rateLimitExceeded`` and ``userRateLimitExceeded`` (403) mean wait, not reconnect.
"""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import (
    AdapterError,
    MediaFile,
    Metrics,
    PermanentError,
    Prepared,
    ReconnectRequired,
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
RESUMES = 5
TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 5000  # bytes
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_WAIT = 3600.0
_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


@register
class YouTubeAdapter(HttpAdapter):
    kind = "youtube"
    default_api_base = "https://www.googleapis.com"
    default_rate = 0.1
    requires_media = True
    # Videos up to 256 GB; custom thumbnails up to 2 MB.
    media_limits: ClassVar[dict[str, int]] = {"video": 256 * GB, "image": 2 * MB}
    resume_pause: ClassVar[float] = 1.0

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def error_for(self, response: httpx.Response) -> AdapterError:
        data = json_of(response)
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        status = response.status_code
        message = str((error or {}).get("message") or short(response.text))
        reasons = {
            str(e.get("reason"))
            for e in (error or {}).get("errors") or []
            if isinstance(e, dict) and e.get("reason")
        }
        reason = self.describe(status, short(message))
        if reasons:
            reason += f" [{', '.join(sorted(reasons))}]"
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        if reasons & QUOTA_REASONS:
            return TransientError(reason, retry_after=retry_after or QUOTA_WAIT, code="quota")
        if reasons & RATE_REASONS:
            return TransientError(reason, retry_after=retry_after or 60.0, code="rate")
        return classify(status, reason, retry_after=retry_after)

    def check_credentials(self) -> None:
        response = self.call(
            "GET",
            f"{self.api_base}/youtube/v3/channels",
            params={"part": "id", "mine": "true"},
            headers=self.auth(),
        )
        items = json_of(response).get("items") or []
        ids = {str(c.get("id")) for c in items if isinstance(c, dict)}
        if self.destination and self.destination not in ids:
            raise ReconnectRequired(
                _("The token does not belong to the YouTube channel %s.") % self.destination
            )

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        videos = [m for m in prepared.media if m.kind == "video"]
        if prepared.media and len(videos) != 1:
            problems.append(_("YouTube needs exactly one video file."))
        title = prepared.title.strip()
        if not title or len(title) > TITLE_LIMIT:
            problems.append(
                _("A YouTube title has 1 to %(limit)s characters (this one has %(n)s).")
                % {"limit": TITLE_LIMIT, "n": len(title)}
            )
        if len(prepared.text.encode()) > DESCRIPTION_LIMIT:
            problems.append(_("A YouTube description has at most %s bytes.") % DESCRIPTION_LIMIT)
        if any(c in prepared.title + prepared.text for c in "<>"):
            problems.append(_("YouTube does not accept < or > in titles and descriptions."))
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        video = next((m for m in prepared.media if m.kind == "video"), None)
        if video is None:
            raise PermanentError(_("YouTube needs a video."))
        resource = {
            "snippet": {
                "title": prepared.title.strip()[:TITLE_LIMIT],
                "description": prepared.text,
                "categoryId": str(self.config.get("category_id") or "25"),
            },
            "status": {
                "privacyStatus": str(self.config.get("privacy") or "public"),
                "selfDeclaredMadeForKids": False,
            },
        }
        with local_file(video) as path:
            size = path.stat().st_size
            response = self.call(
                "POST",
                f"{self.api_base}/upload/youtube/v3/videos",
                params={"uploadType": "resumable", "part": "snippet,status"},
                json=resource,
                headers={
                    **self.auth(),
                    "X-Upload-Content-Length": str(size),
                    "X-Upload-Content-Type": video.mime_type,
                },
            )
            session = response.headers.get("location", "")
            if not session:
                raise TransientError(_("YouTube did not open an upload session."))
            uploaded = self._upload(session, path, size, video.mime_type)
        video_id = str(uploaded.get("id") or "")
        if not video_id:
            raise PermanentError(_("YouTube answered without the id of the video."))
        image = next((m for m in prepared.media if m.kind == "image"), None)
        if image is not None:
            self._thumbnail(video_id, image)
        return SendResult(provider_id=video_id, url=f"https://www.youtube.com/watch?v={video_id}")

    def _upload(self, session: str, path: Any, size: int, mime_type: str) -> dict[str, Any]:
        offset = 0
        for attempt in range(RESUMES + 1):
            try:
                response = self.client().put(
                    session,
                    content=file_chunks(path, offset),
                    headers={
                        **self.auth(),
                        "Content-Type": mime_type,
                        "Content-Length": str(size - offset),
                        **(
                            {"Content-Range": f"bytes {offset}-{size - 1}/{size}"} if offset else {}
                        ),
                    },
                    timeout=self.upload_timeout,
                )
                if response.status_code in (200, 201):
                    return json_of(response)
                if response.status_code in (404, 410):
                    raise TransientError(_("The YouTube upload session expired; starting again."))
                if response.status_code < 500 and response.status_code != 308:
                    raise self.error_for(response)
            except httpx.HTTPError as exc:
                if attempt == RESUMES:
                    raise TransientError(
                        _("The upload to YouTube broke: %s") % short(str(exc))
                    ) from exc
            if attempt == RESUMES:
                break
            time.sleep(float(self.config.get("resume_pause", self.resume_pause)) * (attempt + 1))
            offset, finished = self._received(session, size)
            if finished is not None:  # it all arrived while the answer was lost
                return finished
        raise TransientError(_("The upload to YouTube kept breaking; trying again later."))

    def _received(self, session: str, size: int) -> tuple[int, dict[str, Any] | None]:
        """How many bytes YouTube holds (the next offset), and the video resource when it
        holds them all."""
        response = self.call(
            "PUT",
            session,
            content=b"",
            headers={**self.auth(), "Content-Range": f"bytes */{size}", "Content-Length": "0"},
            ok=(200, 201, 308),
        )
        if response.status_code in (200, 201):
            return size, json_of(response)
        match = _RANGE.match(response.headers.get("range", ""))
        return (int(match.group(2)) + 1 if match else 0), None

    def _thumbnail(self, video_id: str, image: MediaFile) -> None:
        try:
            with local_file(image) as path:
                self.call(
                    "POST",
                    f"{self.api_base}/upload/youtube/v3/thumbnails/set",
                    params={"videoId": video_id},
                    content=path.read_bytes(),
                    headers={**self.auth(), "Content-Type": image.mime_type},
                    timeout=self.upload_timeout,
                )
        except AdapterError:  # the video is out; a missing thumbnail must not repeat it
            return

    def fetch_metrics(self, publication: Any) -> Metrics | None:
        if not publication.external_id:
            return None
        response = self.call(
            "GET",
            f"{self.api_base}/youtube/v3/videos",
            params={"part": "statistics", "id": publication.external_id},
            headers=self.auth(),
        )
        items = json_of(response).get("items") or []
        stats = items[0].get("statistics") if items and isinstance(items[0], dict) else None
        if not isinstance(stats, dict):
            raise PermanentError(_("YouTube no longer has the video %s.") % publication.external_id)

        def n(name: str) -> int:
            try:
                return int(stats.get(name) or 0)
            except (TypeError, ValueError):
                return 0

        return Metrics(
            impressions=n("viewCount"),
            engagement=n("likeCount") + n("commentCount") + n("favoriteCount"),
        )
