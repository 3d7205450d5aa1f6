"""Signing in with Logto: the flow, token renewal and the checks both frameworks share."""
