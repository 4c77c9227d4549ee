"""One e-mail syntax: every address the OpenAPI document's pattern allows is one the API takes
(``fields.email_problem``) and the mailer sends to (``message.check_address``), and the other
way round, so no accepted address fails later when its mail is built."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.fields import email_problem
from service.mail.message import check_address
from service.wire import EMAIL_PATTERN

ADDRESSES = st.from_regex(EMAIL_PATTERN, fullmatch=True).filter(lambda a: len(a) <= 254)


def _mailable(address: str) -> bool:
    try:
        check_address(address)
    except ValueError:
        return False
    return True


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(ADDRESSES)
def test_every_address_the_document_allows_is_taken_and_mailed(address: str) -> None:
    assert email_problem(address) is None
    assert _mailable(address)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=40))
def test_the_three_agree_on_any_text(text: str) -> None:
    documented = re.search(EMAIL_PATTERN, text) is not None and "\n" not in text
    assert (email_problem(text) is None) == documented == _mailable(text)


@pytest.mark.parametrize(
    "address",
    ["\u00a7@clinic.org", "ann@clinic", "ann@clinic.2o", "ann@-clinic.org", "a" * 65 + "@x.org"],
)
def test_what_the_mailer_cannot_send_is_refused(address: str) -> None:
    assert email_problem(address) is not None
    assert not _mailable(address)
