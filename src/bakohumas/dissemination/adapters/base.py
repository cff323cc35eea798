"""The one interface every channel adapter implements.

An adapter is stateless apart from the account it was built for. The engine calls
``prepare`` once per publication (and process), ``validate`` before anything is queued
and again at send time, ``send`` once per delivery row, ``fetch_metrics`` on schedule and
``check_credentials`` when an account is saved or tested.

Errors tell the engine what to do with a row:

* ``TransientError`` — retry later (network error, 5xx, 429; ``retry_after`` in seconds
  when the platform said so, and the whole account waits that long);
* ``PermanentError`` — stop with the reason (invalid recipient, refused content);
* ``ReconnectRequired`` — the credentials were refused or revoked: the row fails, the
  account shows "reconnect", and the unit is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from bakohumas.dissemination.models import ChannelAccount, Delivery, Publication


class AdapterError(Exception):
    def __init__(self, reason: str, *, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.code = code


class TransientError(AdapterError):
    """Retry later. ``retry_after``: the platform said how long to wait (seconds; the
    whole account waits). ``channel_down``: the platform itself could not be reached
    (connection refused, server closing), so the rest of the batch waits as well instead
    of failing one message after another."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        code: str = "",
        channel_down: bool = False,
    ) -> None:
        super().__init__(reason, code=code)
        self.retry_after = retry_after
        self.channel_down = channel_down


class PermanentError(AdapterError):
    pass


class ReconnectRequired(PermanentError):
    pass


@dataclass
class MediaFile:
    """A file of the item, as the platform will receive it."""

    path: Path | None
    url: str
    mime_type: str
    kind: str  # image, video, audio, document
    size: int
    name: str
    alt_text: str = ""


@dataclass
class Prepared:
    """What goes out, built once per publication from the approved content."""

    title: str
    text: str  # the channel variant composed (text, hashtags, link), or a fallback
    link: str  # the portal URL of the item with UTM tags for this channel
    summary: str = ""
    html: str = ""  # email body
    media: list[MediaFile] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SendResult:
    provider_id: str = ""
    url: str = ""


@dataclass
class Metrics:
    reach: int = 0
    impressions: int = 0
    engagement: int = 0
    clicks: int = 0


class Adapter:
    """Base class: subclasses set ``kind`` and override what their platform supports."""

    kind: ClassVar[str] = ""
    # Default sends per second for one account (shared by all workers).
    default_rate: ClassVar[float] = 0.0
    # Media this platform takes: kind → largest size in bytes.
    media_limits: ClassVar[dict[str, int]] = {}
    requires_media: ClassVar[bool] = False

    def __init__(self, account: ChannelAccount | None = None) -> None:
        self.account = account
        self._secret: dict[str, Any] | None = None

    # --- credentials ----------------------------------------------------------------------
    @property
    def secret(self) -> dict[str, Any]:
        if self._secret is None:
            from bakohumas.dissemination.crypto import CredentialsUnreadable, decrypt

            if self.account is None:
                self._secret = {}
            else:
                try:
                    self._secret = decrypt(self.account.secret_ciphertext)
                except CredentialsUnreadable as exc:
                    raise ReconnectRequired(
                        "The saved credentials cannot be read with the current key."
                    ) from exc
        return self._secret

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.account.config) if self.account is not None else {}

    def check_credentials(self) -> None:
        """Raise ``ReconnectRequired`` when the platform refuses the credentials."""

    # --- content --------------------------------------------------------------------------
    def prepare(self, publication: Publication, prepared: Prepared) -> Prepared:
        """Adjust the generic message for this platform (default: unchanged)."""
        return prepared

    def validate(self, publication: Publication, prepared: Prepared) -> list[str]:
        """Problems that stop the publication before anything is sent."""
        problems: list[str] = []
        from django.template.defaultfilters import filesizeformat
        from django.utils.translation import gettext as _

        if self.media_limits:
            for media in prepared.media:
                limit = self.media_limits.get(media.kind)
                if limit is None:
                    problems.append(
                        _("%(platform)s does not take %(kind)s files (%(name)s).")
                        % {"platform": self.label(), "kind": media.kind, "name": media.name}
                    )
                elif media.size > limit:
                    problems.append(
                        _("%(name)s is %(size)s; %(platform)s takes at most %(limit)s.")
                        % {
                            "name": media.name,
                            "size": filesizeformat(media.size),
                            "platform": self.label(),
                            "limit": filesizeformat(limit),
                        }
                    )
        if self.requires_media and not prepared.media:
            problems.append(
                _("%(platform)s needs an image or a video.") % {"platform": self.label()}
            )
        return problems

    def label(self) -> str:
        from bakohumas.dissemination.models import ChannelKind

        return str(ChannelKind(self.kind).label) if self.kind in ChannelKind.values else self.kind

    def send(self, publication: Publication, prepared: Prepared, delivery: Delivery) -> SendResult:
        raise NotImplementedError

    def fetch_metrics(self, publication: Publication) -> Metrics | None:
        """The platform's figures for a published post, or None when it has none."""
        return None

    def close(self) -> None:
        """Release connections kept between sends."""


_REGISTRY: dict[str, type[Adapter]] = {}


def register(cls: type[Adapter]) -> type[Adapter]:
    _REGISTRY[cls.kind] = cls
    return cls


def adapter_class(kind: str) -> type[Adapter] | None:
    from bakohumas.dissemination import adapters  # noqa: F401  (registers the adapters)

    return _REGISTRY.get(kind)


def registered_kinds() -> list[str]:
    from bakohumas.dissemination import adapters  # noqa: F401

    return sorted(_REGISTRY)
