# Lets `flask run` / `flask routes` find the app from the project root: a setup page until
# the settings in .env are complete (`python -m <package>` also restarts when .env changes).
FLASK_APP={{ cookiecutter.package_name }}:create_dev_app
