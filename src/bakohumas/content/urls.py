"""Staff UI routes of content items (``/app/content/``)."""

from django.urls import path

from bakohumas.content import views

app_name = "content"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/localise/", views.template_localise, name="localise"),
    path("variant-preview/", views.variant_preview, name="variant_preview"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/submit/", views.item_submit, name="submit"),
    path("<int:pk>/return/", views.item_return, name="return"),
    path("<int:pk>/approve/", views.item_approve, name="approve"),
    path("<int:pk>/schedule/", views.item_schedule, name="schedule"),
    path("<int:pk>/unschedule/", views.item_unschedule, name="unschedule"),
    path("<int:pk>/publish/", views.item_publish, name="publish"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("<int:pk>/archive/", views.item_archive, name="archive"),
    path("<int:pk>/share/", views.item_share, name="share"),
    path("<int:pk>/duplicate/", views.item_duplicate, name="duplicate"),
    path("<int:pk>/delete/", views.item_delete, name="delete"),
    path("<int:pk>/versions/<int:number>/", views.version_diff, name="version"),
]
