"""Organizations: creation with their managed roles, reading and updating the profile."""
