"""This app's own pages: the home page and the profile. Add yours here (or in a router of
their own) the way FastAPI's docs write them: `templates.TemplateResponse` gives every page
the signed-in `user`, `user_name` and `csrf_token()` (every POST needs it), `flash(request,
...)` messages show on the next page, and the signed-in user is a dependency
(`user: CurrentUser`, or `dependencies=[Depends(login_required)]`) from `logto_kit.web`.
Routes are named as the templates' `url_for` calls them (`pages.home`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse

from logto_kit.web import current_userinfo, login_required, page_templates

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)  # pages, not API: not in the OpenAPI schema
templates = page_templates(HERE / "templates")


@router.get("/", name="pages.home")
async def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "home.html")


@router.get("/profile", name="pages.profile", dependencies=[Depends(login_required)])
async def profile(request: Request) -> HTMLResponse:
    """The ID token's claims and Logto's userinfo (asked for once per sign-in)."""
    userinfo, notice = await current_userinfo()
    context = {"userinfo": userinfo, "userinfo_error": notice}
    return templates.TemplateResponse(request, "profile.html", context)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """What browsers ask for without a page's `<link rel="icon">`: the static icon."""
    return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")
