"""The bakes' offline fakes, checked against a real Logto.

The fake Management API: every scenario runs twice, step by step: against a fresh
`FakeManagementApi` (the very file each bake's tests use) and against the real tenant (reset
between scenarios). For every step the status, the error `code` and the response's shape must
match; so must the values Logto decides for what `logto provision` relies on (the sign-in
experience's sign-up, sign-in and social targets; a connector's id, factory, type, target and
config; a user's organizations and roles in each). A rule the fake enforces that Logto does
not, or the reverse, fails here.

The fake OIDC provider's token revocation (RFC 7009, which sign-out uses): the same steps
against `FakeLogto` and Logto, users signed in over HTTP (Logto's Experience API); status,
OAuth `error` and an empty 200 body must match, and what a revocation ends (the refresh
token, the grant's access token) too.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.baked_app import TEMPLATE_ROOT
from tests.support.http_user import HttpUser
from tests.support.logto_http import Answer, OAuthClient, redirected_to, submit_password
from tests.support.real_logto import LogtoInstance, LogtoTenant

BAKED_TESTS = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "tests"
#: The connectors' own test modules (`<name>_connector.py`): the fake then has both installed.
CONNECTOR_TESTS = [
    TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "_variants" / name / "tests"
    for name in ("twilio", "patreon")
]
BAKED_TESTS_PACKAGE = "baked_tests"
FAKE_M2M = ("m2m-app", "m2m-secret")  # FakeManagementApi's defaults

USERNAME_FIRST = {"identifiers": ["username"], "password": True, "verify": False}
USERNAME_PASSWORD = {
    "identifier": "username",
    "password": True,
    "verificationCode": False,
    "isPasswordPrimary": True,
}
PHONE_CODE = {
    "identifier": "phone",
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}
SMS_TEXTS = [
    {"usageType": usage, "content": "Your code is {{code}}"}
    for usage in ("Register", "SignIn", "ForgotPassword", "Generic")
]
TWILIO = {
    "connectorId": "twilio-short-message-service",
    "config": {
        "accountSID": "AC" + "0" * 32,
        "authToken": "f" * 32,
        "fromMessagingServiceSID": "MG" + "1" * 32,
        "templates": SMS_TEXTS,
    },
}
ALIYUN = {
    "connectorId": "aliyun-short-message-service",
    "config": {
        "accessKeyId": "key-id",
        "accessKeySecret": "key-secret",
        "signName": "Shop",
        "templates": [
            {"usageType": text["usageType"], "templateCode": "SMS_1"} for text in SMS_TEXTS
        ],
    },
}
PATREON_CONFIG = {"clientId": "patreon-id", "clientSecret": "patreon-secret", "scope": "identity"}
#: The sign-in experience of a fresh tenant, set at the start of every scenario.
START = {
    "signUp": USERNAME_FIRST,
    "signIn": {"methods": [USERNAME_PASSWORD]},
    "socialSignInConnectorTargets": [],
}
SIGN_IN_EXP_VALUES = ("signUp", "signIn", "socialSignInConnectorTargets")
CONNECTOR_VALUES = ("connectorId", "type", "target", "config")
SHOP_API = "https://api.shop.example"
MANAGEMENT_API = "https://default.logto.app/api"  # every tenant has it
PASSWORD = "Brisk-Otter-42-Lantern"  # passes Logto's default password policy
DEMO = "Demo organization"
CHOSEN_IDS = {"patreon"}  # connector ids a step chose; others are Logto's (or the fake's) own


@dataclass(frozen=True)
class Step:
    method: str
    path: str  # may name ids saved by earlier steps: "/api/applications/{app}"
    body: Any = None
    save: str = ""  # keep the answer's id under this name


def sign_up(**changes: Any) -> Step:
    return Step("PATCH", "/api/sign-in-exp", {"signUp": {**USERNAME_FIRST, **changes}})


def sign_in(*methods: dict[str, Any]) -> Step:
    return Step("PATCH", "/api/sign-in-exp", {"signIn": {"methods": list(methods)}})


SCENARIOS: dict[str, list[Step]] = {
    "applications": [
        Step("POST", "/api/applications", {"name": "Shop", "type": "Traditional"}, save="app"),
        Step("GET", "/api/applications/{app}"),
        Step("GET", "/api/applications/{app}/secrets"),
        Step("POST", "/api/applications/{app}/secrets", {"name": "Default secret"}),
        Step("POST", "/api/applications/{app}/secrets", {"name": "logto provision"}),
        Step(
            "PATCH",
            "/api/applications/{app}",
            {
                "oidcClientMetadata": {
                    "redirectUris": ["http://localhost:3000/callback"],
                    "postLogoutRedirectUris": ["http://localhost:3000/"],
                }
            },
        ),
        Step("GET", "/api/applications/missing-app-id"),
        Step("GET", "/api/applications/missing-app-id/secrets"),
        Step("POST", "/api/applications/missing-app-id/secrets", {"name": "x"}),
        Step("PATCH", "/api/applications/missing-app-id", {"name": "x"}),
        Step("POST", "/api/applications", {"name": "Shop", "type": "NoSuchType"}),
        Step("POST", "/api/applications", {"type": "Traditional"}),
    ],
    "connectors": [
        Step("POST", "/api/connectors", TWILIO, save="twilio"),
        Step("POST", "/api/connectors", {**TWILIO, "config": {"accountSID": "AC"}}),
        Step(
            "POST", "/api/connectors", {**TWILIO, "config": {**TWILIO["config"], "templates": []}}
        ),
        Step("POST", "/api/connectors", {"connectorId": "no-such-connector", "config": {}}),
        Step(
            "POST",
            "/api/connectors",
            {"connectorId": "patreon-universal", "config": PATREON_CONFIG, "id": "patreon"},
        ),
        Step(
            "POST",
            "/api/connectors",
            {"connectorId": "patreon-universal", "config": PATREON_CONFIG},
        ),
        Step("PATCH", "/api/connectors/patreon", {"config": {**PATREON_CONFIG, "clientId": "new"}}),
        Step("PATCH", "/api/connectors/patreon", {"config": {"clientId": "only-the-id"}}),
        Step("PATCH", "/api/connectors/patreon", {"bogus": True}),
        Step("PATCH", "/api/connectors/no-such-id", {"config": PATREON_CONFIG}),
        Step("GET", "/api/connectors"),
        Step("POST", "/api/connectors", ALIYUN),  # Logto keeps one SMS connector: Twilio goes
        Step("GET", "/api/connectors"),
    ],
    "API resource, permissions, roles and a user's role": [
        Step("POST", "/api/resources", {"name": "Shop API", "indicator": SHOP_API}, save="api"),
        Step("POST", "/api/resources", {"name": "Again", "indicator": SHOP_API}),
        Step("POST", "/api/resources/{api}/scopes", {"name": "read:items"}, save="read"),
        Step("POST", "/api/resources/{api}/scopes", {"name": "read:items"}),
        Step("POST", "/api/resources/{api}/scopes", {"name": "has space"}),
        Step(
            "POST",
            "/api/resources/{api}/scopes",
            {"name": "write:items", "description": "Create"},
            save="write",
        ),
        Step("GET", "/api/resources?includeScopes=true"),
        Step(
            "POST",
            "/api/roles",
            {"name": "Shop editor", "description": "d", "type": "User", "scopeIds": ["{read}"]},
            save="role",
        ),
        Step("POST", "/api/roles", {"name": "Shop editor", "description": "again"}),
        Step(
            "POST",
            "/api/roles",
            {"name": "Shop jobs", "description": "d", "type": "MachineToMachine"},
            save="m2m",
        ),
        Step("GET", "/api/roles?page=1&page_size=100"),
        Step("GET", "/api/roles/{role}/scopes?page=1&page_size=100"),
        Step("POST", "/api/roles/{role}/scopes", {"scopeIds": ["{read}"]}),
        Step("POST", "/api/roles/{role}/scopes", {"scopeIds": []}),
        Step("POST", "/api/roles/{role}/scopes", {"scopeIds": ["{write}"]}),
        Step("GET", "/api/roles/{role}/scopes?page=1&page_size=100"),
        Step("POST", "/api/users", {"username": "rbac_user", "password": PASSWORD}, save="user"),
        Step("POST", "/api/users", {"username": "rbac_user", "password": PASSWORD}),
        Step("GET", "/api/users?search.username=rbac_user&mode.username=exact"),
        Step("GET", "/api/users?search.username=rbac&mode.username=exact"),
        Step("POST", "/api/users/{user}/roles", {"roleIds": ["{role}"]}),
        Step("POST", "/api/users/{user}/roles", {"roleIds": ["{role}"]}),
        Step("POST", "/api/users/{user}/roles", {"roleIds": ["{m2m}"]}),
        Step("GET", "/api/users/{user}/roles?page=1&page_size=100"),
        Step("POST", "/api/users/missing-user/roles", {"roleIds": ["{role}"]}),
    ],
    "organization roles, organizations and memberships": [
        # The name alone: Logto defaults the scope lists the d.ts marks required.
        Step("POST", "/api/organization-roles", {"name": "admin"}, save="role"),
        Step("POST", "/api/organization-roles", {"name": "admin", "description": "again"}),
        Step("POST", "/api/organization-roles", {"description": "no name"}),
        Step(
            "POST",
            "/api/organization-roles",
            {
                "name": "jobs",
                "description": "d",
                "type": "MachineToMachine",
                "organizationScopeIds": [],
                "resourceScopeIds": [],
            },
            save="m2m",
        ),
        Step("GET", "/api/organization-roles?page=1&page_size=100"),
        Step("POST", "/api/organizations", {"name": DEMO, "description": "d"}, save="org"),
        Step("POST", "/api/organizations", {"name": DEMO}),  # names may repeat
        Step("POST", "/api/organizations", {"description": "no name"}),
        Step("GET", "/api/organizations?page=1&page_size=100"),  # by id: compared in_order
        Step("POST", "/api/users", {"username": "org_user", "password": PASSWORD}, save="user"),
        Step("GET", "/api/users/{user}/organizations"),
        Step("GET", "/api/users/missing-user/organizations"),
        Step(
            "POST",
            "/api/organizations/{org}/users/{user}/roles",
            {"organizationRoleIds": ["{role}"]},
        ),  # a member's only
        Step("POST", "/api/organizations/{org}/users", {"userIds": ["{user}"]}),
        Step("POST", "/api/organizations/{org}/users", {"userIds": ["{user}"]}),  # again: fine
        Step("POST", "/api/organizations/{org}/users", {"userIds": []}),
        Step("POST", "/api/organizations/{org}/users", {"userIds": ["missing-user"]}),
        Step("POST", "/api/organizations/missing-org/users", {"userIds": ["{user}"]}),
        Step(
            "POST",
            "/api/organizations/{org}/users/{user}/roles",
            {"organizationRoleIds": ["{role}"]},
        ),
        Step(
            "POST",
            "/api/organizations/{org}/users/{user}/roles",
            {"organizationRoleIds": ["{role}"]},
        ),  # again: fine
        Step("POST", "/api/organizations/{org}/users/{user}/roles", {"organizationRoleIds": []}),
        Step(
            "POST",
            "/api/organizations/{org}/users/{user}/roles",
            {"organizationRoleIds": ["missing-role"]},
        ),
        Step(
            "POST",
            "/api/organizations/{org}/users/{user}/roles",
            {"organizationRoleIds": ["{m2m}"]},
        ),  # a machine's role, to a user
        Step("GET", "/api/users/{user}/organizations"),
    ],
    "sign-in experience without an SMS connector": [
        # The rule `provision` once broke: secondary phone needs the top-level verify.
        sign_up(verify=False, secondaryIdentifiers=[{"identifier": "phone", "verify": True}]),
        sign_up(verify=True, secondaryIdentifiers=[{"identifier": "phone", "verify": False}]),
        sign_up(verify=True, secondaryIdentifiers=[{"identifier": "phone", "verify": True}]),
        sign_up(identifiers=["phone"], verify=True),
        sign_up(verify=True, secondaryIdentifiers=[{"identifier": "emailOrPhone", "verify": True}]),
        sign_up(identifiers=[], secondaryIdentifiers=[{"identifier": "username", "verify": False}]),
        sign_up(secondaryIdentifiers=[{"identifier": "username", "verify": False}]),
        sign_up(password=False),  # username without password: Logto allows it
        sign_up(),
        sign_in(USERNAME_PASSWORD, PHONE_CODE),
        sign_in({**USERNAME_PASSWORD, "password": False}),
        Step("PATCH", "/api/sign-in-exp", {"socialSignInConnectorTargets": ["patreon"]}),
        Step("PATCH", "/api/sign-in-exp", {"signUp": {**USERNAME_FIRST, "password": "yes"}}),
        Step("PATCH", "/api/sign-in-exp", {"signUp": USERNAME_FIRST, "noSuchKey": 1}),
        Step("GET", "/api/sign-in-exp"),
    ],
    "sign-in experience with the project's connectors": [
        Step("POST", "/api/connectors", TWILIO),
        Step(
            "POST",
            "/api/connectors",
            {"connectorId": "patreon-universal", "config": PATREON_CONFIG, "id": "patreon"},
        ),
        sign_up(verify=False, secondaryIdentifiers=[{"identifier": "phone", "verify": True}]),
        sign_in(USERNAME_PASSWORD, PHONE_CODE),
        sign_up(verify=True, secondaryIdentifiers=[{"identifier": "phone", "verify": True}]),
        sign_up(identifiers=["phone"], verify=True, password=False),
        sign_in(USERNAME_PASSWORD, {**PHONE_CODE, "password": True, "verificationCode": False}),
        sign_in(USERNAME_PASSWORD, PHONE_CODE),
        sign_up(verify=True, secondaryIdentifiers=[{"identifier": "emailOrPhone", "verify": True}]),
        sign_up(
            identifiers=["phone"],
            verify=True,
            secondaryIdentifiers=[{"identifier": "emailOrPhone", "verify": True}],
        ),
        Step(
            "PATCH",
            "/api/sign-in-exp",
            {"socialSignInConnectorTargets": ["google", "patreon", "twilio-sms"]},
        ),
        Step("GET", "/api/sign-in-exp"),
    ],
}


@pytest.fixture(scope="module")
def baked_tests() -> Iterator[None]:
    """The template's baked tests as a package of its own (they hold no template tags in the
    modules loaded here): they import their neighbours relatively, as the baked `tests` does;
    the package also holds both connectors' test modules, as a bake with both has them."""
    spec = importlib.util.spec_from_file_location(
        BAKED_TESTS_PACKAGE,
        BAKED_TESTS / "__init__.py",
        submodule_search_locations=[str(BAKED_TESTS), *map(str, CONNECTOR_TESTS)],
    )
    assert spec and spec.loader
    sys.modules[BAKED_TESTS_PACKAGE] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[BAKED_TESTS_PACKAGE])
    try:
        yield
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == BAKED_TESTS_PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def fake_module(baked_tests: None) -> Any:
    """fake_management_api, the bakes' fake Management API."""
    return importlib.import_module(f"{BAKED_TESTS_PACKAGE}.fake_management_api")


