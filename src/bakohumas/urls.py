"""Root URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bakohumas.api.api import api
from bakohumas.core import views as core_views
from bakohumas.core.forms import LoginForm
from bakohumas.core.invite_views import InviteAcceptView

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, form_class=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invite/<uidb64>/<token>/", InviteAcceptView.as_view(), name="invite_accept"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("app/", include("bakohumas.core.urls")),
    path("app/stakeholders/", include("bakohumas.stakeholders.urls")),
    path("app/imports/", include("bakohumas.imports.urls")),
    path("app/api-tokens/", include("bakohumas.api.urls")),
    path("app/content/", include("bakohumas.content.urls")),
    path("app/calendar/", include("bakohumas.content.calendar_urls")),
    path("app/planning/", include("bakohumas.content.planning_urls")),
    path("app/media-library/", include("bakohumas.media.urls")),
    path("app/agenda/", include("bakohumas.portal.staff_urls")),
    path("app/dissemination/", include("bakohumas.dissemination.urls")),
    path("app/inbox/", include("bakohumas.inbox.urls")),
    path("app/ppid/", include("bakohumas.ppid.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("d/", include("bakohumas.dissemination.public_urls")),
    path("i/hooks/", include("bakohumas.inbox.hook_urls")),
    # Public forms of the inbox and the PPID, before the portal's catch-all form pages.
    path("", include("bakohumas.inbox.public_urls")),
    path("", include("bakohumas.ppid.public_urls")),
    # The public portal last: it owns "/" and the public paths.
    path("", include("bakohumas.portal.urls")),
]

if settings.DEBUG:
    from django.urls import re_path

    from bakohumas.core.views import serve_public_media

    # Development only: the files of inbox messages and information requests (identity
    # scans, answers) are private and reach staff only through their scoped views.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_public_media)]
