"""Staff inbox pages (``/app/inbox/``, namespace ``inbox``)."""

from django.urls import path

from bakohumas.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.thread_list, name="list"),
    path("<int:pk>/", views.thread_detail, name="detail"),
    path("<int:pk>/balas/", views.thread_reply, name="reply"),
    path("<int:pk>/catatan/", views.thread_note, name="note"),
    path("<int:pk>/petugas/", views.thread_assign, name="assign"),
    path("<int:pk>/status/", views.thread_status, name="status"),
    path("<int:pk>/prioritas/", views.thread_priority, name="priority"),
    path("<int:pk>/topik/", views.thread_tags, name="tags"),
    path("<int:pk>/alihkan/", views.thread_transfer, name="transfer"),
    path("<int:pk>/hoaks/", views.thread_hoax, name="hoax_link"),
    path("<int:pk>/canned/<int:canned_pk>/render/", views.canned_render, name="canned_render"),
    path("lampiran/<int:pk>/", views.attachment, name="attachment"),
    path("balasan/", views.canned_list, name="canned_list"),
    path("balasan/baru/", views.canned_create, name="canned_create"),
    path("balasan/<int:pk>/", views.canned_edit, name="canned_edit"),
    path("balasan/<int:pk>/hapus/", views.canned_delete, name="canned_delete"),
    path("pengaturan/", views.inbox_settings, name="settings"),
    path("pengaturan/rahasia/", views.inbox_settings_secret, name="settings_secret"),
    path("hoaks/", views.hoax_list, name="hoax_list"),
    path("hoaks/baru/", views.hoax_create, name="hoax_create"),
    path("hoaks/<int:pk>/", views.hoax_detail, name="hoax_detail"),
    path("hoaks/<int:pk>/ubah/", views.hoax_update, name="hoax_update"),
    path("hoaks/<int:pk>/klarifikasi/", views.hoax_clarification, name="hoax_clarification"),
    path("hoaks/<int:pk>/hapus/", views.hoax_delete, name="hoax_delete"),
]
