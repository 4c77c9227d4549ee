"""Named SQL queries kept in ``queries.sql`` files beside the code that runs them.

A file holds blocks that start with ``-- name: some_name``; everything up to the next such
line is that query's text. Queries are read once, when a feature's repo module is imported.

That import also checks the module's own source: it binds the file to a name
(``q = load(__file__)``), and every ``q.some_name`` it reads must be a query of the file, so a
missing or misspelt name fails the import instead of the first request that runs it.
"""

from __future__ import annotations

import ast
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
    """Load the queries file that sits beside ``module_file`` (pass ``__file__``).

    Raises :class:`LookupError` when the module reads a name the file does not define.
    """
    path = Path(module_file).with_name(filename)
    queries = parse(path.read_text(encoding="utf-8"), str(path))
    module = Path(module_file)
    if module.suffix == ".py":
        used = uses(module.read_text(encoding="utf-8")).get(filename)
        if used is None:
            raise LookupError(
                f"{module}: bind the queries to a name, as in "
                f"`q = load(__file__, {filename!r})` after `from service.db.queries import load`"
            )
        missing = sorted(used.difference(queries.names()))
        if missing:
            raise LookupError(f"{module}: no query {', '.join(missing)} in {path}")
    return queries


def uses(source: str) -> dict[str, set[str]]:
    """The queries a module reads, by the file it loads them from.

    A module binds a file with ``NAME = load(__file__[, "file.sql"])`` (``load`` imported from
    this module, under any alias) and reads a query as ``NAME.some_name``.
    """
    tree = ast.parse(source)
    files = bindings(tree)
    used: dict[str, set[str]] = {filename: set() for filename in files.values()}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in files
            and not node.attr.startswith("_")
            and node.attr not in vars(Queries)
        ):
            used[files[node.value.id]].add(node.attr)
    return used


def bindings(tree: ast.AST) -> dict[str, str]:
    """The names a module binds to ``load(...)`` results, each with the file it loads."""
    loaders = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == __name__
        for alias in node.names
        if alias.name == "load"
    }
    files: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in loaders
            and (filename := _filename(value)) is not None
        ):
            files[target.id] = filename
    return files


def _filename(call: ast.Call) -> str | None:
    """The file a ``load(...)`` call names, when it is written out (or left to the default)."""
    given = call.args[1] if len(call.args) > 1 else None
    given = next((k.value for k in call.keywords if k.arg == "filename"), given)
    if given is None:
        return "queries.sql"
    if isinstance(given, ast.Constant) and isinstance(given.value, str):
        return given.value
    return None
