"""Self-service registration: an organization, its owner, and e-mail verification."""