@pytest.fixture(scope="module")
def fake_logto_module(baked_tests: None) -> Any:
    """fake_logto, the bakes' fake OIDC provider."""
    return importlib.import_module(f"{BAKED_TESTS_PACKAGE}.fake_logto")


StepAnswer = tuple[int, Any]


def run(request: Callable[[str, str, Any], StepAnswer], steps: list[Step]) -> list[StepAnswer]:
    saved: dict[str, str] = {}
    assert request("PATCH", "/api/sign-in-exp", START)[0] == 200
    answers = []
    for step in steps:
        status, body = request(step.method, step.path.format(**saved), filled(step.body, saved))
        if step.save and status < 400:
            saved[step.save] = body["id"]
        answers.append((status, body))
    return answers


def filled(body: Any, saved: dict[str, str]) -> Any:
    """`body` with each string "{name}" replaced by the id an earlier step saved as name."""
    if isinstance(body, dict):
        return {key: filled(value, saved) for key, value in body.items()}
    if isinstance(body, list):
        return [filled(item, saved) for item in body]
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return saved.get(body[1:-1], body)
    return body


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fake_answers_as_logto_does(
    name: str, fake_module: Any, logto: LogtoInstance, tenant: LogtoTenant
) -> None:
    steps = SCENARIOS[name]
    real = run(lambda m, p, b: tenant.request(m, p, b), steps)
    with fake_module.FakeManagementApi() as fake:
        client = LogtoTenant(LogtoInstance(fake.endpoint, *FAKE_M2M))
        faked = run(lambda m, p, b: client.request(m, p, b), steps)
    differences = [
        f"{step.method} {step.path} {step.body}: {problem}"
        for step, logto_answer, fake_answer in zip(steps, real, faked, strict=True)
        if (problem := difference(step, logto_answer, fake_answer))
    ]
    assert not differences, "\n".join(differences)


