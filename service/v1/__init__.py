"""The seed 002 surface under ``/v1``: its envelope and its organization context."""
