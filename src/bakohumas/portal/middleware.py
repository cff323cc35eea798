"""django-auditlog's middleware without loading the session on every request.

``auditlog.middleware.AuditlogMiddleware`` decides the actor up front with
``isinstance(request.user, User)``, which evaluates the lazy ``request.user`` and so reads
the session on *every* request, public pages included: the session middleware then adds
``Vary: Cookie`` and a logged-in visitor costs two queries per public page. This subclass
hands auditlog the lazy user itself; auditlog checks ``isinstance(actor, User)`` only when
it writes a log entry, which is when the user is needed anyway.

Use it in ``settings.MIDDLEWARE`` in place of ``auditlog.middleware.AuditlogMiddleware``.
"""

from __future__ import annotations

from typing import Any

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware


class AuditlogMiddleware(BaseAuditlogMiddleware):
    @staticmethod
    def _get_actor(request: Any) -> Any:
        # Lazy: evaluated (session read) only if an audit entry is written.
        return getattr(request, "user", None)
