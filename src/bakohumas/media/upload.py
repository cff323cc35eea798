"""An upload handler that refuses a huge upload before it fills the disk.

Installed first on the media upload view only (see ``views.asset_upload``). It:

* refuses a request whose ``Content-Length`` exceeds the largest per-kind limit (plus a
  little room for the form fields) without reading a byte of the body;
* watches every file as it streams in: the first chunk gives the kind from the content
  (an image may not pass the image limit, a video the video limit …) and the upload is
  halted with ``StopUpload(connection_reset=True)`` as soon as a file or the request
  passes its limit, so the rest is never read and the temporary file is dropped.

The request is marked (:data:`TOO_LARGE_ATTR`) so the view can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

from bakohumas.media import limits
from bakohumas.media.detection import HEAD_SIZE, kind_hint

TOO_LARGE_ATTR = "_media_upload_too_large"


@dataclass(frozen=True)
class TooLarge:
    """Why an upload was stopped: the file (if known) and its kind (if recognised)."""

    file_name: str = ""
    kind: str | None = None


def too_large(request: HttpRequest) -> TooLarge | None:
    """What :class:`LimitedUploadHandler` stopped in ``request``, or ``None``."""
    value = getattr(request, TOO_LARGE_ATTR, None)
    return value if isinstance(value, TooLarge) else None


def content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return 0


def mark_too_large(
    request: HttpRequest | None, file_name: str = "", kind: str | None = None
) -> None:
    if request is not None:
        setattr(request, TOO_LARGE_ATTR, TooLarge(file_name, kind))


class LimitedUploadHandler(FileUploadHandler):
    """Stops an upload as soon as a file passes its kind's limit (see the module doc)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.request_limit = limits.max_request_size()
        self.file_limit = limits.largest_size()
        self.received = 0
        self.current_limit = self.file_limit
        self.current_kind: str | None = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        if content_length > self.request_limit:
            mark_too_large(self.request)
            # Parse nothing: not a byte of the body is read.
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.current_limit = self.file_limit
        self.current_kind = None
        if self.content_length is not None and self.content_length > self.file_limit:
            self._stop()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start == 0:
            kind = kind_hint(raw_data[:HEAD_SIZE])
            if kind is not None:
                self.current_kind = kind
                self.current_limit = limits.max_size(kind)
        self.received += len(raw_data)
        if start + len(raw_data) > self.current_limit or self.received > self.request_limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _stop(self) -> None:
        mark_too_large(self.request, self.file_name or "", self.current_kind)
        raise StopUpload(connection_reset=True)
