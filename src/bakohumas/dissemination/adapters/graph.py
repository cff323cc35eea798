"""Facebook Page and Instagram through Meta's Graph API.

Facebook (``config["destination"]`` = the Page id, ``secret["access_token"]`` = a Page
access token):

* no media → ``POST /{page-id}/feed`` (``message``, ``link``) → ``{"id": "<page>_<post>"}``;
* an image → ``POST /{page-id}/photos`` (the file as ``source``, the text as ``message``)
  → ``{"id": <photo>, "post_id": "<page>_<post>"}``;
* a video → ``POST /{page-id}/videos`` (``source``, ``title``, ``description``) →
  ``{"id": <video>}``.

Instagram (``destination`` = the Instagram professional account's user id; the token of
the Page it is linked to): ``POST /{ig-user-id}/media`` (``image_url`` or
``media_type=REELS`` + ``video_url``, ``caption``) makes a container; Instagram fetches the
file from the portal's public URL; ``GET /{container}?fields=status_code`` until
``FINISHED``; ``POST /{ig-user-id}/media_publish`` (``creation_id``) → ``{"id": <media>}``;
``GET /{media}?fields=permalink`` gives the link.

Metrics: ``GET /{post-id}/insights`` (Facebook: ``post_total_media_view_unique`` as reach,
``post_media_view`` as impressions, ``post_reactions_by_type_total`` as engagement,
``post_clicks``; the ``post_impressions*`` metrics were retired in 2025) and
``GET /{ig-media-id}/insights`` (Instagram: ``reach``, ``views``, ``total_interactions``).

Errors come as ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``:
code 190 (invalid or expired token), 102 and the permission codes (10, 200-299) ask for a
reconnect; throttling codes (4, 17, 32, 613, 80001-80014, 130429) wait; ``is_transient``,
1, 2 and 5xx retry.
"""

from __future__ import annotations

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
    SendResult,
    TransientError,
    register,
)
from bakohumas.dissemination.adapters.http import (
    HttpAdapter,
    classify,
    json_of,
    local_file,
    retry_after_seconds,
    short,
)

MB = 1024 * 1024
GRAPH_BASE = "https://graph.facebook.com/v21.0"

# Throttling: the app, the user, the Page, hourly and business-use-case limits, and
# WhatsApp's throughput limit. The account waits (Retry-After when given, else a minute).
THROTTLE_CODES = {4, 17, 32, 613, 130429, 131048} | set(range(80001, 80015))
# Per-recipient pacing (WhatsApp's pair rate limit): only that row waits.
PAIR_LIMIT_CODES = {131056}
TRANSIENT_CODES = {1, 2, 131000, 131016}
RECONNECT_CODES = {102, 190, 10} | set(range(200, 300))
THROTTLE_WAIT = 60.0


