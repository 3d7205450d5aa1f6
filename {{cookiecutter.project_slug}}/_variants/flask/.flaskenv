# Lets `flask run` / `flask routes` find the app from the project root: a setup page until
# the settings in .env are complete, and the dev server restarts when .env changes.
FLASK_APP={{ cookiecutter.package_name }}:create_dev_app
FLASK_RUN_EXTRA_FILES=.env
