"""Development server: `python -m <package>` serves on APP_BASE_URL's host and port."""

from urllib.parse import urlsplit

from .app import create_app
from .settings import settings_from_environment


def main() -> None:
    settings = settings_from_environment()
    origin = urlsplit(settings.app_base_url)
    port = origin.port or (443 if origin.scheme == "https" else 80)
    create_app(settings).run(host=origin.hostname, port=port, debug=True)


if __name__ == "__main__":
    main()
