"""What was answered when this project was generated: its name and session backend."""

import json

PROJECT_NAME: str = json.loads(r""" {{ cookiecutter.project_name | tojson }} """)
SESSION_BACKEND: str = json.loads(r""" {{ cookiecutter.session_backend | tojson }} """)
