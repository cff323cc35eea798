"""The content calendar, mounted at ``/app/calendar/``."""

from django.urls import path

from bakohumas.content import calendar_views

app_name = "calendar"
urlpatterns = [
    path("", calendar_views.calendar_view, name="index"),
    path("move/<int:item_id>/", calendar_views.move, name="move"),
]
