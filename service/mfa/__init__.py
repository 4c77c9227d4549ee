"""Second factors: TOTP and passkeys a person manages, recovery codes, and the second step of a
sign-in."""
