"""logto_kit: signing in with Logto for this project, kept apart from the app's own code.

The template this project was generated from owns this package: fixes and new features
arrive here with `cruft update` (CHANGELOG.md says what each version brings), and it never
imports the app. The app uses it through `logto_kit.web` (`init_app`, `current_user`,
`login_required`, `csrf`, `user_signed_in`) and the `logto` commands (`logto_kit.admin`).
Change it through its extension points rather than edits, so updates apply cleanly.
"""

__version__ = "0.3.0"