def difference(step: Step, real: StepAnswer, fake: StepAnswer) -> str | None:
    (status, body), (fake_status, fake_body) = real, fake
    if status != fake_status:
        return (
            f"Logto answered {status} {code_of(body)}, the fake {fake_status} {code_of(fake_body)}"
        )
    if status >= 400:
        return (
            None
            if code_of(body) == code_of(fake_body)
            else (f"error code: Logto {code_of(body)}, the fake {code_of(fake_body)}")
        )
    if problem := shape_difference(body, fake_body, "response"):
        return problem
    decided = decided_values(step, body)
    if decided != (faked := decided_values(step, fake_body)):
        return f"values: Logto {decided}, the fake {faked}"
    return None


def code_of(body: Any) -> str:
    return body.get("code", "") if isinstance(body, dict) else ""


def decided_values(step: Step, body: Any) -> Any:
    """What Logto decides that the project depends on, for comparison by value."""
    if step.path == "/api/sign-in-exp":
        return {key: body[key] for key in SIGN_IN_EXP_VALUES}
    if step.path.startswith("/api/users/") and step.path.endswith("/organizations"):
        # A user's organizations, with their roles in each.
        return sorted((o["name"], sorted(r["name"] for r in o["organizationRoles"])) for o in body)
    if step.path.startswith("/api/organization-roles?"):
        return [(role["name"], role["type"]) for role in body]  # in Logto's order
    if step.path.startswith("/api/organizations?"):
        return sorted(o["name"] for o in body if o["name"] == DEMO)
    if step.method == "GET" and step.path.startswith(("/api/roles/", "/api/users/")):
        return sorted(item["name"] for item in body)  # a role's scopes, a user's roles
    if step.path.startswith("/api/users/") and step.method == "POST":
        return len(body["addedRoleIds"])
    if step.path.startswith("/api/users?"):
        return sorted(user["username"] for user in body)
    if step.path.startswith("/api/resources?"):
        ours = [r for r in body if r["indicator"] in (SHOP_API, MANAGEMENT_API)]
        return sorted((r["indicator"], sorted(s["name"] for s in r["scopes"])) for r in ours)
    if step.path.startswith("/api/connectors"):
        connectors = in_order(body if isinstance(body, list) else [body])
        return [
            {key: c[key] for key in CONNECTOR_VALUES} | {"id": c["id"] in CHOSEN_IDS or "made"}
            for c in connectors
        ]
    return None


