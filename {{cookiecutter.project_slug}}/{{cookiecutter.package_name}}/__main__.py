"""Development server: `python -m <package>` serves on APP_BASE_URL's host and port, with the
debugger on loopback hosts only; a setup page until the settings are complete, restarted when
the code or `.env` changes."""

from logto_kit.web import serve_development
from logto_kit.web.setup_page import dev_server_address

from .app import create_dev_app


def main() -> None:
    host, port, debug = dev_server_address()
    serve_development(create_dev_app, host, port, debug=debug)


if __name__ == "__main__":
    main()
