"""Passwords, tokens, authentication and permissions."""
