"""The templates' `url_for`: each link built once per script root, anything unusual as always."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.web.built_urls import MAX_KEPT, BuiltUrls


class Builder:
    def __init__(self) -> None:
        self.root, self.calls = "", 0

    def build(self, endpoint: str, **values: Any) -> str:
        self.calls += 1
        query = "&".join(f"{k}={v}" for k, v in sorted(values.items()))
        return f"{self.root}/{endpoint}" + (f"?{query}" if query else "")


def test_a_link_is_built_once_per_script_root() -> None:
    builder = Builder()
    urls = BuiltUrls(builder.build, lambda: builder.root)
    assert [urls("static", filename="style.css") for _ in range(3)] == [
        "/static?filename=style.css"
    ] * 3
    assert builder.calls == 1
    builder.root = "/shop"  # the app mounted elsewhere (SCRIPT_NAME / root_path)
    assert urls("static", filename="style.css") == "/shop/static?filename=style.css"
    assert builder.calls == 2


def test_unusual_calls_are_built_every_time() -> None:
    builder = Builder()
    urls = BuiltUrls(builder.build, lambda: builder.root)
    for _ in range(2):
        urls("pages.home", _external=True)
        urls(".profile")
        urls("pages.sign_in", next=["a"])  # unhashable
    assert builder.calls == 6


def test_what_it_keeps_is_bounded() -> None:
    builder = Builder()
    urls = BuiltUrls(builder.build, lambda: builder.root)
    for index in range(MAX_KEPT + 10):
        urls("pages.sign_in", next=f"/{index}")
    assert urls("pages.sign_in", next=f"/{MAX_KEPT + 5}") == f"/pages.sign_in?next=/{MAX_KEPT + 5}"
    assert builder.calls == MAX_KEPT + 11  # the ones past the bound are built each time
