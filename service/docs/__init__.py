"""The API documentation page's own assets, and the front page that links it."""
