"""The OpenAPI document and the interactive docs page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

EXPECTED = {
    "/api/v1/work-units": {"get"},
    "/api/v1/work-units/{id}": {"get"},
    "/api/v1/people": {"get"},
    "/api/v1/people/{id}": {"get"},
    "/api/v1/organisations": {"get", "post"},
    "/api/v1/organisations/{id}": {"get", "patch", "delete"},
    "/api/v1/contacts": {"get", "post"},
    "/api/v1/contacts/{id}": {"get", "patch", "delete"},
    "/api/v1/contacts/{id}/consents/{channel}": {"put"},
    "/api/v1/groups": {"get", "post"},
    "/api/v1/groups/{id}": {"get", "patch"},
    "/api/v1/groups/{id}/members": {"get", "post"},
    "/api/v1/groups/{id}/members/{member_id}": {"delete"},
    "/api/v1/content": {"get", "post"},
    "/api/v1/content/templates": {"get"},
    "/api/v1/content/templates/{id}/localise": {"post"},
    "/api/v1/content/{id}": {"get", "patch", "delete"},
    "/api/v1/content/{id}/versions": {"get"},
    "/api/v1/content/{id}/versions/{number}": {"get"},
    **{
        f"/api/v1/content/{{id}}/{action}": {"post"}
        for action in (
            "submit",
            "return",
            "approve",
            "schedule",
            "reschedule",
            "unschedule",
            "publish",
            "withdraw",
            "archive",
            "share",
            "duplicate",
        )
    },
    "/api/v1/media": {"get", "post"},
    "/api/v1/media/{id}": {"get", "patch", "delete"},
    "/api/v1/content/{id}/publications": {"post"},
    "/api/v1/publications": {"get"},
    "/api/v1/publications/{id}": {"get"},
    **{
        f"/api/v1/publications/{{id}}/{action}": {"post"}
        for action in ("pause", "resume", "cancel", "retry", "evidence")
    },
    "/api/v1/publications/{id}/metrics": {"put"},
    "/api/v1/publications/{id}/package": {"get"},
    "/api/v1/publications/{id}/deliveries": {"get"},
    "/api/v1/channel-accounts": {"get", "post"},
    "/api/v1/channel-accounts/{id}": {"get", "patch", "delete"},
    "/api/v1/channel-accounts/{id}/check": {"post"},
    "/api/v1/mailing-lists": {"get", "post"},
    "/api/v1/mailing-lists/{id}": {"get", "patch", "delete"},
    "/api/v1/mailing-lists/{id}/subscribers": {"get", "post"},
    "/api/v1/mailing-lists/{id}/subscribers/{subscriber_id}": {"delete"},
    "/api/v1/mailing-lists/{id}/subscribers/{subscriber_id}/unsubscribe": {"post"},
    "/api/v1/dissemination/totals": {"get"},
    "/api/v1/inbox/threads": {"get"},
    "/api/v1/inbox/threads/{id}": {"get", "patch"},
    **{
        f"/api/v1/inbox/threads/{{id}}/{action}": {"post"}
        for action in ("reply", "notes", "transfer", "hoax-link")
    },
    "/api/v1/inbox/canned-replies": {"get", "post"},
    "/api/v1/inbox/hoax-cases": {"get", "post"},
    "/api/v1/inbox/hoax-cases/{id}": {"get"},
    "/api/v1/ppid/requests": {"get", "post"},
    "/api/v1/ppid/requests/export.xlsx": {"get"},
    "/api/v1/ppid/requests/{id}": {"get"},
    **{
        f"/api/v1/ppid/requests/{{id}}/{action}": {"post"}
        for action in ("incomplete", "complete", "extend", "decide", "assign", "objections")
    },
    "/api/v1/ppid/objections/{id}/decide": {"post"},
    "/api/v1/ppid/stats": {"get"},
    "/api/v1/public/units": {"get"},
    "/api/v1/public/items": {"get"},
    "/api/v1/public/items/{unit_code}/{slug}": {"get"},
}
PUBLIC = "/api/v1/public/"


@pytest.fixture
def schema(client: Client, db: Any) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_openapi_is_valid_json_with_every_path(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Bakohumas API"
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    assert paths == EXPECTED


def test_operation_ids_are_short_and_unique(schema: dict[str, Any]) -> None:
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) == 77 + 12 + 12
    assert "list_organisations" in ids and "set_consent" in ids


def test_openapi_describes_bearer_auth(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"]["type"] == "http"
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"]["in"] == "cookie"
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if path.startswith(PUBLIC):  # the public read-only API needs no credential
                assert not op.get("security"), (path, method)
                continue
            names = {name for requirement in op["security"] for name in requirement}
            assert names == {"TokenAuth", "SessionAuth"}, (path, method)


def test_openapi_describes_error_shapes(schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "errors"}
    assert error["required"] == ["detail"]
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            if path.startswith(PUBLIC):
                assert {"404", "422"} <= codes and "401" not in codes, (path, method)
                codes -= {"410"}  # a withdrawn item: its correction notice (GoneOut)
            else:
                assert {"401", "403", "422"} <= codes, (path, method)
            if "{id}" in path:
                assert "404" in codes, (path, method)
            for code in codes - {"200", "201", "204"}:
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (path, method, code)


def test_openapi_lists_are_paginated(schema: dict[str, Any]) -> None:
    paged = schema["components"]["schemas"]["PagedOrganisationOut"]
    assert set(paged["properties"]) == {"count", "next", "previous", "results"}
    params = {p["name"]: p for p in schema["paths"]["/api/v1/organisations"]["get"]["parameters"]}
    assert params["page_size"]["schema"]["maximum"] == 200
    assert {"q", "category", "unit", "tag", "active", "page"} <= set(params)


def test_openapi_input_schemas_forbid_unknown_fields(schema: dict[str, Any]) -> None:
    for name in (
        "OrganisationIn",
        "OrganisationPatch",
        "ContactIn",
        "ContactPatch",
        "GroupIn",
        "GroupPatch",
        "ConsentIn",
        "MemberIn",
        "PublicationIn",
        "MetricsIn",
        "RetryIn",
        "AccountIn",
        "AccountPatch",
        "MailingListIn",
        "MailingListPatch",
        "SubscriberIn",
    ):
        component = schema["components"]["schemas"][name]
        assert component["additionalProperties"] is False, name
    # Evidence comes as JSON or as a form with the screenshot; both refuse unknown fields.
    body = schema["paths"]["/api/v1/publications/{id}/evidence"]["post"]["requestBody"]
    for content_type in ("application/json", "multipart/form-data"):
        assert body["content"][content_type]["schema"]["additionalProperties"] is False
    assert "file" in body["content"]["multipart/form-data"]["schema"]["properties"]
    org_name = schema["components"]["schemas"]["OrganisationIn"]["properties"]["name"]
    assert org_name["maxLength"] == 255


def test_docs_page_renders_without_cdn_and_under_csp(client: Client, db: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Everything is served by us: no absolute URLs to other hosts.
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "cdn" not in html.lower()
    # No inline code: scripts are files or a JSON data block.
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        if "src=" in attrs:
            assert not body.strip()
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(path), path
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    settings_block = re.search(r'id="swagger-settings">(.*?)</script>', html, flags=re.S)
    assert settings_block is not None
    assert json.loads(settings_block.group(1))["url"] == "/api/v1/openapi.json"


def test_docs_page_carries_csrf_for_session_requests(login: Any) -> None:
    html = login("64.72", "viewer").get("/api/v1/docs").content.decode()
    token = re.search(r'data-csrf-token="([^"]*)"', html)
    assert token is not None and len(token.group(1)) > 20


@pytest.mark.django_db
def test_openapi_document_has_no_duplicate_keys(client: Client) -> None:
    """Swagger UI parses the document with a YAML parser that refuses duplicate keys (an
    int and a str status code of one response both serialised as "200")."""
    duplicates: list[list[str]] = []

    def check(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in pairs]
        if len(keys) != len(set(keys)):
            duplicates.append(keys)
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=check)
    assert duplicates == []
