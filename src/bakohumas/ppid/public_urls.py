"""Public PPID pages (namespace ``ppid_public``)."""

from django.urls import path

from bakohumas.ppid import public_views

app_name = "ppid_public"

urlpatterns = [
    path("satker/<str:code>/ppid/permohonan/", public_views.request_form, name="request"),
    path("ppid/lacak/", public_views.track, name="track"),
    path("ppid/lacak/berkas/<str:token>/", public_views.answer_file, name="answer_file"),
]
