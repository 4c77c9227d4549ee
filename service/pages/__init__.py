"""The small HTML pages that links in mail open. They work without JavaScript."""
