"""The README's five-minute walkthrough, run as written against a fresh service.

The service starts as ``make run`` starts it (``python -m service serve``, no DATABASE_URL: an
embedded PostgreSQL in a new data folder, no SMTP_URL: mail kept under ``.data/mail``), and
the walkthrough's commands run in order in bash with ``-euo pipefail``, in a folder whose
``.data`` is the service's; every ``curl`` fails the script on an HTTP error.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.operations.instances import ROOT, running

START = "<!-- walkthrough:"
END = "<!-- end of walkthrough -->"


def walkthrough() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(START) : text.index(END)]
    return section.split("```sh\n", 1)[1].rsplit("```", 1)[0]


def test_the_walkthrough_is_in_the_readme() -> None:
    script = walkthrough()
    for step in (
        "/auth/register",
        "/auth/verify-email",
        "/auth/token",
        "/auth/me",
        "/auth/roles",
        "/auth/users",
        "/auth/invite",
        "/auth/invitations/accept",
        "/auth/app-clients",
        "client_credentials",
    ):
        assert step in script


async def test_the_readme_walkthrough_runs_against_a_fresh_service(tmp_path: Path) -> None:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    base = {name: os.environ[name] for name in keep if name in os.environ}
    env = {
        **base,
        "DATA_DIR": str(tmp_path / ".data"),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    async with running("walkthrough", env) as service:
        shell = await asyncio.create_subprocess_exec(
            "bash",
            "-euo",
            "pipefail",
            "-c",
            walkthrough(),
            cwd=tmp_path,
            env={**base, "BASE": service.url},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(shell.communicate(), 120)
        printed = out.decode("utf-8", "replace")
        assert shell.returncode == 0, printed
        assert "Verification email sent" in printed
        assert '"invitationId"' in printed
        assert '"access_token"' in printed  # the accepted invitation signed the doctor in
        async with service.client() as http:
            signed_in = await http.post(
                "/auth/token",
                data={
                    "grant_type": "password",
                    "username": "doctor@hospital.com",
                    "password": "a long walk by the river",
                },
            )
            assert signed_in.status_code == 200, signed_in.text
    kept = sorted(p.name for p in (tmp_path / ".data" / "mail").iterdir())
    assert any(name.endswith("nurse@hospital.com.txt") for name in kept)
