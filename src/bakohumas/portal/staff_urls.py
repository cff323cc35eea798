"""Staff routes of the public agenda, mounted at ``/app/agenda/`` (namespace ``agenda``)."""

from django.urls import path

from bakohumas.portal import staff_views

app_name = "agenda"

urlpatterns = [
    path("", staff_views.event_list, name="event_list"),
    path("new/", staff_views.event_create, name="event_create"),
    path("<int:pk>/edit/", staff_views.event_edit, name="event_edit"),
    path("<int:pk>/delete/", staff_views.event_delete, name="event_delete"),
]
