"""Platform webhooks (stub: being written)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # posted by Meta's servers; authenticated by the X-Hub-Signature-256 HMAC
def whatsapp(request: HttpRequest, account_pk: int) -> HttpResponse:
    from bakohumas.dissemination import whatsapp_hook

    return whatsapp_hook.whatsapp(request, account_pk)


@csrf_exempt  # posted by the provider's servers; authenticated by the bearer secret
def email_bounces(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    from bakohumas.dissemination import bounce_hook

    return bounce_hook.email_bounces(request)
