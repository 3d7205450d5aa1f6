"""A request body over MAX_REQUEST_BYTES is a 413 page, refused before anything reads it;
one within the limit is served as before. (That the body is not read, even a chunked one, is
shown at the server interface: test_request_body_unread.py.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from logto_kit.settings import MIN_REQUEST_BYTES, Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import csrf_token_in, sign_in
from .page_client import PageClient

LIMIT = MIN_REQUEST_BYTES  # 16 KiB


@pytest.fixture
def limited(settings: Settings) -> Iterator[PageClient]:
    client = PageClient(create_app(dataclasses.replace(settings, max_request_bytes=LIMIT)))
    yield client
    client.close()


def form_of_size(size: int, csrf_token: str) -> dict[str, str]:
    """The sign-out form, padded so that its urlencoded body is exactly `size` bytes."""
    form = {"csrf_token": csrf_token, "padding": ""}
    form["padding"] = "x" * (size - len(urlencode(form)))
    assert len(urlencode(form)) == size
    return form


def test_a_form_over_the_limit_is_a_413_page(limited: PageClient, logto: FakeLogto) -> None:
    sign_in(limited, logto)
    token = csrf_token_in(limited.get("/"))
    page = limited.post("/sign-out", form_of_size(LIMIT + 1, token))
    assert page.status == 413
    assert "<h1>Request too large</h1>" in page.text
    assert (
        "This request sends more data than this site accepts (at most 16 KiB). Send less and "
        "try again." in page.text
    )
    assert page.headers["x-content-type-options"] == "nosniff"  # the app's own page
    assert "Alice Example" in limited.get("/").text  # nothing was done: still signed in
    signed_out = limited.post("/sign-out", form_of_size(LIMIT, token))
    assert signed_out.status == 302, signed_out.text  # at the limit: served as before
    assert signed_out.location.startswith(f"{logto.issuer}/session/end?")


def test_a_signed_out_post_over_the_limit_is_a_413_page(limited: PageClient) -> None:
    """Before the CSRF check, which would read the form: anyone may send this."""
    page = limited.post("/sign-out", {"padding": "x" * LIMIT})
    assert page.status == 413 and "Request too large" in page.text
    assert limited.post("/sign-out", {"padding": "x" * 100}).status == 403  # as before


def test_the_limit_defaults_to_1_mib(client: PageClient) -> None:
    page = client.post("/sign-out", {"padding": "x" * (1024 * 1024)})
    assert page.status == 413 and "(at most 1 MiB)" in page.text
