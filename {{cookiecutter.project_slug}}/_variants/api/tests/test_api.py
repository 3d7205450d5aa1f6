"""The API's routes and the user's API access page, against the fake Logto: bearer tokens as
RFC 6750 says, the user's own access token for the API renewed like the ID token."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from logto_kit.api.scopes import API_SCOPES, READ_ITEMS, WRITE_ITEMS
from logto_kit.settings import MIN_REQUEST_BYTES, Settings

from {{ cookiecutter.package_name }} import create_app

from .conftest import API_RESOURCE
from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path, csrf_token_in
from .page_client import PageClient
from .pages import Page

LIMIT = MIN_REQUEST_BYTES  # the smallest MAX_REQUEST_BYTES


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body(page: Page) -> dict[str, object]:
    assert page.headers["content-type"].startswith("application/json"), page.headers
    answer: dict[str, object] = json.loads(page.text)
    return answer


def sign_in_as(client: PageClient, logto: FakeLogto, user: FakeUser) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location, user))
    assert client.get(path, query).status == 302


def test_sign_in_asks_for_the_api_and_its_scopes(client: PageClient) -> None:
    asked = parse_qs(urlsplit(client.get("/sign-in").location).query)
    assert API_RESOURCE in asked["resource"], asked
    assert set(API_SCOPES) <= set(asked["scope"][0].split()), asked


def test_a_token_with_the_scope_is_served(client: PageClient, logto: FakeLogto) -> None:
    token = logto.access_token("u-alice", API_RESOURCE, READ_ITEMS)
    page = client.call("GET", "/api/items", bearer(token))
    assert page.status == 200, page.text
    assert body(page)["items"]
    assert page.headers["cache-control"] == "no-store"
    me = body(client.call("GET", "/api/me", bearer(token)))
    assert me == {
        "subject": "u-alice",
        "client_id": logto.client_id,
        "scopes": [READ_ITEMS],
        "organization_id": None,
    }


def test_a_machine_to_machine_token_is_served_the_same(
    client: PageClient, logto: FakeLogto
) -> None:
    token = logto.access_token(
        "m2m-app", API_RESOURCE, WRITE_ITEMS, claims={"client_id": "m2m-app"}
    )
    page = client.call("POST", "/api/items", bearer(token), json={"name": "From a job"})
    assert page.status == 201, page.text
    assert body(page)["item"] == {"name": "From a job", "created_by": "m2m-app"}


def test_a_token_without_the_scope_is_forbidden(client: PageClient, logto: FakeLogto) -> None:
    token = logto.access_token("u-bob", API_RESOURCE, READ_ITEMS)
    page = client.call("POST", "/api/items", bearer(token), json={"name": "x"})
    assert page.status == 403
    assert body(page)["error"] == "insufficient_scope"
    challenge = page.headers["www-authenticate"]
    assert challenge.startswith(f'Bearer realm="{API_RESOURCE}"'), challenge
    assert 'error="insufficient_scope"' in challenge and f'scope="{WRITE_ITEMS}"' in challenge


@pytest.mark.parametrize(
    "kind", ["other-api", "expired", "other-issuer", "garbage", "id-token-typ"]
)
def test_an_invalid_token_is_unauthorized(client: PageClient, logto: FakeLogto, kind: str) -> None:
    makers: dict[str, Callable[[], str]] = {
        "other-api": lambda: logto.access_token("u", "https://other.example", READ_ITEMS),
        "expired": lambda: logto.access_token("u", API_RESOURCE, READ_ITEMS, ttl=-60),
        "other-issuer": lambda: logto.access_token(
            "u", API_RESOURCE, READ_ITEMS, claims={"iss": "https://evil.example/oidc"}
        ),
        "garbage": lambda: "not-a-jwt",
        "id-token-typ": lambda: logto.access_token(
            "u", API_RESOURCE, READ_ITEMS, headers={"typ": "JWT"}
        ),
    }
    page = client.call("GET", "/api/items", bearer(makers[kind]()))
    assert page.status == 401, page.text
    assert body(page)["error"] == "invalid_token"
    assert 'error="invalid_token"' in page.headers["www-authenticate"]


def test_no_token_gets_a_bare_challenge(client: PageClient) -> None:
    page = client.call("GET", "/api/items")
    assert page.status == 401
    assert page.headers["www-authenticate"] == f'Bearer realm="{API_RESOURCE}"'
    malformed = client.call("GET", "/api/items", {"Authorization": "Bearer a b"})
    assert malformed.status == 400 and body(malformed)["error"] == "invalid_request"


@pytest.mark.parametrize(
    "second",
    [
        "Bearer {bob}",  # another user's token
        "{bob}",
        "",
        "Basic dXNlcjpwYXNz",
    ],
)
@pytest.mark.parametrize("alice_first", [True, False])
def test_two_authorization_headers_are_refused(
    client: PageClient, logto: FakeLogto, second: str, alice_first: bool
) -> None:
    """Neither header is taken, whichever comes first: a proxy in front may have checked the
    other one. (A WSGI server joins them into one with a comma: the next test.)"""
    alice = logto.access_token("u-alice", API_RESOURCE, READ_ITEMS)
    bob = logto.access_token("u-bob", API_RESOURCE, READ_ITEMS)
    pair = [f"Bearer {alice}", second.format(bob=bob)]
    headers = [("Authorization", value) for value in (pair if alice_first else pair[::-1])]
    page = client.call("GET", "/api/me", headers)
    assert page.status == 400, page.text
    assert body(page) == {
        "error": "invalid_request",
        "error_description": "send one Authorization header, with one bearer token",
    }
    assert 'error="invalid_request"' in page.headers["www-authenticate"]


@pytest.mark.parametrize("joined", ["Bearer {alice},Bearer {bob}", "Bearer {alice},{bob}"])
def test_two_authorization_headers_joined_by_the_server_are_refused(
    client: PageClient, logto: FakeLogto, joined: str
) -> None:
    """What gunicorn and Werkzeug's server hand a WSGI app for two headers: one, comma-joined."""
    alice = logto.access_token("u-alice", API_RESOURCE, READ_ITEMS)
    bob = logto.access_token("u-bob", API_RESOURCE, READ_ITEMS)
    authorization = joined.format(alice=alice, bob=bob)
    page = client.call("GET", "/api/me", {"Authorization": authorization})
    assert page.status == 400 and body(page)["error"] == "invalid_request", page.text


