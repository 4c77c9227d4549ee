"""The audit trail: an append-only record of changes, written in the changing transaction.

Features record with :func:`service.audit.recorder.record`; ``GET /auth/audit-events`` reads.
"""
