"""Background tasks of the core app (Django Tasks API; run by ``bakohumas worker``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from bakohumas.core.mail import UNIT_HEADER
from bakohumas.core.models import StaffProfile

logger = logging.getLogger(__name__)


def invitation_link(user: object) -> str:
    """The absolute set-password link of ``user`` (valid for ``PASSWORD_RESET_TIMEOUT``)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))  # type: ignore[attr-defined]
    token = default_token_generator.make_token(user)  # type: ignore[arg-type]
    path = reverse("invite_accept", kwargs={"uidb64": uidb64, "token": token})
    return f"{settings.SITE_URL}{path}"


@task()
def send_invitation(user_id: int, language: str = "") -> str:
    """Email ``user_id`` a set-password link. Idempotent in effect: an account that has
    been deactivated or has already chosen a password gets nothing."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return "missing"
    if not user.is_active or user.has_usable_password():
        return "skipped"
    if not user.email:
        return "no-email"
    profile = StaffProfile.objects.select_related("unit", "invited_by").filter(user=user).first()
    if profile is None:
        return "no-profile"
    inviter = profile.invited_by
    context = {
        "user": user,
        "profile": profile,
        "unit": profile.unit,
        "inviter_name": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "link": invitation_link(user),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "site_url": settings.SITE_URL,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        context["role"] = profile.get_role_display()
        subject = render_to_string("core/email/invitation_subject.txt", context)
        text = render_to_string("core/email/invitation.txt", context)
        html = render_to_string("core/email/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[user.email],
        headers={UNIT_HEADER: str(profile.unit_id)},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    StaffProfile.objects.filter(pk=profile.pk).update(invitation_sent_at=timezone.now())
    logger.info("Invitation sent to user %s", user_id)
    return "sent"
