"""Accounts and memberships: the one owner of the ``users`` and ``memberships`` tables.

Every feature that reads or writes a person or a membership calls these repos; they decide
nothing and import no feature.
"""
