"""Where the "you can now sign in" pages lead."""

from __future__ import annotations

import dataclasses

from service.config import Settings
from service.pages import render

CLIENT = "PuzaR6b4U1l2wMC3qciU1qUJI2fOxJLw"
SETTINGS = dataclasses.replace(
    Settings(), client_redirects=((CLIENT, "https://app.example.test/welcome?a=1&b=2"),)
)


def test_a_known_client_leads_to_its_app() -> None:
    assert render.sign_in(SETTINGS, CLIENT) == (
        '<p><a href="https://app.example.test/welcome?a=1&amp;b=2">Continue to sign in</a></p>'
    )


def test_without_a_client_the_page_says_where_to_sign_in_in_words() -> None:
    for client_id in (None, "", "not-" + CLIENT):
        text = render.sign_in(SETTINGS, client_id)
        assert "<a" not in text
        assert "Open the app you use with this account and sign in there" in text
