"""Fault injection against the running service: ``python -m faults`` (``make faults``).

Each scenario injects a real fault on this machine (PostgreSQL restarted, frozen or its
connections killed; the mail server down, refusing or slow; the service or a mail worker
killed) under load, and checks the service's invariants; see faults/run.py.
"""
