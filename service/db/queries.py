"""Named SQL queries kept in ``queries.sql`` files beside the code that runs them.

A file holds blocks that start with ``-- name: some_name``; everything up to the next such
line is that query's text. Queries are read once, when a feature's repo module is imported.
"""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


class Queries:
    """Attribute access to the named queries of one file: ``q.get_user_by_id``."""

    def __init__(self, queries: dict[str, str], source: str) -> None:
        self._queries = queries
        self._source = source

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"no query {name!r} in {self._source}") from None

    def names(self) -> list[str]:
        return sorted(self._queries)


def parse(text: str, source: str = "<string>") -> Queries:
    matches = list(_NAME.finditer(text))
    queries: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip()
        name = match.group(1)
        if name in queries:
            raise ValueError(f"{source}: query {name!r} is defined twice")
        if not body:
            raise ValueError(f"{source}: query {name!r} is empty")
        queries[name] = body
    return Queries(queries, source)


def load(module_file: str, filename: str = "queries.sql") -> Queries:
    """Load the queries file that sits beside ``module_file`` (pass ``__file__``)."""
    path = Path(module_file).with_name(filename)
    return parse(path.read_text(encoding="utf-8"), str(path))
