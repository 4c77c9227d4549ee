"""One-time links in mail: verification, password reset and first password."""
