"""Housekeeping: removes what has outlived its use (expired registrations, links, old mail)."""
