"""Public endpoints of dissemination: subscription (double opt-in), one-click unsubscribe,
tracked clicks, the share page of a manual package, and platform webhooks."""

from django.urls import path

from bakohumas.dissemination import hooks, public_views

app_name = "dissemination_public"

urlpatterns = [
    path("langganan/<str:unit_code>/", public_views.subscribe, name="subscribe"),
    path("langganan/konfirmasi/<str:token>/", public_views.confirm, name="confirm"),
    path("berhenti/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path(
        "berhenti-langganan/<str:token>/",
        public_views.unsubscribe_subscriber,
        name="unsubscribe_subscriber",
    ),
    path("t/<str:token>/", public_views.click, name="click"),
    path("bagikan/<str:token>/", public_views.share, name="share"),
    path("hooks/whatsapp/<int:account_pk>/", hooks.whatsapp, name="hook_whatsapp"),
    path("hooks/email/bounces/", hooks.email_bounces, name="hook_email_bounces"),
]
