"""The container files: compose.yaml builds the service from the Dockerfile and checks its
health on /health/ready; the Dockerfile runs as a non-root user with runtime dependencies
only. (No Docker engine here: hadolint lints the Dockerfile in `make lint`.)"""

from __future__ import annotations

from typing import Any

import yaml

from tests.operations.instances import ROOT


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def test_compose_builds_the_service_from_the_dockerfile() -> None:
    auth = _compose()["services"]["auth"]
    assert auth["build"]["dockerfile"] == "Dockerfile"
    assert (ROOT / auth["build"]["context"] / "Dockerfile").is_file()
    assert "image" not in auth


def test_compose_checks_the_service_health_on_ready() -> None:
    auth = _compose()["services"]["auth"]
    check = " ".join(auth["healthcheck"]["test"])
    assert "/health/ready" in check
    assert "curl" not in check


def test_compose_wires_the_database_and_waits_for_it() -> None:
    services = _compose()["services"]
    auth = services["auth"]
    assert auth["environment"]["DATABASE_URL"].startswith("postgresql://auth_app:")
    assert "@postgres:5432/" in auth["environment"]["DATABASE_URL"]
    assert auth["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]


def test_the_dockerfile_runs_as_non_root_with_runtime_dependencies_only() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    instructions = [line.split()[0] for line in lines if line and not line[0].isspace()]
    assert instructions.count("FROM") >= 2  # multi-stage
    [user] = [line for line in lines if line.startswith("USER ")]
    assert user.split()[1].split(":")[0] not in ("root", "0")
    assert any("--no-dev" in line for line in lines)
    [check] = [i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK")]
    assert "/health/ready" in " ".join(lines[check : check + 3])
    assert not any("curl" in line for line in lines if not line.startswith("#"))
