"""Test support: real PostgreSQL servers, per-test databases, the app served over HTTP."""
