"""What this project is called, as answered when it was generated."""

import json

PROJECT_NAME: str = json.loads(r""" {{ cookiecutter.project_name | tojson }} """)
