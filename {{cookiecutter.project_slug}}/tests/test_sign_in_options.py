"""Phone and Patreon sign-in buttons carry Logto's exact first-screen / direct sign-in values.

Logto drops all extra parameters when one is invalid, so the values are pinned here.
"""

from __future__ import annotations

from {{ cookiecutter.package_name }}.about import USE_PATREON, USE_TWILIO
from {{ cookiecutter.package_name }}.auth.sign_in_options import (
    PATREON,
    PHONE,
    enabled_sign_in_options,
    with_params,
)

from .fake_logto import FakeLogto
from .flows import callback_path, query_of
from .page_client import PageClient


def test_exact_values_logto_accepts() -> None:
    assert PATREON.params == {"direct_sign_in": "social:patreon"}
    assert PHONE.params == {"first_screen": "identifier:sign_in", "identifier": "phone"}


def test_options_follow_the_chosen_connectors() -> None:
    assert list(enabled_sign_in_options(False, False)) == []
    assert list(enabled_sign_in_options(True, False)) == ["phone"]
    assert list(enabled_sign_in_options(False, True)) == ["patreon"]
    assert list(enabled_sign_in_options(True, True)) == ["phone", "patreon"]


def test_params_are_appended_and_encoded() -> None:
    url = with_params("https://x.example/oidc/auth?state=a%2Bb", {"first_screen": "a:b c"})
    assert url == "https://x.example/oidc/auth?state=a%2Bb&first_screen=a%3Ab+c"
    assert with_params("https://x.example/auth", {}) == "https://x.example/auth"


def test_each_button_of_this_project_starts_the_right_sign_in(
    client: PageClient, logto: FakeLogto
) -> None:
    home = client.get("/")
    enabled = enabled_sign_in_options(USE_TWILIO, USE_PATREON)
    for slug, option in enabled.items():
        assert f'href="/sign-in/{slug}"' in home.text
        assert option.label in home.text
        page = client.get(f"/sign-in/{slug}")
        assert page.status == 302
        query = query_of(page.location)
        for name, value in option.params.items():
            assert query[name] == value
        assert query["client_id"] == "test-app"  # the SDK's own parameters are intact
        path, callback_query = callback_path(logto.authorize(page.location))
        assert client.get(path, callback_query).status == 302  # and the sign-in completes
        client.post("/sign-out", {"csrf_token": client.session().get("app.csrf", "")})
    for slug in {"phone", "phone-sign-up", "patreon", "google"} - set(enabled):
        assert f'href="/sign-in/{slug}"' not in home.text
        assert client.get(f"/sign-in/{slug}").status == 404