def shape_difference(real: Any, fake: Any, where: str) -> str | None:
    """Where `fake` has a key Logto's answer lacks, or a value of another JSON type."""
    if type(real) is not type(fake):
        return f"{where}: Logto gives {type(real).__name__}, the fake {type(fake).__name__}"
    if isinstance(fake, dict):
        for key, value in fake.items():
            if key not in real:
                return f"{where}.{key}: the fake answers a key Logto does not"
            if problem := shape_difference(real[key], value, f"{where}.{key}"):
                return problem
    if isinstance(fake, list):
        for index, (real_item, fake_item) in enumerate(paired(real, fake)):
            if problem := shape_difference(real_item, fake_item, f"{where}[{index}]"):
                return problem
    return None


def paired(real: list[Any], fake: list[Any]) -> list[tuple[Any, Any]]:
    """Each fake item with Logto's: API resources by indicator (a tenant may hold others),
    scopes by name (Logto orders those made in the same millisecond as it likes),
    connectors by factory id (Logto lists them in its own order), other lists as given."""
    for key, kind in (("indicator", None), ("name", "resourceId")):
        if fake and all(isinstance(i, dict) and key in i and (kind or key) in i for i in fake):
            by_key = {item.get(key): item for item in real if isinstance(item, dict)}
            return [(by_key.get(item[key]), item) for item in fake]
    return list(zip(in_order(real), in_order(fake), strict=False))


