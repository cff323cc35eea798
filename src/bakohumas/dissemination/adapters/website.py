"""The website channel is the portal: dispatching publishes the item there."""

from __future__ import annotations

from bakohumas.dissemination.adapters.base import Adapter, PermanentError, register


@register
class WebsiteAdapter(Adapter):
    kind = "website"

    def send(self, publication, prepared, delivery):  # type: ignore[no-untyped-def]
        raise PermanentError("The website channel publishes on the portal when dispatched.")
