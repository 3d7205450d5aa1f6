"""A small synchronous client for Logto's Management API (`/api/...`), authenticated as a
Machine-to-machine app (client credentials). Every failure becomes `ManagementApiError`
with one line that says what to fix."""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

from ..masking import masked
from ..settings import origin_problem, required, required_origin

TIMEOUT_SECONDS = 10.0
SELF_HOSTED_RESOURCE = "https://default.logto.app/api"
CLOUD_DOMAIN = ".logto.app"
M2M_HELP = (
    'in Logto Console > Applications, create a "Machine-to-machine" app with the "Logto '
    'Management API access" role, and put its App ID and App secret into .env'
)
ROLE_HELP = (
    "the M2M app lacks the Logto Management API access role: assign one in Logto Console > "
    "Applications > your M2M app > Roles"
)


class ManagementApiError(Exception):
    """A Management API call failed; the message is one line that says what to do."""


def management_resource(endpoint: str, override: str | None = None) -> str:
    """The Management API's resource indicator: Logto Cloud names it after the tenant."""
    if override:
        return override
    host = urlsplit(endpoint).hostname or ""
    if host.endswith(CLOUD_DOMAIN) and host.count(".") == 2:
        return f"https://{host}/api"
    return SELF_HOSTED_RESOURCE


def api_from_env(values: Mapping[str, str]) -> ManagementApi:
    """A client from LOGTO_ENDPOINT, LOGTO_M2M_APP_ID/SECRET and optional LOGTO_M2M_RESOURCE."""
    endpoint = required_origin(values, "LOGTO_ENDPOINT")
    return ManagementApi(
        endpoint,
        required(values, "LOGTO_M2M_APP_ID"),
        required(values, "LOGTO_M2M_APP_SECRET"),
        management_resource(endpoint, values.get("LOGTO_M2M_RESOURCE")),
    )


class ManagementApi:
    def __init__(
        self, endpoint: str, m2m_app_id: str, m2m_app_secret: str, resource: str | None = None
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        problem = origin_problem(self.endpoint)
        if problem:
            raise ManagementApiError(f"LOGTO_ENDPOINT={masked(self.endpoint)!r} {problem}")
        self.resource = resource or management_resource(self.endpoint)
        self._basic = base64.b64encode(
            f"{quote_plus(m2m_app_id)}:{quote_plus(m2m_app_secret)}".encode()
        ).decode()
        self._token: str | None = None
        self._token_expires = 0.0

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path + (f"?{urlencode(query)}" if query else ""))

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("POST", path, body)

    def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._access_token()}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        status, answer = self._send(method, self.endpoint + path, data, headers)
        if status >= 400:
            raise ManagementApiError(self._api_problem(method, path, status, answer))
        return answer

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        form = {"grant_type": "client_credentials", "resource": self.resource, "scope": "all"}
        headers = {
            "Authorization": f"Basic {self._basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        url = f"{self.endpoint}/oidc/token"
        status, answer = self._send("POST", url, urlencode(form).encode(), headers)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if status >= 400 or not isinstance(token, str):
            raise ManagementApiError(self._token_problem(status, answer))
        self._token = token
        self._token_expires = time.monotonic() + float(answer.get("expires_in", 60)) - 30
        return token

    def _send(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str]
    ) -> tuple[int, Any]:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        request.add_header("Accept", "application/json")
        try:
            # nosec B310: __init__ accepts only an http(s) origin, so no file: or other scheme.
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # nosec B310
                status, raw = response.status, response.read()
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            status, raw, kind = error.code, error.read(), error.headers.get_content_type()
        except (OSError, http.client.HTTPException, ValueError) as error:  # URLError is OSError
            reason = getattr(error, "reason", error)
            raise ManagementApiError(f"cannot reach Logto at {self.endpoint}: {reason}") from None
        if not raw:
            return status, None
        try:
            return status, json.loads(raw)
        except ValueError:
            if status >= 400:
                return status, {"message": raw[:200].decode(errors="replace").strip()}
            if kind == "text/plain":  # some additions answer 201 "Created", as plain text
                return status, raw.decode(errors="replace")
            raise ManagementApiError(
                f"{url} answered HTTP {status} with something that is not JSON: is "
                f"LOGTO_ENDPOINT={self.endpoint} your Logto endpoint?"
            ) from None

    def _token_problem(self, status: int, answer: Any) -> str:
        error = answer.get("error", "") if isinstance(answer, dict) else ""
        if status == 401 or error == "invalid_client":
            return (
                "the M2M app's ID/secret were refused (LOGTO_M2M_APP_ID/LOGTO_M2M_APP_SECRET): "
                "copy them from Logto Console > Applications > your Machine-to-machine app"
            )
        if error == "invalid_target":
            return (
                f"Logto does not know the API resource {masked(self.resource)}: for a custom "
                "domain set LOGTO_M2M_RESOURCE (Logto Console > API resources > Logto "
                "Management API)"
            )
        if error == "unauthorized_client":
            return "LOGTO_M2M_APP_ID is not a Machine-to-machine app: " + M2M_HELP
        if error == "invalid_scope":
            return ROLE_HELP
        detail = answer.get("error_description") if isinstance(answer, dict) else None
        return f"Logto refused the M2M token request (HTTP {status}): {detail or error or answer}"

    def _api_problem(self, method: str, path: str, status: int, answer: Any) -> str:
        if status == 401:
            return (
                "the M2M app's ID/secret were refused (LOGTO_M2M_APP_ID/LOGTO_M2M_APP_SECRET): "
                "Logto rejected its access token"
            )
        if status == 403:
            return ROLE_HELP
        body = answer if isinstance(answer, dict) else {}
        message = str(body.get("message") or body.get("error") or f"HTTP {status}")
        code = body.get("code")
        details = f" ({code})" if code else ""
        return f"Logto refused {method} {path.split('?')[0]}: {message}{details}".replace("\n", " ")
