"""Each chosen connector's button starts a sign-in with its Logto parameters next to the SDK's
own, and completes; there is no button (and no route) for a connector not chosen."""

from __future__ import annotations

import re

from logto_kit.auth.sign_in_options import with_params
from logto_kit.connectors import CHOSEN

from .fake_logto import FakeLogto
from .flows import callback_path, query_of
from .page_client import PageClient

BUTTON = re.compile(r'href="/sign-in/([^"?]+)"')


def test_params_are_appended_and_encoded() -> None:
    url = with_params("https://x.example/oidc/auth?state=a%2Bb", {"first_screen": "a:b c"})
    assert url == "https://x.example/oidc/auth?state=a%2Bb&first_screen=a%3Ab+c"
    assert with_params("https://x.example/auth", {}) == "https://x.example/auth"


def test_each_button_of_this_project_starts_the_right_sign_in(
    client: PageClient, logto: FakeLogto
) -> None:
    home = client.get("/")
    assert set(BUTTON.findall(home.text)) == {connector.button.slug for connector in CHOSEN}
    for connector in CHOSEN:
        option = connector.button
        assert f'href="/sign-in/{option.slug}"' in home.text
        assert option.label in home.text
        page = client.get(f"/sign-in/{option.slug}")
        assert page.status == 302
        query = query_of(page.location)
        for name, value in option.params.items():
            assert query[name] == value
        assert query["client_id"] == "test-app"  # the SDK's own parameters are intact
        path, callback_query = callback_path(logto.authorize(page.location))
        assert client.get(path, callback_query).status == 302  # and the sign-in completes
        client.post("/sign-out", {"csrf_token": client.session().get("app.csrf", "")})
    assert client.get("/sign-in/google").status == 404  # a connector this project lacks
