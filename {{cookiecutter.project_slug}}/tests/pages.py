"""A page as the tests' client (page_client.py) returns it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    status: int
    headers: dict[str, str]  # names in lowercase
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")
