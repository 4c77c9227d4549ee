"""People: the global identity, and members as seen from one organization."""
