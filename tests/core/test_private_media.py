"""Development media serving never hands out the private folders (inbox, PPID)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.test import RequestFactory

from bakohumas.core.views import serve_public_media


def test_private_folders_are_not_served(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    for folder in ("ppid/identity", "inbox/2026/11", "portal"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "file.txt").write_text("data")
    request = RequestFactory().get("/media/x")
    assert serve_public_media(request, "portal/file.txt").status_code == 200
    for path in (
        "ppid/identity/file.txt",
        "inbox/2026/11/file.txt",
        "/ppid/identity/file.txt",
        "portal/../ppid/identity/file.txt",
    ):
        with pytest.raises(Http404):
            serve_public_media(request, path)
