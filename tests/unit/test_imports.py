"""Imports go down the layers, and no two parts of the service import each other.

A part is a folder under ``service/`` or a module directly in it. Layers, lowest first:

- ground: settings, errors, ids, logs and wire types; they import nothing of ours but each
  other;
- infrastructure: the database, security, mail, throttling, metrics, links, the FHIR
  client and the account repos; they never import a feature or the edge;
- edge: the JSON:API envelope, bodies, the session dependency and the exception handlers,
  which features build on;
- features: one folder per capability; a feature may call another's service or repo, never
  in both directions;
- top: the app factory, the ASGI entry point, the command line and the operator flows.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"

LAYERS: dict[str, int] = {
    **dict.fromkeys(
        (
            "config",
            "config_parse",
            "settings_reader",
            "deployment",
            "errors",
            "ids",
            "logs",
            "fields",
            "wire",
        ),
        0,
    ),
    **dict.fromkeys(
        ("db", "security", "mail", "throttle", "metrics", "links", "fhir", "accounts"), 1
    ),
    **dict.fromkeys(("jsonapi", "bodies", "session", "visitor", "http", "routing", "v1"), 2),
    **dict.fromkeys(
        (
            "audit",
            "organizations",
            "roles",
            "app_clients",
            "authorize",
            "oidc",
            "users",
            "invitations",
            "registration",
            "recovery",
            "tokens",
            "pages",
            "health",
            "wellknown",
            "janitor",
            "docs",
            "domains",
            "mfa",
            "account",
        ),
        3,
    ),
    **dict.fromkeys(
        ("app", "asgi", "__main__", "__init__", "operators", "openapi_doc", "wiring"), 4
    ),
}


def _part(path: Path) -> str:
    relative = path.relative_to(SERVICE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in SERVICE.rglob("*.py"):
        source = _part(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module == "service":
                names = [f"service.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "service" and len(parts) > 1 and parts[1] != source:
                    graph[source].add(parts[1])
    return graph


def test_every_part_has_a_layer() -> None:
    parts = {_part(path) for path in SERVICE.rglob("*.py")}
    assert parts - set(LAYERS) == set(), "give the new part a layer here"


def test_imports_only_go_down() -> None:
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in _imports().items()
        for target in targets
        if LAYERS[target] > LAYERS[source]
    )
    assert upward == []


def test_no_two_parts_import_each_other() -> None:
    graph = _imports()
    mutual = sorted(
        f"{a} <-> {b}"
        for a, targets in graph.items()
        for b in targets
        if a < b and a in graph.get(b, set())
    )
    assert mutual == []
