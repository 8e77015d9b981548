"""Accounts: people of organisations, sign-in by e-mail link, sessions, invitations, API keys."""
