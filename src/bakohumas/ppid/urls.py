"""Staff PPID pages (``/app/ppid/``, namespace ``ppid``)."""

from django.urls import path

from bakohumas.core import calendar_views
from bakohumas.ppid import views

app_name = "ppid"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("baru/", views.request_create, name="request_create"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path(
        "<int:pk>/aksi/<slug:action>/",
        views.request_action,
        name="request_action",
    ),
    path("<int:pk>/kode-baru/", views.request_reset_code, name="request_reset_code"),
    path("<int:pk>/berkas/<slug:kind>/", views.request_file, name="request_file"),
    path("keberatan/", views.objection_list, name="objection_list"),
    path("keberatan/<int:pk>/putusan/", views.objection_decide, name="objection_decide"),
    path("statistik/", views.stats, name="stats"),
    path("ekspor/permohonan/", views.export_requests, name="export_requests"),
    path("ekspor/keberatan/", views.export_objections, name="export_objections"),
    path("ekspor/statistik/", views.export_stats, name="export_stats"),
    path("kalender/", calendar_views.calendar_overrides, name="calendar"),
    path(
        "kalender/<int:pk>/hapus/",
        calendar_views.calendar_override_delete,
        name="calendar_delete",
    ),
]
