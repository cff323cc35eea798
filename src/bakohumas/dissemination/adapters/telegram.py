"""Telegram Bot API: posts to a channel or group the bot administers.

``config["destination"]`` is the chat: ``@channelusername`` or a numeric chat id;
``secret["bot_token"]`` the token BotFather gave. Every method is
``POST {api_base}/bot<token>/<method>`` and answers ``{"ok": true, "result": …}`` or
``{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 5",
"parameters": {"retry_after": 5}}``.

* no media → ``sendMessage`` (4,096 characters, the link previewed);
* an image, a video, an audio file or a document → ``sendPhoto`` / ``sendVideo`` /
  ``sendAudio`` / ``sendDocument`` with the file uploaded (multipart) and the text as
  caption when it fits (1,024 characters); a longer text goes as a message whose link
  preview shows the portal's image.

Bots cannot read view counts of channel posts through the Bot API, so there are no
platform metrics (clicks still come from the tracked links).
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from bakohumas.dissemination.adapters.base import (
    AdapterError,
    PermanentError,
    Prepared,
    SendResult,
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
CAPTION_LIMIT = 1024
METHOD_FOR = {
    "image": ("sendPhoto", "photo"),
    "video": ("sendVideo", "video"),
    "audio": ("sendAudio", "audio"),
    "pdf": ("sendDocument", "document"),
    "slides": ("sendDocument", "document"),
}


@register
class TelegramAdapter(HttpAdapter):
    kind = "telegram"
    default_api_base = "https://api.telegram.org"
    # Telegram asks bots for at most about 20 messages a minute into one group or channel.
    default_rate = 0.3
    max_text = 4096
    # Uploads by bots: photos up to 10 MB, other files up to 50 MB.
    media_limits: ClassVar[dict[str, int]] = {
        "image": 10 * MB,
        "video": 50 * MB,
        "audio": 50 * MB,
        "pdf": 50 * MB,
        "slides": 50 * MB,
    }

    def method_url(self, method: str) -> str:
        return f"{self.api_base}/bot{self.token('bot_token')}/{method}"

    def error_for(self, response: httpx.Response) -> AdapterError:
        data = json_of(response)
        status = response.status_code
        try:
            code = int(data.get("error_code") or status)
        except (TypeError, ValueError):
            code = status
        description = str(data.get("description") or short(response.text))
        parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
        retry_after = retry_after_seconds(str((parameters or {}).get("retry_after") or ""))
        retry_after = retry_after or retry_after_seconds(response.headers.get("retry-after"))
        reason = self.describe(code, short(description))
        if code == 401 or code == 403:
            # An invalid token, or the bot was removed from the chat: a person must act.
            return classify(code, reason, reconnect=True, code=str(code))
        if code == 400 and (parameters or {}).get("migrate_to_chat_id"):
            reason += " " + _("The group became a supergroup: set its new id %s.") % (
                parameters or {}
            ).get("migrate_to_chat_id")
        return classify(code, reason, retry_after=retry_after, code=str(code))

    def check_credentials(self) -> None:
        self.call("POST", self.method_url("getMe"))
        if self.destination:
            self.call("POST", self.method_url("getChat"), data={"chat_id": self.destination})

    def validate(self, publication: Any, prepared: Prepared) -> list[str]:
        problems = super().validate(publication, prepared)
        problems += self.missing_settings("destination")
        problems += self.text_problems(prepared.text)
        return problems

    def send(self, publication: Any, prepared: Prepared, delivery: Any) -> SendResult:
        chat = self.destination
        if not chat:
            raise PermanentError(_("Set the Telegram chat in the account settings."))
        media = prepared.media[0] if prepared.media else None
        if media is not None and media.kind in METHOD_FOR and len(prepared.text) <= CAPTION_LIMIT:
            method, field = METHOD_FOR[media.kind]
            with local_file(media) as path, path.open("rb") as handle:
                response = self.call(
                    "POST",
                    self.method_url(method),
                    data={"chat_id": chat, "caption": prepared.text},
                    files={field: (media.name, handle, media.mime_type)},
                    timeout=self.upload_timeout,
                    publishing=True,
                )
        else:
            response = self.call(
                "POST",
                self.method_url("sendMessage"),
                json={"chat_id": chat, "text": prepared.text},
                publishing=True,
            )
        data = json_of(response)
        result = data.get("result") if isinstance(data.get("result"), dict) else None
        if not data.get("ok") or result is None or "message_id" not in result:
            raise PermanentError(_("Telegram answered without the message it posted."))
        message_id = result["message_id"]
        chat_info = result.get("chat") if isinstance(result.get("chat"), dict) else {}
        username = str((chat_info or {}).get("username") or "")
        if not username and chat.startswith("@"):
            username = chat[1:]
        url = f"https://t.me/{username}/{message_id}" if username else ""
        chat_id = (chat_info or {}).get("id", chat)
        return SendResult(provider_id=f"{chat_id}/{message_id}", url=url)
