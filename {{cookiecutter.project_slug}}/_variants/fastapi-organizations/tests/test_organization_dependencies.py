"""FastAPI: `organization_required` as an owner writes it, a route's parameter
(`ActiveOrganization`) and a router's `dependencies=[Depends(organization_required(role=...))]`,
with the answers of the Organization pages: sign-in, then 403 without an active organization
or the role."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, Depends

from logto_kit.settings import Settings
from logto_kit.web.organizations import ActiveOrganization, organization_required

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .page_client import PageClient
from .test_organizations import LAB, MEMBER, SHOP, sign_in_as, switch


@pytest.fixture
def owners_client(settings: Settings) -> Iterator[PageClient]:
    app = create_app(settings)
    admins = APIRouter(dependencies=[Depends(organization_required(role="admin"))])

    @app.get("/which")
    async def which(organization: ActiveOrganization) -> dict[str, str]:
        return {"id": organization.id, "roles": ",".join(organization.roles)}

    @admins.get("/billing")
    async def billing() -> dict[str, str]:
        return {"billing": "shown"}

    app.include_router(admins)
    client = PageClient(app)
    yield client
    client.close()


def test_a_signed_out_visitor_is_sent_through_sign_in(owners_client: PageClient) -> None:
    for path in ("/which", "/billing"):
        page = owners_client.get(path, {"tab": "2"})
        assert page.status == 302
        assert page.location == f"/sign-in?next={path}?tab%3D2"


def test_the_active_organization_and_its_role_decide(
    owners_client: PageClient, logto: FakeLogto
) -> None:
    sign_in_as(owners_client, logto, MEMBER)
    for path in ("/which", "/billing"):
        refused = owners_client.get(path)
        assert refused.status == 403 and "choose one of yours" in refused.text
    assert switch(owners_client, LAB).status == 303
    assert json.loads(owners_client.get("/which").text) == {"id": LAB, "roles": "member"}
    refused = owners_client.get("/billing")
    assert refused.status == 403 and "needs the &#39;admin&#39; role" in refused.text
    assert switch(owners_client, SHOP).status == 303
    assert json.loads(owners_client.get("/which").text) == {"id": SHOP, "roles": "admin,member"}
    allowed = owners_client.get("/billing")
    assert allowed.status == 200 and json.loads(allowed.text) == {"billing": "shown"}
