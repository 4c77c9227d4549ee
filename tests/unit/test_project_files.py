"""Committed artefacts that must track the code: the OpenAPI document and compose.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from service.app import create_app
from service.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_committed_openapi_document_is_current() -> None:
    current = create_app(Settings()).openapi_schema.to_schema()
    committed = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(current)), "run `make openapi` and commit the result"


def test_compose_uses_only_variables_the_service_reads() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["auth"]
    environment = service["environment"]
    names = set(
        environment if isinstance(environment, dict) else (e.split("=")[0] for e in environment)
    )
    assert names, "compose.yaml sets no environment for the service"
    unknown = names - Settings.variables()
    assert not unknown, f"compose.yaml sets variables the service never reads: {unknown}"
    assert {"DATABASE_URL", "SMTP_URL", "PUBLIC_BASE_URL"} <= names


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "make run" in head
    assert "make test" in head
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    documented = {
        name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }
    assert documented == Settings.variables(), "the README's configuration table is out of date"
