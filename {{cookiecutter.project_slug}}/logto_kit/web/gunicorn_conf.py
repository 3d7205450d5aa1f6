"""gunicorn's configuration, which the production command loads
(`gunicorn -c python:logto_kit.web.gunicorn_conf ...`).

Loading it checks the settings once, in gunicorn's master, before any worker starts: a bad
setting is one line on stderr and exit status 3. Without it each worker would fail to boot on
its own, and gunicorn would print the line once per worker among its own log and a
`HaltServer` traceback. Whatever else the owner wants of gunicorn (timeouts, keep-alive,
access log) goes here too: https://docs.gunicorn.org/en/stable/settings.html
"""

from __future__ import annotations

from ..settings import load_settings, one_line_settings_errors

with one_line_settings_errors():
    load_settings()
