"""URLs of the media library, under /app/media-library/ (namespace ``media``)."""

from django.urls import path

from bakohumas.media import views

app_name = "media"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("upload/", views.asset_upload, name="upload"),
    path("picker/", views.picker, name="picker"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/delete/", views.asset_delete, name="delete"),
]
