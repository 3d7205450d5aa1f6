"""What was answered when this project was generated: name, session backend, connectors."""

import json

PROJECT_NAME: str = json.loads(r""" {{ cookiecutter.project_name | tojson }} """)
SESSION_BACKEND: str = json.loads(r""" {{ cookiecutter.session_backend | tojson }} """)
USE_TWILIO: bool = json.loads(r""" {{ cookiecutter.use_twilio | tojson }} """)
USE_PATREON: bool = json.loads(r""" {{ cookiecutter.use_patreon | tojson }} """)
WEB_FRAMEWORK: str = json.loads(r""" {{ cookiecutter.web_framework | tojson }} """)