def graph_error(adapter: HttpAdapter, response: httpx.Response) -> AdapterError:
    """The engine's outcome of a Graph API error answer (also WhatsApp Cloud API)."""
    error = json_of(response).get("error")
    if not isinstance(error, dict):
        return classify(
            response.status_code,
            adapter.describe(response.status_code, short(response.text)),
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    try:
        code = int(error.get("code") or 0)
    except (TypeError, ValueError):
        code = 0
    message = str(error.get("error_user_msg") or error.get("message") or "")
    data = error.get("error_data")
    if isinstance(data, dict) and data.get("details"):
        message = f"{message} ({data['details']})"
    reason = adapter.describe(response.status_code, short(message)) + f" [code {code}]"
    retry_after = retry_after_seconds(response.headers.get("retry-after"))
    if code in RECONNECT_CODES:
        return classify(response.status_code, reason, reconnect=True, code=str(code))
    if code in THROTTLE_CODES or response.status_code == 429:
        return classify(
            429, reason, retry_after=retry_after or THROTTLE_WAIT, transient=True, code=str(code)
        )
    if code in PAIR_LIMIT_CODES:
        return TransientError(reason, code=str(code))
    if code in TRANSIENT_CODES or error.get("is_transient") is True:
        return TransientError(reason, retry_after=retry_after, code=str(code))
    if response.status_code in (401, 403):
        return classify(response.status_code, reason, reconnect=True, code=str(code))
    return classify(response.status_code, reason, code=str(code))


class GraphAdapter(HttpAdapter):
    default_api_base = GRAPH_BASE

    def error_for(self, response: httpx.Response) -> AdapterError:
        return graph_error(self, response)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def graph_get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.call("GET", f"{self.api_base}/{path}", params=params, headers=self.auth())
        return json_of(response)

    def graph_post(self, path: str, *, timeout: Any = None, **kwargs: Any) -> dict[str, Any]:
        extra = {"timeout": timeout} if timeout is not None else {}
        response = self.call(
            "POST", f"{self.api_base}/{path}", headers=self.auth(), **kwargs, **extra
        )
        return json_of(response)

    def check_credentials(self) -> None:
        if not self.destination:
            raise PermanentError(_("Set the destination id first."))
        self.graph_get(self.destination, fields="id,name")

    def insights(self, object_id: str, metrics: list[str]) -> dict[str, int]:
        data = self.graph_get(f"{object_id}/insights", metric=",".join(metrics))
        values: dict[str, int] = {}
        for entry in data.get("data") or []:
            if not isinstance(entry, dict):
                continue
            points = entry.get("values") or []
            if not points and "total_value" in entry:  # the newer metric shape
                points = [entry["total_value"]]
            value: Any = points[-1].get("value", 0) if points else 0
            if isinstance(value, dict):  # reactions by type
                value = sum(v for v in value.values() if isinstance(v, int | float))
            try:
                values[str(entry.get("name"))] = int(value or 0)
            except (TypeError, ValueError):
                continue
        return values


@register
class FacebookAdapter(GraphAdapter):
    kind = "facebook"
    default_rate = 1.0
    max_text = 63_206
    # Page photos: up to 4 MB; non-resumable video uploads: up to 1 GB.
    media_limits: ClassVar[dict[str, int]] = {"image": 4 * MB, "video": 1024 * MB}

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        problems += self.missing_settings("destination")
        problems += self.text_problems(prepared.text)
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        page = self.destination
        if not page:
            raise PermanentError(_("Set the Facebook Page id in the account settings."))
        media = prepared.media[0] if prepared.media else None
        if media is None:
            data = self.graph_post(f"{page}/feed", data={"message": prepared.text}, publishing=True)
            post_id = str(data.get("id") or "")
        elif media.kind == "image":
            data = self._upload(
                f"{page}/photos", media, {"message": prepared.text, "published": "true"}
            )
            post_id = str(data.get("post_id") or data.get("id") or "")
        else:
            data = self._upload(
                f"{page}/videos",
                media,
                {"title": prepared.title[:255], "description": prepared.text},
            )
            post_id = str(data.get("id") or "")
        if not post_id:
            raise PermanentError(_("Facebook answered without a post id."))
        return SendResult(provider_id=post_id, url=f"https://www.facebook.com/{post_id}")

    def _upload(self, path: str, media: MediaFile, fields: dict[str, str]) -> dict[str, Any]:
        with local_file(media) as file_path, file_path.open("rb") as handle:
            return self.graph_post(
                path,
                data=fields,
                files={"source": (media.name, handle, media.mime_type)},
                timeout=self.upload_timeout,
                publishing=True,
            )

    def fetch_metrics(self, publication: Any) -> Metrics | None:
        if not publication.external_id:
            return None
        values = self.insights(
            publication.external_id,
            [
                "post_total_media_view_unique",
                "post_media_view",
                "post_reactions_by_type_total",
                "post_clicks",
            ],
        )
        return Metrics(
            reach=values.get("post_total_media_view_unique", 0),
            impressions=values.get("post_media_view", 0),
            engagement=values.get("post_reactions_by_type_total", 0),
            clicks=values.get("post_clicks", 0),
        )


@register
class InstagramAdapter(GraphAdapter):
    kind = "instagram"
    default_rate = 0.5
    max_text = 2_200
    requires_media = True
    # Content publishing: JPEG images up to 8 MB, reels up to 300 MB.
    media_limits: ClassVar[dict[str, int]] = {"image": 8 * MB, "video": 300 * MB}
    # How long a worker waits for Instagram to fetch and process a container.
    poll_seconds: ClassVar[float] = 2.0
    poll_limit: ClassVar[int] = 60

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        problems += self.missing_settings("destination")
        problems += self.text_problems(prepared.text)
        if prepared.media:
            first = prepared.media[0]
            if first.kind == "image" and first.mime_type != "image/jpeg":
                problems.append(
                    _("Instagram publishes JPEG images only; %(name)s is %(type)s.")
                    % {"name": first.name, "type": first.mime_type}
                )
            if not first.url:
                problems.append(_("%s has no public address Instagram can fetch.") % first.name)
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        user = self.destination
        if not user:
            raise PermanentError(_("Set the Instagram user id in the account settings."))
        if not prepared.media:
            raise PermanentError(_("Instagram needs an image or a video."))
        media = prepared.media[0]
        fields: dict[str, str] = {"caption": prepared.text}
        if media.kind == "image":
            fields["image_url"] = media.url
            if media.alt_text:
                fields["alt_text"] = media.alt_text[:1000]
        else:
            fields["media_type"] = "REELS"
            fields["video_url"] = media.url
        container = str(self.graph_post(f"{user}/media", data=fields).get("id") or "")
        if not container:
            raise PermanentError(_("Instagram answered without a container id."))
        self._wait_until_ready(container)
        published = self.graph_post(
            f"{user}/media_publish", data={"creation_id": container}, publishing=True
        )
        media_id = str(published.get("id") or "")
        if not media_id:
            raise PermanentError(_("Instagram answered without a media id."))
        url = ""
        try:
            url = str(self.graph_get(media_id, fields="permalink").get("permalink") or "")
        except AdapterError:  # published; the link is a nicety
            url = ""
        return SendResult(provider_id=media_id, url=url)

    def _wait_until_ready(self, container: str) -> None:
        interval = float(self.config.get("poll_seconds", self.poll_seconds))
        for _attempt in range(self.poll_limit):
            status = str(self.graph_get(container, fields="status_code").get("status_code") or "")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise PermanentError(
                    _("Instagram could not process the file (%s).") % status.lower()
                )
            time.sleep(interval)
        raise TransientError(_("Instagram is still processing the file; trying again later."))

    def fetch_metrics(self, publication: Any) -> Metrics | None:
        if not publication.external_id:
            return None
        values = self.insights(publication.external_id, ["reach", "views", "total_interactions"])
        return Metrics(
            reach=values.get("reach", 0),
            impressions=values.get("views", 0),
            engagement=values.get("total_interactions", 0),
        )
