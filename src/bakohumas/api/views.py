"""Workspace pages for personal API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bakohumas.api.forms import TokenForm
from bakohumas.api.models import ApiToken
from bakohumas.api.services import issue_token, revoke_token
from bakohumas.core.models import TIME_ZONE_ABBREVIATIONS
from bakohumas.core.scoping import user_unit

PER_PAGE = 25
MAX_PER_PAGE = 100


def _per_page(request: HttpRequest) -> int:
    try:
        value = int(request.GET.get("per_page", PER_PAGE))
    except ValueError:
        return PER_PAGE
    return max(1, min(value, MAX_PER_PAGE))


@login_required
@require_http_methods(["GET"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's own tokens, newest first (others' tokens are never listed)."""
    user: Any = request.user
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
    page_obj = Paginator(tokens, _per_page(request)).get_page(request.GET.get("page"))
    unit = user_unit(request.user)
    zone = unit.time_zone if unit else settings.TIME_ZONE
    return render(
        request,
        "api/token_list.html",
        {
            "page_obj": page_obj,
            "zone": zone,
            "zone_abbreviation": TIME_ZONE_ABBREVIATIONS.get(zone, zone),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show it once; the page is never cached."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = issue_token(request.user, form.cleaned_data["name"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            # Rendered, not redirected: the plain token is never stored, not even in the
            # session; never_cache keeps it out of caches.
            return render(request, "api/token_created.html", {"token": token, "plain_token": plain})
    return render(request, "api/token_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and revoke (POST) one of the user's own tokens."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if request.method == "POST":
        if revoke_token(token):
            messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        else:
            messages.info(
                request, _("The token “%(name)s” was already revoked.") % {"name": token.name}
            )
        return redirect("api:token_list")
    return render(request, "api/token_revoke.html", {"token": token})
