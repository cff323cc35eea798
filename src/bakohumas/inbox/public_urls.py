"""Public inbox forms on a unit's portal (namespace ``inbox_public``)."""

from django.urls import path

from bakohumas.inbox import public_views

app_name = "inbox_public"

urlpatterns = [
    path("satker/<str:code>/hubungi/", public_views.contact_form, name="contact"),
    path("satker/<str:code>/lapor-hoaks/", public_views.hoax_form, name="hoax"),
]
