"""Staff inbox pages (``/app/inbox/``, namespace ``inbox``)."""

from django.urls import path

from bakohumas.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.thread_list, name="list"),
    path("<int:pk>/", views.thread_detail, name="detail"),
]
