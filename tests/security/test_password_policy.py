"""Password policy: code points after NFKC, 12 to 128, common list, the account's own words."""

from __future__ import annotations

import pytest

from service.security.password_policy import (
    ESTIMATE_LENGTH,
    L33T_BUDGET,
    MAX_LENGTH,
    MIN_ESTIMATE_LENGTH,
    _l33t_tables,
    check_password,
    common_passwords,
    estimated_part,
)

MIN = 12


def fullwidth(text: str) -> str:
    """The text in fullwidth forms (U+FF01 to U+FF5E), as some East Asian keyboards type it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def problems(
    password: str,
    *,
    email: str | None = None,
    organization_name: str | None = None,
    names: tuple[str | None, ...] = (),
) -> list[str]:
    return check_password(
        password, min_length=MIN, email=email, organization_name=organization_name, names=names
    )


def length_problems(password: str, min_length: int = MIN) -> list[str]:
    """Only what the length rule says (these strings are easy to guess on purpose)."""
    found = check_password(password, min_length=min_length)
    return [p for p in found if "characters" in p]


def test_the_seed_registration_password_is_accepted() -> None:
    assert problems("SecurePass123!", email="admin@example.com", organization_name="Acme") == []


def test_the_esus_seed_password_passes_with_the_seed_body_around_it() -> None:
    """The ESUS seed's registration body, as /work/shared/seeds gives it."""
    found = problems(
        "SecurePass123!",
        email="admin@hospital.com",
        organization_name="City General Hospital",
        names=("Admin", "User"),
    )
    assert found == []


def test_the_accounts_own_words_with_a_digit_are_too_easy() -> None:
    email, organization = "admin@hospital.com", "City General Hospital"
    for password in ("admin@hospital.com1", "City General Hospital 1"):
        found = problems(password, email=email, organization_name=organization)
        assert len(found) == 1, password
        assert found[0].startswith("The password is too easy to guess"), found
        assert problems(password) == [], "without the account's words it would pass"


def test_length_boundaries() -> None:
    assert problems("zq8#vW2!mK4p") == []  # 12
    assert problems("zq8#vW2!mK4") == ["The password must have at least 12 characters."]
    assert length_problems("k" * MAX_LENGTH) == []
    assert length_problems("k" * (MAX_LENGTH + 1)) == [
        "The password must have at most 128 characters."
    ]


def test_the_configured_minimum_applies() -> None:
    assert check_password("zq8#vW2!mK4p", min_length=16) == [
        "The password must have at least 16 characters."
    ]
    assert length_problems("zq8#vW2!", min_length=8) == []


def test_no_composition_rules() -> None:
    assert problems("correct horse battery staple") == []
    assert problems("alllowercaseletters") == []


def test_emoji_count_as_code_points_not_bytes_or_utf16_units() -> None:
    assert length_problems("🙂" * 12) == []  # 48 bytes, 24 UTF-16 units, 12 code points
    assert length_problems("🙂" * 11) != []
    thumbs = "👍🏽"  # a thumb and a skin-tone modifier: two code points, one glyph
    assert length_problems(thumbs * 6) == []
    assert length_problems(thumbs * 5 + "🙂") != []


def test_combining_characters_are_counted_after_nfkc() -> None:
    # e + COMBINING ACUTE composes to one code point: 22 code points typed, 11 counted.
    assert length_problems("e\u0301" * 11) == ["The password must have at least 12 characters."]
    assert length_problems("e\u0301" * 12) == []
    # q + COMBINING TILDE has no composed form: two code points each.
    assert length_problems("q\u0303" * 6) == []


def test_nfkc_expansions_and_fullwidth_forms() -> None:
    assert fullwidth("pass") == "\uff50\uff41\uff53\uff53"
    assert length_problems("\ufb01" * 6) == []  # the "fi" ligature becomes two letters
    assert length_problems("\ufb01" * 5 + "x") != []
    # A 128-character limit is checked after expansion too.
    assert length_problems("\ufb01" * 65) == ["The password must have at most 128 characters."]
    assert problems(fullwidth("password1234")) == [
        "The password is too common: choose one that is harder to guess."
    ]


@pytest.mark.parametrize(
    "password", ["password1234", "PASSWORD1234", "Qwertyuiop123", "1234567890123"]
)
def test_common_passwords_are_refused_ignoring_case(password: str) -> None:
    assert problems(password) == ["The password is too common: choose one that is harder to guess."]


def test_short_and_common_gives_both_problems() -> None:
    assert problems("qwerty") == [
        "The password must have at least 12 characters.",
        "The password is too common: choose one that is harder to guess.",
    ]


def test_the_list_is_loaded_once() -> None:
    assert common_passwords() is common_passwords()
    assert len(common_passwords()) > 19_000
    assert "password" in common_passwords()


def test_the_email_and_its_local_part_are_refused() -> None:
    email = "Margaret.Hamilton@clinic.example"
    assert problems("margaret.hamilton@CLINIC.example", email=email) == [
        "The password must not be the e-mail address."
    ]
    assert problems("MARGARET.HAMILTON", email=email) == [
        "The password must not be the e-mail address."
    ]
    assert problems("margaret.hamilton!", email=email) == []


def test_the_organization_name_and_given_names_are_refused() -> None:
    assert problems("st mary's hospital", organization_name="St Mary's Hospital") == [
        "The password must not be the organization's name."
    ]
    assert problems("bartholomew-smith", names=("Bartholomew-Smith", None, "")) == [
        "The password must not be your name."
    ]
    assert problems("bartholomew-smith", names=(None, "")) == []


@pytest.mark.parametrize(
    "password",
    [
        "123456789012",
        "aaaaaaaaaaaa",
        "abcdefghijkl",
        "asdfghjkl;'z",
        "Password123!",
        "zxcvbnmasdfg",
        "password password password",
        "Password123Password123",
    ],
)
def test_runs_repeats_sequences_and_keyboard_walks_are_refused(password: str) -> None:
    found = problems(password)
    assert len(found) == 1
    assert found[0].startswith("The password is too easy to guess")


@pytest.mark.parametrize(
    "password",
    [
        "SecurePass123!",
        "correct horse battery staple",
        "my cat likes warm windowsills",
        "a long walk by the river",
    ],
)
def test_ordinary_passphrases_pass(password: str) -> None:
    assert problems(password, email="someone@clinic.example", names=("Some", "One")) == []


def test_the_estimate_sees_a_bounded_prefix() -> None:
    """A 128-character password costs the estimator what 32 characters cost."""
    assert problems("correct horse battery staple " * 4 + "tail") == []


def test_l33t_heavy_passwords_are_judged_on_a_shorter_prefix() -> None:
    """zxcvbn's l33t matcher tries every substitution table the characters allow, so a
    password of l33t characters is judged on fewer code points (never under 16); see the
    module docstring for the times measured."""
    plain = "copper kettle under the bridge at dawn"
    assert estimated_part(plain) == plain[:ESTIMATE_LENGTH]
    symbols = "4@8({[<3!1|0$5+7%269" * 6
    part = estimated_part(symbols)
    assert len(part) == MIN_ESTIMATE_LENGTH
    assert symbols.startswith(part)
    mixed = "8|@%%8{082|5[@2!%(4+4%($%{<{3|350@1{05@0|405$|$34%|1<!$25{%{72[@"
    part = estimated_part(mixed)
    assert MIN_ESTIMATE_LENGTH <= len(part) <= ESTIMATE_LENGTH
    assert _l33t_tables(part) * len(part) ** 2 <= L33T_BUDGET
    assert problems(mixed) == []
