"""This app's JSON API (a Logto API resource): what its access tokens must be, the
permissions (scopes) it knows, and what its endpoints do. The web framework's routes are in
`web/api.py`."""
