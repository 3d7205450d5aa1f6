"""The framework layer: `create_app`, the routes, the pages' templates and static files."""
