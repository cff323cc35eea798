"""Accepting an invitation: choose a password through the emailed link, then log in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bakohumas.core.forms import BootstrapMixin


class InviteSetPasswordForm(BootstrapMixin, SetPasswordForm):  # type: ignore[misc]
    """Django's set-password form (it runs ``AUTH_PASSWORD_VALIDATORS``), styled."""


class InviteAcceptView(PasswordResetConfirmView):
    """``/invite/<uidb64>/<token>/``: the token is Django's ``default_token_generator``
    (valid for ``PASSWORD_RESET_TIMEOUT``, and spent once the password is set)."""

    form_class = InviteSetPasswordForm
    template_name = "registration/invite_set_password.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("core:dashboard")
    title = gettext_lazy("Choose your password")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        if user is None or not user.is_active:
            return None
        return user

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been set. Welcome to Bakohumas."))
        return response
