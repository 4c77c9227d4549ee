"""Every mail has a text and an HTML part, names its organization (except the notice to an
existing account, which carries nothing a stranger typed), and escapes what it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.config import Settings
from service.mail import Mailer
from service.mail.render import TEMPLATES, load

CONTEXT_KEYS = {
    "verify_email": {"name", "organization_name", "link"},
    "already_registered": {"name"},
    "password_reset": {"name", "organization_name", "link"},
    "password_changed": {"name", "organization_name"},
    "mfa_reset": {"name", "organization_name"},
    "mfa_changed": {"name", "change"},
    "set_password": {"name", "organization_name", "link"},
    "added_to_organization": {"name", "organization_name"},
    "welcome": {"name", "organization_name", "docs_link"},
    "invitation": {"organization_name", "inviter_name", "role_name", "link", "expires_in"},
}


def sample(keys: set[str] | frozenset[str]) -> dict[str, str]:
    return {key: f'<{key}-value & "q">' for key in keys}


def test_the_template_set_is_complete_and_each_needs_its_keys() -> None:
    assert {name: set(t.keys) for name, t in TEMPLATES.items()} == CONTEXT_KEYS


@pytest.mark.parametrize("name", sorted(CONTEXT_KEYS))
def test_each_template_renders_both_parts_with_the_organization_name(name: str) -> None:
    context = {key: f"{key.upper()}-X" for key in CONTEXT_KEYS[name]}
    rendered = TEMPLATES[name].render(context)
    if "organization_name" in context:
        assert "ORGANIZATION_NAME-X" in rendered.subject
    for value in context.values():
        assert value in rendered.text, f"{name}.txt does not show {value}"
        assert value in rendered.html, f"{name}.html does not show {value}"
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert "$" not in rendered.text + rendered.html + rendered.subject


@pytest.mark.parametrize("name", sorted(CONTEXT_KEYS))
def test_html_part_escapes_every_value_and_loads_nothing_remote(name: str) -> None:
    rendered = TEMPLATES[name].render(sample(CONTEXT_KEYS[name]))
    html = rendered.html.lower()
    for key in CONTEXT_KEYS[name]:
        assert f"&lt;{key}-value &amp; &quot;q&quot;&gt;" in rendered.html
        assert f"<{key}-value" not in rendered.html
    assert "<script" not in html
    assert "<img" not in html
    assert "src=" not in html
    assert "url(" not in html
    assert "<link" not in html
    assert not re.search(r"\son[a-z]+=", html), "no event handler attributes"


def test_a_missing_key_is_an_error_not_a_gap() -> None:
    with pytest.raises(KeyError, match="link"):
        TEMPLATES["verify_email"].render({"name": "Ann", "organization_name": "Acme"})


def test_a_template_without_a_subject_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / "layout.html").write_text("${title}${body}")
    (tmp_path / "broken.txt").write_text("Hello $name\n\nbody")
    (tmp_path / "broken.html").write_text("<p>$name</p>")
    with pytest.raises(ValueError, match="Subject"):
        load(tmp_path)


def test_links_come_from_the_public_base_url_with_the_token_url_encoded() -> None:
    mailer = Mailer(Settings(public_base_url="https://id.example.org", mail_from="a@example.org"))
    assert (
        mailer.link("/auth/verify-email", "a+b/c=&d")
        == "https://id.example.org/auth/verify-email?token=a%2Bb%2Fc%3D%26d"
    )
    with pytest.raises(ValueError, match="token"):
        mailer.link("/auth/verify-email", "two words")
    with pytest.raises(ValueError, match="token"):
        mailer.link("/auth/verify-email", "")


def test_mail_from_must_have_a_domain_for_message_ids() -> None:
    assert Mailer(Settings(mail_from="Acme <no-reply@Acme.example>"))._domain == "acme.example"
    with pytest.raises(ValueError, match="MAIL_FROM"):
        Mailer(Settings(mail_from="nobody"))
