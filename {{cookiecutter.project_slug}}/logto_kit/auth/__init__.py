"""Signing in with Logto: the flow, token renewal and the checks the web layer relies on (no web
framework inside)."""
