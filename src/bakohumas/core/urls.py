from django.urls import path

from bakohumas.core import audit_views, mailbox_views, staff_views, unit_views, views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/", unit_views.unit_list, name="unit_list"),
    path("units/<int:pk>/", unit_views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", unit_views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/logo.png", unit_views.unit_logo, name="unit_logo"),
    path("people/", staff_views.staff_list, name="staff_list"),
    path("people/invite/", staff_views.staff_invite, name="staff_invite"),
    path("people/<int:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("people/<int:pk>/edit/", staff_views.staff_edit, name="staff_edit"),
    path("people/<int:pk>/role/", staff_views.staff_role, name="staff_role"),
    path("people/<int:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("people/<int:pk>/reactivate/", staff_views.staff_reactivate, name="staff_reactivate"),
    path(
        "people/<int:pk>/resend-invitation/",
        staff_views.staff_resend_invitation,
        name="staff_resend_invitation",
    ),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("mailbox/", mailbox_views.mailbox, name="mailbox"),
    path("mailbox/<int:pk>/", mailbox_views.mailbox_detail, name="mailbox_detail"),
]
