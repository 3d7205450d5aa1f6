"""What the sign-in flow tells the rest of the app, as blinker signals (what the web
framework's own signals are made of). Connect a receiver in your `create_app` or a module it
imports; it gets the app as sender and the user's ID token claims::

    from .auth.events import user_signed_in

    @user_signed_in.connect
    def remember(app, user):  # with an asyncio framework, `async def` works too
        accounts.get_or_create(logto_id=user["sub"], email=user.get("email"))

It is sent after every completed sign-in (a first one included: look the user up by `sub`
and create what is missing), before the browser is sent on to the page it came from.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent after each completed sign-in with `user`: the ID token's claims (`sub`, `name`, ...).
user_signed_in = _signals.signal("logto-user-signed-in")