def in_order(items: list[Any]) -> list[Any]:
    """Connectors by factory id (Logto lists them in its own order), organizations by name and
    description (Logto lists them by id, random in both); other lists as given."""
    if all(isinstance(item, dict) and "connectorId" in item for item in items):
        return sorted(items, key=lambda item: item["connectorId"])
    if items and all(isinstance(item, dict) and "isMfaRequired" in item for item in items):
        return sorted(items, key=lambda item: (item["name"], item["description"] or ""))
    return items


def test_token_errors_match(fake_module: Any, logto: LogtoInstance) -> None:
    """The client-credentials grant's refusals, which `logto` commands turn into advice."""
    with fake_module.FakeManagementApi() as fake:
        for instance, (app_id, secret) in (
            (logto, (logto.m2m_app_id, logto.m2m_app_secret)),
            (LogtoInstance(fake.endpoint, *FAKE_M2M), FAKE_M2M),
        ):
            answers = [
                token_refusal(LogtoInstance(instance.endpoint, app_id, "wrong-secret")),
                token_refusal(
                    LogtoInstance(instance.endpoint, app_id, secret, "https://no-such.example/api")
                ),
            ]
            if instance is logto:
                expected = answers
            else:
                assert answers == expected, f"Logto: {expected}, the fake: {answers}"


