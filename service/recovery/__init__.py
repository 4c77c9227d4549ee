"""Password reset: a mailed link to the stored address, then a new password, once."""
