"""Where sessions live: the framework's session interface over the chosen store, and
the store's lock for token renewals."""


class SessionStoreError(Exception):
    """The session store failed (down, hung, full or read-only): the page is a 503, and the
    app recovers by itself when the store is back."""
