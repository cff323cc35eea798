"""Signals of the media library.

``asset_updated`` is sent after :func:`bakohumas.media.services.update_asset` saved a
change (``sender=MediaAsset``, ``asset=…``, ``changed=[field names]``, ``by=user``), so the
content workflow can react when an approved item's media text changes.
"""

from __future__ import annotations

from django.dispatch import Signal

asset_updated = Signal()
