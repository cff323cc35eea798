"""Role → permission mapping. Each role is a Django group; ``sync_roles`` keeps them true."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from bakohumas.core.models import Role

# Models whose rows the roles work on, as "app_label.model".
DOMAIN_MODELS = [
    "core.workunit",
    "core.staffprofile",
    "stakeholders.organisation",
    "stakeholders.contact",
    "stakeholders.contactconsent",
    "stakeholders.tag",
    "stakeholders.engagement",
    "stakeholders.communicationgroup",
    "stakeholders.groupmembership",
    "imports.importjob",
    "media.mediaasset",
    "content.contentitem",
    "content.election",
    "content.electionstage",
    "content.productiontarget",
    "portal.agendaevent",
    "dissemination.publication",
    "dissemination.evidence",
    "dissemination.mailinglist",
    "dissemination.subscriber",
    "dissemination.channelaccount",
    "dissemination.delivery",
    "core.calendaroverride",
    "inbox.thread",
    "inbox.message",
    "inbox.cannedreply",
    "inbox.inboxtag",
    "inbox.hoaxcase",
    "inbox.inboxsettings",
    "ppid.informationrequest",
    "ppid.objection",
]

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"


def _perms_for(model: str, actions: list[str]) -> list[str]:
    app_label, name = model.split(".")
    return [f"{app_label}.{action}_{name}" for action in actions]


def role_permissions() -> dict[str, set[str]]:
    """The permission codenames ("app.codename") each role holds."""
    stakeholder_models = [m for m in DOMAIN_MODELS if m.startswith(("stakeholders.", "imports."))]
    viewer = {p for m in DOMAIN_MODELS for p in _perms_for(m, [VIEW])}
    contributor = viewer | set(_perms_for("stakeholders.engagement", [ADD, CHANGE]))
    # Content: contributors draft and upload; editors also publish and keep the agenda;
    # coordinators validate (four eyes), share down, and set targets and election stages.
    contributor |= set(_perms_for("content.contentitem", [ADD, CHANGE]))
    contributor |= set(_perms_for("media.mediaasset", [ADD, CHANGE]))
    editor = contributor | {p for m in stakeholder_models for p in _perms_for(m, [ADD, CHANGE])}
    editor |= {"content.publish_contentitem"}
    editor |= set(_perms_for("portal.agendaevent", [ADD, CHANGE, DELETE]))
    # Dissemination: editors plan and run publications, record evidence and keep mailing
    # lists; coordinators also connect the unit's platform accounts (credentials).
    for model in ("dissemination.publication", "dissemination.evidence"):
        editor |= set(_perms_for(model, [ADD, CHANGE]))
    for model in ("dissemination.mailinglist", "dissemination.subscriber"):
        editor |= set(_perms_for(model, [ADD, CHANGE, DELETE]))
    # Inbox: contributors read and write internal notes; editors answer the public,
    # assign, transfer, keep tags and hoax cases and handle information requests;
    # coordinators also keep canned replies and settings and see requesters' personal
    # data; the superior of the PPID (a coordinator) decides objections.
    contributor |= set(_perms_for("inbox.message", [ADD]))
    for model in ("inbox.thread", "inbox.message", "inbox.inboxtag", "inbox.hoaxcase"):
        editor |= set(_perms_for(model, [ADD, CHANGE]))
    editor |= {"inbox.reply_thread"}
    for model in ("ppid.informationrequest", "ppid.objection"):
        editor |= set(_perms_for(model, [ADD, CHANGE]))
    coordinator = editor | {p for m in stakeholder_models for p in _perms_for(m, [DELETE])}
    coordinator |= {"content.approve_contentitem", "content.share_contentitem"}
    coordinator |= set(_perms_for("content.contentitem", [DELETE]))
    coordinator |= set(_perms_for("media.mediaasset", [DELETE]))
    coordinator |= set(_perms_for("dissemination.channelaccount", [ADD, CHANGE, DELETE]))
    coordinator |= set(_perms_for("dissemination.publication", [DELETE]))
    coordinator |= {
        "inbox.manage_inbox",
        "ppid.view_requester_pii",
        "ppid.decide_objection",
    }
    for model in ("inbox.cannedreply", "inbox.inboxsettings", "inbox.inboxtag"):
        coordinator |= set(_perms_for(model, [ADD, CHANGE, DELETE]))
    for model in ("content.productiontarget", "content.election", "content.electionstage"):
        coordinator |= set(_perms_for(model, [ADD, CHANGE, DELETE]))
    administrator = coordinator | {
        p for m in DOMAIN_MODELS for p in _perms_for(m, [ADD, CHANGE, DELETE])
    }
    administrator |= {
        "core.manage_staff",
        "core.view_auditlog",
        "core.view_mailbox",
        "content.approve_contentitem",
        "content.publish_contentitem",
        "content.share_contentitem",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "inbox.manage_inbox",
        "inbox.reply_thread",
        "ppid.view_requester_pii",
        "ppid.decide_objection",
    }
    return {
        Role.VIEWER: viewer,
        Role.CONTRIBUTOR: contributor,
        Role.EDITOR: editor,
        Role.COORDINATOR: coordinator,
        Role.ADMINISTRATOR: administrator,
    }


@transaction.atomic
def sync_roles() -> dict[str, Group]:
    """Create or update the five role groups with exactly their permissions."""
    groups: dict[str, Group] = {}
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role, codenames in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [all_perms[c] for c in sorted(codenames) if c in all_perms]
        group.permissions.set(wanted)
        groups[role] = group
    return groups
