"""Check every answer before cookiecutter renders any file.

Cookiecutter renders this file with Jinja before running it. The only template expression
sits in the ``__main__`` block and reads the answers as JSON data, so an answer can never
become Python source. Everything else is plain Python that the tests import unrendered.

On a bad answer the hook prints one line per problem on stderr,
``error: <key>: <what is wrong> — <what to do>``, and exits with status 1; cookiecutter then
deletes the project directory it had created.
"""

from __future__ import annotations

import ipaddress
import json
import keyword
import os
import re
import sys
import unicodedata

MAX_TEXT_LENGTH = 200
MAX_SLUG_LENGTH = 100
MAX_EMAIL_LENGTH = 254

WEB_FRAMEWORKS = ("Flask", "Quart", "FastAPI")
SESSION_BACKENDS = ("cookie", "redis", "sqlalchemy", "filesystem")

#: Import names the generated project uses or may use; a package with one of these names
#: would shadow the real module.
RESERVED_PACKAGE_NAMES = frozenset(
    {
        "aiohttp",
        "asgiref",
        "blinker",
        "click",
        "cryptography",
        "dotenv",
        "fastapi",
        "flask",
        "gunicorn",
        "hypercorn",
        "uvicorn",
        "uvicorn_worker",
        "itsdangerous",
        "jinja2",
        "jwt",
        "logto",
        "logto_kit",  # the project's own machinery package, beside the app's
        "flask_wtf",
        "wtforms",
        "markupsafe",
        "multipart",
        "python_multipart",
        "psycopg",
        "pydantic",
        "pytest",
        "quart",
        "quart_session",
        "redis",
        "sqlalchemy",
        "starlette",
        "tests",
        "twilio",
        "uv",
        "watchfiles",
        "werkzeug",
    }
)

#: Hosts for which plain ``http`` is accepted (a local Logto or a local dev server).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})

