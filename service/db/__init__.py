"""Database access: pool, per-request transaction with tenant settings, queries, migrations."""
