"""Identity and auth service for health-tech platforms."""
