"""Development server: `python -m <package>` serves on APP_BASE_URL's host and port."""

from urllib.parse import urlsplit

from .settings import load_settings, one_line_settings_errors
from .web.app import create_app


def main() -> None:
    with one_line_settings_errors():
        settings = load_settings()
        app = create_app(settings)
    origin = urlsplit(settings.app_base_url)
    port = origin.port or (443 if origin.scheme == "https" else 80)
    app.run(host=origin.hostname, port=port, debug=True)


if __name__ == "__main__":
    main()
