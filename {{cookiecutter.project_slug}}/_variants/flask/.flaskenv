# Lets `flask run` / `flask routes` find the app from the project root.
FLASK_APP={{ cookiecutter.package_name }}
