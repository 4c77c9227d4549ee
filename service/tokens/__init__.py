"""The OAuth 2.0 token and revocation endpoints: password and refresh-token grants."""
