"""What was answered when this project was generated: name, framework, session backend, API,
organizations, back-channel logout (the chosen connectors are the modules in `connectors/`)."""

import json

PROJECT_NAME: str = json.loads(r""" {{ cookiecutter.project_name | tojson }} """)
SESSION_BACKEND: str = json.loads(r""" {{ cookiecutter.session_backend | tojson }} """)
WEB_FRAMEWORK: str = json.loads(r""" {{ cookiecutter.web_framework | tojson }} """)
#: Whether the project serves a JSON API protected by Logto roles (`api/`, `web/api.py`).
PROTECTED_API: bool = json.loads(r""" {{ (cookiecutter.api_resource != "") | tojson }} """)
USE_BACKCHANNEL_LOGOUT: bool = json.loads(r""" {{ cookiecutter.use_backchannel_logout | tojson }} """)
#: Whether the project uses Logto organizations (`auth/organizations.py`, `web/organizations.py`).
USE_ORGANIZATIONS: bool = json.loads(r""" {{ cookiecutter.use_organizations | tojson }} """)