def test_unauthenticated_requests_match(fake_module: Any, logto: LogtoInstance) -> None:
    with fake_module.FakeManagementApi() as fake:
        answers = {}
        for endpoint in (logto.endpoint, fake.endpoint):
            request = urllib.request.Request(
                f"{endpoint}/api/applications", headers={"Authorization": "Bearer not-a-token"}
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            answers[endpoint] = (refused.value.code, json.loads(refused.value.read())["code"])
        assert answers[fake.endpoint] == answers[logto.endpoint], answers


def token_refusal(instance: LogtoInstance) -> tuple[int, str]:
    status, body = LogtoTenant(instance).token_request()
    return status, body.get("error", "") if isinstance(body, dict) else str(body)


# --- token revocation (the fake OIDC provider) -----------------------------------------------
CALLBACK = "http://127.0.0.1:9/callback"  # never requested: the code is read off the redirect
REVOKE = "/token/revocation"


def revocation_steps(client: OAuthClient, sign_in: Callable[[], dict[str, Any]]) -> list[str]:
    """The revocation scenario against one IdP: each step's name and what it answered (status,
    OAuth error, or "empty" for an empty body). `sign_in` gives a new sign-in's tokens."""
    answers: list[str] = []

    def record(step: str, answer: Answer) -> Answer:
        outcome = answer.error or ("empty" if answer.body == "" else "a body")
        answers.append(f"{step}: {answer.status} {outcome}")
        return answer

    def revoke(token: str, hint: str, **form: str) -> dict[str, str]:
        return {"token": token, "token_type_hint": hint, **client.credentials(), **form}

    first = sign_in()
    renewed = record("refresh", client.refresh(first["refresh_token"])).body
    refresh_token = renewed.get("refresh_token", first["refresh_token"])  # rotated or not
    record("userinfo", client.userinfo(first["access_token"]))
    record("revoke without a token", client.post(REVOKE, client.credentials()))
    record("revoke without client authentication", client.post(REVOKE, {"token": refresh_token}))
    wrong = revoke(refresh_token, "refresh_token", client_secret="wrong-secret")
    record("revoke with a wrong secret", client.post(REVOKE, wrong))
    record("revoke an unknown token", client.post(REVOKE, revoke("no-such-token", "refresh_token")))
    record("revoke the refresh token", client.post(REVOKE, revoke(refresh_token, "refresh_token")))
    record("refresh with the revoked token", client.refresh(refresh_token))
    record("userinfo with the grant's access token", client.userinfo(first["access_token"]))
    record("revoke it again", client.post(REVOKE, revoke(refresh_token, "refresh_token")))

    second = sign_in()
    access = revoke(second["access_token"], "access_token")
    record("revoke an access token", client.post(REVOKE, access))
    record("userinfo with the revoked access token", client.userinfo(second["access_token"]))
    record("refresh after revoking the access token", client.refresh(second["refresh_token"]))
    basic = {"token": second["refresh_token"], "token_type_hint": "refresh_token"}
    record("revoke with HTTP Basic", client.post(REVOKE, basic, basic=True))
    record("refresh after that", client.refresh(second["refresh_token"]))
    return answers


def test_fake_revokes_tokens_as_logto_does(
    fake_logto_module: Any, logto: LogtoInstance, tenant: LogtoTenant
) -> None:
    """The fake's token revocation, which the bakes' sign-out tests rely on, against Logto's
    (both rotate refresh tokens or not as they do: each step uses the newest one)."""
    app = tenant.call(
        "POST",
        "/api/applications",
        {
            "name": "Revoker",
            "type": "Traditional",
            "oidcClientMetadata": {
                "redirectUris": [CALLBACK],
                "postLogoutRedirectUris": [CALLBACK],
            },
        },
    )
    user = tenant.create_user("revocation_user", PASSWORD)
    real = OAuthClient(logto.issuer, app["id"], app["secret"], CALLBACK)

    def sign_in_at_logto() -> dict[str, Any]:
        browser = HttpUser()
        url, verifier = real.authorization()
        page = browser.open(url)
        back = submit_password(browser, page, logto.endpoint, user["username"], PASSWORD)
        return real.tokens_for(redirected_to(browser, back, CALLBACK), verifier)

    logto_answers = revocation_steps(real, sign_in_at_logto)
    with fake_logto_module.FakeLogto(client_id="fake-app", client_secret="fake-secret") as fake:
        faked = OAuthClient(fake.issuer, "fake-app", "fake-secret", CALLBACK)

        def sign_in_at_fake() -> dict[str, Any]:
            url, verifier = faked.authorization()
            return faked.tokens_for(fake.authorize(url), verifier)

        fake_answers = revocation_steps(faked, sign_in_at_fake)
    assert fake_answers == logto_answers
