"""Staff pages of dissemination, under /app/dissemination/."""

from django.urls import path

from bakohumas.dissemination import views

app_name = "dissemination"

urlpatterns = [
    # The plan of one content item: its publications, the form to add one.
    path("item/<int:item_pk>/", views.plan_view, name="plan"),
    # All publications of the user's units (list + filters), and the dispatch calendar.
    path("", views.publication_list, name="publications"),
    path("calendar/", views.dispatch_calendar, name="calendar"),
    path("<int:pk>/", views.publication_detail, name="publication"),
    path("<int:pk>/progress/", views.publication_progress, name="progress"),
    path("<int:pk>/package/", views.package_view, name="package"),
    path("<int:pk>/package.zip", views.package_zip, name="package_zip"),
    path("<int:pk>/evidence/", views.evidence_view, name="evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/file/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/metrics/", views.metrics_view, name="metrics"),
    # pause | resume | cancel | retry; after the fixed paths above, which it would shadow.
    path("<int:pk>/<str:action>/", views.publication_action, name="action"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_edit, name="account_new"),
    path("accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/check/", views.account_check, name="account_check"),
    path("lists/", views.list_list, name="lists"),
    path("lists/new/", views.list_edit, name="list_new"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/edit/", views.list_edit, name="list_edit"),
    path(
        "lists/<int:pk>/subscribers/<int:subscriber_pk>/<str:action>/",
        views.subscriber_action,
        name="subscriber_action",
    ),
    path("notifications/", views.notification_list, name="notifications"),
]
