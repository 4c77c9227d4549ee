"""Discovery documents: the JWK Set and the authorization server metadata."""