def test_a_json_body_over_the_limit_is_a_413_answer(settings: Settings, logto: FakeLogto) -> None:
    client = PageClient(create_app(dataclasses.replace(settings, max_request_bytes=LIMIT)))
    try:
        token = bearer(logto.access_token("m2m-app", API_RESOURCE, WRITE_ITEMS))
        name = "x" * LIMIT  # the JSON body is just over the limit
        page = client.call("POST", "/api/items", token, json={"name": name})
        assert page.status == 413, page.text
        assert body(page) == {
            "error": "request_too_large",
            "error_description": "the request body is larger than this API's limit of 16 KiB",
        }
        small = client.call("POST", "/api/items", token, json={"name": "Small"})
        assert small.status == 201, small.text  # within the limit: served as before
    finally:
        client.close()


def test_bad_input_and_unknown_routes_answer_json(client: PageClient, logto: FakeLogto) -> None:
    token = logto.access_token("u", API_RESOURCE, WRITE_ITEMS)
    for sent in ({"name": ""}, ["x"], {"name": "x" * 101}, None):
        page = client.call("POST", "/api/items", bearer(token), json=sent)
        assert page.status == 400 and body(page)["error"] == "invalid_request", (sent, page.text)
    assert body(client.call("GET", "/api/nothing-here"))["error"] == "not_found"
    not_allowed = client.call("DELETE", "/api/items", bearer(token))
    assert not_allowed.status == 405 and body(not_allowed)["error"] == "method_not_allowed"
    assert "GET" in not_allowed.headers["allow"]
    assert client.get("/no-such-page").headers["content-type"].startswith("text/html")


def test_keys_out_of_reach_are_a_503(client: PageClient, logto: FakeLogto) -> None:
    logto.rotate_key()  # a key the app has not fetched yet, and may fetch at once:
    client.extension("api_access_tokens").keys.refetch_every = 0
    logto.jwks_down = True
    page = client.call(
        "GET", "/api/items", bearer(logto.access_token("u", API_RESOURCE, READ_ITEMS))
    )
    assert page.status == 503 and body(page)["error"] == "temporarily_unavailable"
    assert page.headers["retry-after"]


def test_the_page_shows_what_the_user_may_do(client: PageClient, logto: FakeLogto) -> None:
    sign_in_as(client, logto, FakeUser(api_scopes=frozenset({READ_ITEMS})))
    page = client.get("/api-access")
    assert page.status == 200, page.text
    assert f'data-scope="{READ_ITEMS}" data-held="yes"' in page.text
    assert f'data-scope="{WRITE_ITEMS}" data-held="no"' in page.text
    assert logto.resource_token_requests == [API_RESOURCE]
    assert 'href="/api-access"' in client.get("/").text


def test_the_gated_action_follows_the_users_role(client: PageClient, logto: FakeLogto) -> None:
    sign_in_as(client, logto, FakeUser(api_scopes=frozenset({READ_ITEMS})))
    token = csrf_token_in(client.get("/api-access"))
    refused = client.post("/api-access/items", {"csrf_token": token, "name": "Mine"})
    assert refused.status == 403
    assert "lacks the scope write:items" in refused.text

    other = PageClient(client.app)
    sign_in_as(other, logto, FakeUser(sub="u-editor", api_scopes=frozenset(API_SCOPES)))
    token = csrf_token_in(other.get("/api-access"))
    created = other.post("/api-access/items", {"csrf_token": token, "name": "Mine"})
    assert (created.status, created.location) == (303, "/api-access"), created.text
    assert "Created “Mine”" in other.get("/api-access").text  # a flashed message, shown once
    assert "Created “Mine”" not in other.get("/api-access").text
    forged = other.post("/api-access/items", {"csrf_token": "forged", "name": "Mine"})
    assert forged.status == 403
    other.close()


def test_the_users_api_token_is_renewed_once_expired(client: PageClient, logto: FakeLogto) -> None:
    logto.access_token_ttl = 61  # the SDK counts it as expired a minute early: 1 s of life
    sign_in_as(client, logto, FakeUser(api_scopes=frozenset({READ_ITEMS})))
    assert client.get("/api-access").status == 200
    first = len(logto.resource_token_requests)
    deadline = time.monotonic() + 10
    while len(logto.resource_token_requests) == first:
        assert time.monotonic() < deadline, "the API token was never renewed"
        assert client.get("/api-access").status == 200
    assert logto.revoked_grants == 0  # each renewal used the newest refresh token
    assert client.get("/profile").status == 200


def test_a_refused_renewal_signs_the_user_out(client: PageClient, logto: FakeLogto) -> None:
    sign_in_as(client, logto, FakeUser(api_scopes=frozenset({READ_ITEMS})))
    logto.token_error = (400, {"error": "invalid_grant", "error_description": "revoked"})
    page = client.get("/api-access")
    assert page.status in (200, 302, 403), page.text
    assert client.get("/profile").status == 302  # signed out: sent to sign in