SLUG_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PACKAGE_RE = re.compile(r"[a-z][a-z0-9_]*")
EMAIL_RE = re.compile(
    r"[A-Za-z0-9_%+'-]+(?:\.[A-Za-z0-9_%+'-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
DNS_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
PORT_RE = re.compile(r"[1-9][0-9]{0,4}")

#: Unicode categories that may not appear in one-line text: controls (C0, DEL, C1),
#: line/paragraph separators and lone surrogates.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})


class AnswerError(ValueError):
    """One wrong answer, worded as what is wrong and what to do about it."""

    def __init__(self, key: str, problem: str, fix: str) -> None:
        super().__init__(f"{key}: {problem} — {fix}")
        self.key = key
        self.problem = problem
        self.fix = fix

    def line(self) -> str:
        return f"error: {self}"


def show(value: object, limit: int = 60) -> str:
    """Quote a value for an error message: one line, control characters escaped, short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _require_text(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise AnswerError(key, f"{show(value)} is not text", "answer with a plain string")
    return value


def check_text(key: str, value: object, *, required: bool = False) -> None:
    """Free text (a name, a description): any Unicode, but one line and not too long."""
    text = _require_text(key, value)
    if required and not text.strip():
        raise AnswerError(key, "is empty", f"enter a {key.replace('_', ' ')}")
    if len(text) > MAX_TEXT_LENGTH:
        raise AnswerError(
            key, f"is {len(text)} characters long", f"keep it to {MAX_TEXT_LENGTH} or fewer"
        )
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise AnswerError(
                key,
                f"contains the control character U+{ord(char):04X} at position {position}",
                "it must be one line of text: remove line breaks, tabs and control characters",
            )


def check_project_slug(value: object, project_name: object = "") -> None:
    """A folder and distribution name: lowercase ASCII words joined by single dashes."""
    slug = _require_text("project_slug", value)
    if not slug:
        raise AnswerError(
            "project_slug",
            f"is empty because project_name {show(project_name)} has no ASCII letters or digits",
            "set project_slug explicitly, e.g. project_slug=my-logto-app",
        )
    if len(slug) > MAX_SLUG_LENGTH:
        raise AnswerError(
            "project_slug",
            f"is {len(slug)} characters long",
            f"keep it to {MAX_SLUG_LENGTH} or fewer",
        )
    if not SLUG_RE.fullmatch(slug):
        raise AnswerError(
            "project_slug",
            f"{show(slug)} is not a valid folder and distribution name",
            "use lowercase ASCII letters and digits in words joined by single dashes, "
            "starting with a letter, e.g. my-logto-app",
        )


def check_package_name(value: object) -> None:
    """An importable name that does not shadow the stdlib or a dependency."""
    name = _require_text("package_name", value)
    if not PACKAGE_RE.fullmatch(name):
        raise AnswerError(
            "package_name",
            f"{show(name)} is not a lowercase Python identifier",
            "use lowercase ASCII letters, digits and underscores, starting with a letter, "
            "e.g. my_logto_app",
        )
    if keyword.iskeyword(name):
        raise AnswerError(
            "package_name",
            f"{show(name)} is a Python keyword and cannot be imported",
            f"choose another name, e.g. {name}_app",
        )
    if name in sys.stdlib_module_names:
        raise AnswerError(
            "package_name",
            f"{show(name)} would shadow the standard library module of that name",
            f"choose another name, e.g. {name}_app",
        )
    if name in RESERVED_PACKAGE_NAMES:
        raise AnswerError(
            "package_name",
            f"{show(name)} would shadow a module the generated project imports",
            f"choose another name, e.g. {name}_app",
        )


def check_author_email(value: object) -> None:
    """A plain ``local@domain.tld`` address."""
    email = _require_text("author_email", value)
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_RE.fullmatch(email):
        raise AnswerError(
            "author_email",
            f"{show(email)} is not a plain email address",
            "use the form name@example.com (ASCII, no spaces or display name)",
        )


def _check_host(key: str, host: str) -> None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise AnswerError(
                key, f"{show(host)} is not a valid IPv6 address", "write it like [::1]"
            ) from None
        return
    if not host:
        raise AnswerError(key, "has no host", "write it like https://example.com")
    if host != host.lower():
        raise AnswerError(key, f"host {show(host)} has capital letters", "write it in lowercase")
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise AnswerError(
                key, f"{show(host)} is not a valid IPv4 address", "write it like 127.0.0.1"
            ) from None
        return
    labels = host.split(".")
    if len(host) > 253 or not all(DNS_LABEL_RE.fullmatch(label) for label in labels):
        raise AnswerError(
            key,
            f"{show(host)} is not a valid host name",
            "use ASCII letters, digits, dashes and dots, e.g. your-tenant.logto.app",
        )


def check_base_url(key: str, value: object) -> None:
    """Exactly ``http(s)://host[:port]``; plain http only for a local host."""
    url = _require_text(key, value)
    example = "e.g. https://your-tenant.logto.app or http://localhost:3000"
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        raise AnswerError(key, f"{show(url)} contains spaces or control characters", example)
    scheme_match = SCHEME_RE.match(url)
    if not scheme_match:
        raise AnswerError(key, f"{show(url)} does not start with https://", example)
    scheme = scheme_match.group(1)
    if scheme not in ("http", "https"):
        raise AnswerError(key, f"scheme {show(scheme)} is not allowed", f"use https, {example}")
    rest = url[scheme_match.end() :]
    if "@" in rest:
        raise AnswerError(
            key, "must not contain a user name or password", "remove the part up to '@'"
        )
    if "#" in rest:
        raise AnswerError(key, "must not have a fragment", "remove '#' and what follows")
    if "?" in rest:
        raise AnswerError(key, "must not have a query string", "remove '?' and what follows")
    if "/" in rest:
        if rest.index("/") == len(rest) - 1:
            raise AnswerError(key, "ends with '/'", f"remove the trailing '/': {url[:-1]}")
        origin = url[: scheme_match.end() + rest.index("/")]
        raise AnswerError(key, "must not have a path", f"keep only scheme, host and port: {origin}")
    authority = rest
    if authority.startswith("["):
        host, bracket, port_part = authority.partition("]")
        host += bracket
        if not bracket or (port_part and not port_part.startswith(":")):
            raise AnswerError(key, f"{show(authority)} is not a valid host", "write it like [::1]")
        port = port_part[1:] if port_part else None
    else:
        if authority.count(":") > 1:
            raise AnswerError(
                key, "has an IPv6 address without brackets", "write it like http://[::1]:3000"
            )
        host, colon, port_text = authority.partition(":")
        port = port_text if colon else None
    _check_host(key, host)
    if port is not None and not (PORT_RE.fullmatch(port) and int(port) <= 65535):
        raise AnswerError(
            key, f"port {show(port)} is not valid", "use a number from 1 to 65535, or no port"
        )
    if scheme == "http" and host not in LOCAL_HOSTS:
        raise AnswerError(
            key,
            f"plain http is only allowed for localhost, 127.0.0.1 or [::1], not {show(host)}",
            f"use https://{authority}",
        )


def check_web_framework(value: object) -> None:
    if value not in WEB_FRAMEWORKS:
        raise AnswerError(
            "web_framework",
            f"{show(value)} is not supported",
            f"choose one of {', '.join(WEB_FRAMEWORKS)}",
        )


def check_session_backend(value: object) -> None:
    if value not in SESSION_BACKENDS:
        raise AnswerError(
            "session_backend",
            f"{show(value)} is not supported",
            f"choose one of {', '.join(SESSION_BACKENDS)}",
        )


def check_yes_no(key: str, value: object) -> None:
    if not isinstance(value, bool):
        raise AnswerError(key, f"{show(value)} is not a yes/no answer", "answer true or false")


def check_api_resource(value: object) -> None:
    """Empty (no API), or an absolute ``http(s)`` URI without a fragment: Logto's resource
    indicator, which becomes the audience of the API's access tokens (RFC 8707)."""
    if value == "":
        return
    indicator = _require_text("api_resource", value)
    example = "e.g. https://api.example.com, or leave it empty for no API"
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in indicator):
        raise AnswerError(
            "api_resource", f"{show(indicator)} contains spaces or control characters", example
        )
    scheme_match = SCHEME_RE.match(indicator)
    if not scheme_match or scheme_match.group(1) not in ("http", "https"):
        raise AnswerError("api_resource", f"{show(indicator)} is not an http(s) URI", example)
    rest = indicator[scheme_match.end() :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = authority[: authority.find("]") + 1] if "[" in authority else authority.split(":")[0]
    if "@" in authority:
        raise AnswerError(
            "api_resource", "must not contain a user name or password", "remove the part up to '@'"
        )
    if "#" in rest:
        raise AnswerError("api_resource", "must not have a fragment", "remove '#' and what follows")
    if "?" in rest:
        raise AnswerError(
            "api_resource", "must not have a query string", "remove '?' and what follows"
        )
    if len(indicator) > MAX_TEXT_LENGTH:
        raise AnswerError(
            "api_resource",
            f"is {len(indicator)} characters long",
            f"use {MAX_TEXT_LENGTH} or fewer",
        )
    if not host:
        raise AnswerError("api_resource", f"{show(indicator)} names no host", example)
    _check_host("api_resource", host)


def check_backchannel_logout(value: object, session_backend: object) -> None:
    check_yes_no("use_backchannel_logout", value)
    if value and session_backend == "cookie":
        raise AnswerError(
            "use_backchannel_logout",
            "the cookie session backend cannot end a session from the server: a signed-cookie "
            "session lives only in the browser",
            "choose session_backend=redis, sqlalchemy or filesystem, or answer false",
        )


def validate_answers(answers: dict) -> list[AnswerError]:
    """Every problem with the answers, in prompt order (empty when all is well)."""
    checks = [
        ("project_name", lambda v: check_text("project_name", v, required=True)),
        (
            "project_slug",
            lambda v: check_project_slug(v, answers.get("project_name", "")),
        ),
        ("package_name", check_package_name),
        ("description", lambda v: check_text("description", v)),
        ("author_name", lambda v: check_text("author_name", v)),
        ("author_email", check_author_email),
        ("web_framework", check_web_framework),
        ("session_backend", check_session_backend),
        ("use_twilio", lambda v: check_yes_no("use_twilio", v)),
        ("use_patreon", lambda v: check_yes_no("use_patreon", v)),
        ("api_resource", check_api_resource),
        ("use_organizations", lambda v: check_yes_no("use_organizations", v)),
        (
            "use_backchannel_logout",
            lambda v: check_backchannel_logout(v, answers.get("session_backend")),
        ),
        ("logto_endpoint", lambda v: check_base_url("logto_endpoint", v)),
        ("app_base_url", lambda v: check_base_url("app_base_url", v)),
    ]
    errors: list[AnswerError] = []
    for key, check in checks:
        if key not in answers:
            errors.append(AnswerError(key, "is missing", "answer it (see cookiecutter.json)"))
            continue
        if key == "package_name" and _derived_from_bad_slug(answers, errors):
            continue  # fixing project_slug fixes it too; one error line is enough
        try:
            check(answers[key])
        except AnswerError as error:
            errors.append(error)
    return errors


def _derived_from_bad_slug(answers: dict, errors: list[AnswerError]) -> bool:
    """Whether package_name is the default made from a project_slug already reported."""
    slug = answers.get("project_slug")
    return (
        any(error.key == "project_slug" for error in errors)
        and isinstance(slug, str)
        and answers.get("package_name") == slug.replace("-", "_")
    )


def configure_streams() -> None:
    """Printing must never fail, whatever the encoding of a pipe or terminal."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def emit(text: str, *, error: bool = False) -> None:
    """Print to stdout (or stderr) without ever failing: a closed pipe just loses the text."""
    stream = sys.stderr if error else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        # Point the descriptor at /dev/null so the flush at interpreter exit cannot fail.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(answers: dict) -> int:
    errors = validate_answers(answers)
    for error in errors:
        emit(error.line(), error=True)
    return 1 if errors else 0


def run(answers: dict) -> int:
    """``main`` with every failure turned into one line on stderr and status 1."""
    try:
        configure_streams()
        return main(answers)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the user must never see a traceback
        emit(
            f"error: pre_gen_project: unexpected {type(error).__name__}: {one_line(error)}"
            " — this is a template bug; please report it",
            error=True,
        )
        return 1


if __name__ == "__main__":
    ANSWERS = json.loads(r""" {{ cookiecutter | tojson }} """)
    sys.exit(run(ANSWERS))
