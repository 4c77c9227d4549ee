"""Handlers stay thin: each route handler parses, calls its flow's service and shapes the
answer, in at most 25 lines from its ``def`` to its last line (docstring included)."""

from __future__ import annotations

import ast
from pathlib import Path

import service

LIMIT = 25
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}


def _handlers() -> list[tuple[str, int]]:
    root = Path(service.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = {_name(d) for d in node.decorator_list}
            if names & ROUTE_DECORATORS:
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((f"{path.relative_to(root.parent)}:{node.name}", lines))
    return found


def _name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def test_the_walk_finds_the_handlers() -> None:
    names = {name for name, _ in _handlers()}
    assert "service/tokens/http.py:token" in names
    assert len(names) > 30


def test_every_handler_is_at_most_25_lines() -> None:
    long = {name: lines for name, lines in _handlers() if lines > LIMIT}
    assert long == {}, f"move the deciding into the flow's service: {long}"
