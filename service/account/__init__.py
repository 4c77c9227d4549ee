"""The person's own account pages on the service: their second factors."""
