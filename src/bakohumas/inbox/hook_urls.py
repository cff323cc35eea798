"""Inbound webhooks of the inbox (``/i/hooks/``, namespace ``inbox_hooks``). WhatsApp's
inbound messages arrive on the account's existing webhook ``/d/hooks/whatsapp/<id>/``."""

from django.urls import path

from bakohumas.inbox import hooks

app_name = "inbox_hooks"

urlpatterns = [
    path("telegram/<int:account_pk>/", hooks.telegram, name="telegram"),
    path("email/<str:code>/", hooks.email, name="email"),
]
