"""The development mailbox: mail kept by ``DevMailboxBackend`` instead of being sent."""

from __future__ import annotations

from email import policy
from email.parser import Parser

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bakohumas.core.forms import MailboxFilterForm
from bakohumas.core.listing import paginate
from bakohumas.core.models import MailboxMessage
from bakohumas.core.scoping import get_scoped_or_404, require_perm

SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID")


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "core.view_mailbox")
    form = MailboxFilterForm(request.GET or None)
    messages = (
        MailboxMessage.objects.for_user(request.user)
        .select_related("unit")
        .only(
            "id",
            "subject",
            "from_email",
            "to",
            "created_at",
            "unit__code",
            "unit__name",
            "unit__time_zone",
        )
    )
    if form.is_bound and form.is_valid():
        if q := form.cleaned_data["q"].strip():
            messages = messages.filter(Q(subject__icontains=q) | Q(to__icontains=q))
    page = paginate(request, messages.order_by("-created_at", "-id"))
    return render(
        request,
        "core/mailbox_list.html",
        {"form": form, "page_obj": page, "mail": page.object_list},
    )


@login_required
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "core.view_mailbox")
    message = get_scoped_or_404(MailboxMessage.objects.select_related("unit"), request.user, pk=pk)
    parsed = Parser(policy=policy.default).parsestr(message.raw, headersonly=True)
    headers = [(name, str(parsed[name])) for name in SHOWN_HEADERS if parsed[name]]
    return render(
        request,
        "core/mailbox_detail.html",
        {"message": message, "headers": headers, "all_headers": list(parsed.items())},
    )
