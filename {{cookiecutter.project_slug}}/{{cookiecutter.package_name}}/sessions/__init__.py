"""Where sessions live: the framework's session interface over the chosen store, and
the store's lock for token renewals."""
