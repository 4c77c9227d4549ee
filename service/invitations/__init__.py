"""Invitations: a resource with a life cycle (pending, accepted, revoked, expired)."""
