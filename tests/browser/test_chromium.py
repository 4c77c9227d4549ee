"""Without Debian's Chromium the browser tests fail, saying how to install it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import chromium


def test_a_missing_chromium_fails_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "chromium")
    with pytest.raises(pytest.fail.Exception) as failed:
        chromium.executable()
    assert "apt-get install -y chromium" in str(failed.value)
    assert str(tmp_path / "chromium") in str(failed.value)


def test_the_installed_chromium_is_found() -> None:
    assert chromium.executable() == "/usr/bin/chromium"
