"""Staff PPID pages (``/app/ppid/``, namespace ``ppid``)."""

from django.urls import path

from bakohumas.ppid import views

app_name = "ppid"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
]
