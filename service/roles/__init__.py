"""Roles: the managed roles every organization has, custom roles, and the permission catalogue."""
