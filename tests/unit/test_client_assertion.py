"""RFC 7523 client assertions: what is accepted, what is refused and why, and key-set checks.

Each refusal test names the reason it expects, so it fails when its own rule is removed even
where a later rule would still refuse the assertion.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from service.security.client_assertion import (
    ALGORITHMS,
    ASSERTION_TYPE,
    LEEWAY_SECONDS,
    MAX_LIFETIME_SECONDS,
    AssertionRefused,
    VerifiedAssertion,
    claimed_client,
    public_jwks_problem,
    verify_assertion,
)

CLIENT = "client-7"
ISSUER = "https://auth.example.test"
TOKEN_URL = ISSUER + "/oauth/token"
AUDIENCES = frozenset({TOKEN_URL, ISSUER})
NOW = 1_750_000_000
DROP = object()  # a claim or header value meaning "leave this one out"


@dataclass(frozen=True)
class Keys:
    rsa: RSAKey  # kid "rsa"
    impostor: RSAKey  # another RSA key under the same kid
    p256: ECKey  # kid "p256"
    p384: ECKey  # kid "p384"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public(k) for k in (self.rsa, self.p256, self.p384)]}


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        rsa=RSAKey.generate_key(2048, {"kid": "rsa"}),
        impostor=RSAKey.generate_key(2048, {"kid": "rsa"}),
        p256=ECKey.generate_key("P-256", {"kid": "p256"}),
        p384=ECKey.generate_key("P-384", {"kid": "p384"}),
    )


def public(key: RSAKey | ECKey, **changes: Any) -> dict[str, Any]:
    return {**key.as_dict(private=False), **changes}


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": CLIENT,
        "sub": CLIENT,
        "aud": TOKEN_URL,
        "exp": NOW + 60,
        "iat": NOW,
        "jti": "3f1c9a7e-jti",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not DROP}


def forge(key: RSAKey | ECKey, alg: str = "RS256", payload: Any = None, **header: Any) -> str:
    """A compact JWS signed by ``key`` with exactly this header: no library vets the header."""
    head = {k: v for k, v in {"alg": alg, "kid": key.kid, **header}.items() if v is not DROP}
    signing_input = (
        f"{b64(json.dumps(head))}.{b64(json.dumps(claims() if payload is None else payload))}"
    )
    signature = jws.JWSRegistry.algorithms[alg].sign(signing_input.encode(), key)
    return f"{signing_input}.{b64(signature)}"


def verify(assertion: str, keys: Keys, jwks: dict[str, Any] | None = None) -> VerifiedAssertion:
    return verify_assertion(
        assertion,
        client_id=CLIENT,
        jwks=keys.jwks() if jwks is None else jwks,
        audiences=AUDIENCES,
        now=float(NOW),
    )


def refused(reason: str, assertion: str, keys: Keys, jwks: dict[str, Any] | None = None) -> None:
    with pytest.raises(AssertionRefused, match=reason):
        verify(assertion, keys, jwks)


ACCEPTED = VerifiedAssertion(client_id=CLIENT, jti="3f1c9a7e-jti", expires_at=NOW + 60)


def test_constants() -> None:
    assert ASSERTION_TYPE == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert ALGORITHMS == ("RS256", "RS384", "ES256", "ES384")
    assert (MAX_LIFETIME_SECONDS, LEEWAY_SECONDS) == (3600, 30)


@pytest.mark.parametrize(
    ("alg", "name"), [("RS256", "rsa"), ("RS384", "rsa"), ("ES256", "p256"), ("ES384", "p384")]
)
def test_each_algorithm_is_accepted(keys: Keys, alg: str, name: str) -> None:
    assert verify(forge(getattr(keys, name), alg), keys) == ACCEPTED


def test_a_library_signed_assertion_is_accepted(keys: Keys) -> None:
    token = jws.serialize_compact({"alg": "ES256", "kid": "p256"}, json.dumps(claims()), keys.p256)
    assert verify(token, keys) == ACCEPTED


@pytest.mark.parametrize(
    "typ",
    [DROP, "JWT", "jwt", "client-authentication+jwt", "application/client-authentication+jwt"],
)
def test_typ_is_optional_and_may_say_jwt(keys: Keys, typ: object) -> None:
    assert verify(forge(keys.rsa, typ=typ), keys) == ACCEPTED


@pytest.mark.parametrize("typ", ["dpop+jwt", "at+jwt", "oauth-authz-req+jwt", 5, None])
def test_other_types_are_refused(keys: Keys, typ: object) -> None:
    refused("typ not allowed", forge(keys.rsa, typ=typ), keys)


def test_either_audience_in_a_string_or_a_list_and_unknown_claims_pass(keys: Keys) -> None:
    for aud in (ISSUER, [ISSUER], ["https://elsewhere.test", TOKEN_URL]):
        payload = claims(aud=aud, iat=DROP, extra={"nested": [1, 2]}, nbf=NOW)
        assert verify(forge(keys.p384, "ES384", payload), keys) == ACCEPTED


@pytest.mark.parametrize(
    "assertion",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.",
        ".b.c",
        "a+b.c.d",
        "a.b/c.d",
        "a.b.c=",
        '{"payload": "x"}',
    ],
)
def test_only_compact_jws_is_read(keys: Keys, assertion: str) -> None:
    refused("not a compact JWS", assertion, keys)
    assert claimed_client(assertion) is None


def test_segments_must_be_base64url(keys: Keys) -> None:
    refused("not base64url", "a.bcde.fghi", keys)
    assert claimed_client("abcd.e.fghi") is None


def test_length_is_bounded(keys: Keys) -> None:
    assert verify(forge(keys.rsa, payload=claims(filler="x" * 5000)), keys) == ACCEPTED
    too_long = forge(keys.rsa, payload=claims(filler="x" * 7000))
    assert len(too_long) > 8192
    refused("not an assertion", too_long, keys)
    assert claimed_client(too_long) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("jku", "https://attacker.test/jwks"),
        ("x5u", "https://attacker.test/cert"),
        ("x5c", ["MIIB"]),
        ("crit", ["exp"]),
        ("b64", False),
        ("cty", "JWT"),
        ("zip", "DEF"),
    ],
)
def test_header_holds_only_alg_kid_and_typ(keys: Keys, name: str, value: object) -> None:
    refused("header parameters", forge(keys.rsa, "RS256", **{name: value}), keys)


def test_an_embedded_jwk_is_refused(keys: Keys) -> None:
    refused("header parameters", forge(keys.rsa, jwk=public(keys.rsa)), keys)


def test_header_must_be_a_json_object(keys: Keys) -> None:
    good = forge(keys.rsa).split(".")
    refused("header is not JSON", ".".join([b64("not json"), *good[1:]]), keys)
    refused("header parameters", ".".join([b64('["alg"]'), *good[1:]]), keys)


def test_alg_none_is_refused(keys: Keys) -> None:
    unsigned = f"{b64(json.dumps({'alg': 'none', 'kid': 'rsa'}))}.{b64(json.dumps(claims()))}"
    refused("not a compact JWS", unsigned + ".", keys)
    refused("alg not allowed", unsigned + "." + b64("x"), keys)


def test_hmac_signed_with_the_public_key_is_refused(keys: Keys) -> None:
    """Algorithm confusion: the public key's PEM bytes used as an HMAC secret."""
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'kid': 'rsa'}))}.{b64(json.dumps(claims()))}"
    secret = keys.rsa.as_pem(private=False)
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    refused("alg not allowed", f"{signing_input}.{b64(mac)}", keys)


@pytest.mark.parametrize("alg", ["PS256", "RS512"])
def test_other_asymmetric_algorithms_are_refused(keys: Keys, alg: str) -> None:
    refused("alg not allowed", forge(keys.rsa, alg), keys)


@pytest.mark.parametrize("kid", [DROP, "", 7, None])
def test_kid_is_required(keys: Keys, kid: object) -> None:
    refused("kid missing", forge(keys.rsa, kid=kid), keys)


def test_kid_must_be_in_the_set(keys: Keys) -> None:
    refused("kid selects 0 keys", forge(keys.rsa, kid="rotated-away"), keys)


def test_kid_must_select_exactly_one_key(keys: Keys) -> None:
    twice = {"keys": [public(keys.rsa), public(keys.rsa)]}
    refused("kid selects 2 keys", forge(keys.rsa), keys, twice)


def test_a_malformed_client_key_set_refuses(keys: Keys) -> None:
    refused("client key set malformed", forge(keys.rsa), keys, {"keys": "rsa"})


def test_another_key_under_the_same_kid_is_refused(keys: Keys) -> None:
    refused("BadSignatureError", forge(keys.impostor), keys)


def test_a_changed_payload_breaks_the_signature(keys: Keys) -> None:
    header, _, signature = forge(keys.p256, "ES256").split(".")
    changed = b64(json.dumps(claims(sub=CLIENT, jti="another")))
    refused("BadSignatureError", f"{header}.{changed}.{signature}", keys)


@pytest.mark.parametrize(
    ("signer", "alg", "kid"),
    [
        ("rsa", "RS256", "p256"),  # an EC key named by an RS256 header
        ("p256", "ES256", "rsa"),  # an RSA key named by an ES256 header
        ("p384", "ES384", "p256"),  # a P-256 key named by an ES384 header
        ("p256", "ES256", "p384"),  # a P-384 key named by an ES256 header
    ],
)
def test_key_type_must_fit_alg(keys: Keys, signer: str, alg: str, kid: str) -> None:
    refused("key type does not fit alg", forge(getattr(keys, signer), alg, kid=kid), keys)


def test_the_key_s_own_alg_must_be_the_header_s(keys: Keys) -> None:
    stated = {"keys": [public(keys.rsa, alg="RS384")]}
    refused("key states another alg", forge(keys.rsa, "RS256"), keys, stated)
    assert verify(forge(keys.rsa, "RS384"), keys, stated) == ACCEPTED


def test_the_selected_key_must_be_usable(keys: Keys) -> None:
    private = {"keys": [dict(keys.rsa.as_dict(private=True))]}
    refused("key is a private key", forge(keys.rsa), keys, private)
    refused(
        "key is not a signing key", forge(keys.rsa), keys, {"keys": [public(keys.rsa, use="enc")]}
    )


@pytest.mark.parametrize(
    "payload",
    [claims(iss="client-8"), claims(sub="client-8"), claims(iss="client-8", sub="client-8")],
)
def test_iss_and_sub_are_the_client(keys: Keys, payload: dict[str, Any]) -> None:
    refused("iss or sub is not the client", forge(keys.rsa, payload=payload), keys)


@pytest.mark.parametrize(
    "aud", ["https://elsewhere.test/token", [], ["https://a.test", "https://b.test"]]
)
def test_aud_must_name_this_server(keys: Keys, aud: object) -> None:
    refused("aud names another server", forge(keys.rsa, payload=claims(aud=aud)), keys)


@pytest.mark.parametrize(
    "payload",
    [
        claims(exp=DROP),
        claims(exp=float(NOW + 60)),
        claims(exp=str(NOW + 60)),
        claims(exp=True),
        claims(jti=DROP),
        claims(jti=12345),
        claims(iss=DROP),
        claims(aud=DROP),
        claims(iat="now"),
        claims(nbf=1.5),
        ["not", "an", "object"],
    ],
)
def test_required_claims_and_their_types(keys: Keys, payload: object) -> None:
    refused("ValidationError", forge(keys.rsa, payload=payload), keys)


def test_expired_with_leeway(keys: Keys) -> None:
    late = NOW - LEEWAY_SECONDS
    refused("expired", forge(keys.rsa, payload=claims(exp=late, iat=late - 60)), keys)
    payload = claims(exp=late + 1, iat=late - 60)
    assert verify(forge(keys.rsa, payload=payload), keys).expires_at == late + 1


def test_lifetime_is_bounded_from_now(keys: Keys) -> None:
    far = NOW + MAX_LIFETIME_SECONDS
    refused("lives too long", forge(keys.rsa, payload=claims(exp=far + 1, iat=DROP)), keys)
    assert verify(forge(keys.rsa, payload=claims(exp=far, iat=DROP)), keys).expires_at == far


def test_lifetime_is_bounded_from_iat(keys: Keys) -> None:
    payload = claims(iat=NOW - 100, exp=NOW + MAX_LIFETIME_SECONDS - 99)
    refused("exp too far after iat", forge(keys.rsa, payload=payload), keys)
    assert verify(forge(keys.rsa, payload=claims(iat=NOW - 100, exp=NOW + 200)), keys)


def test_iat_not_in_the_future(keys: Keys) -> None:
    ahead = NOW + LEEWAY_SECONDS
    refused("iat in the future", forge(keys.rsa, payload=claims(iat=ahead + 1)), keys)
    assert verify(forge(keys.rsa, payload=claims(iat=ahead)), keys) == ACCEPTED


def test_iat_not_stale(keys: Keys) -> None:
    oldest = NOW - MAX_LIFETIME_SECONDS - LEEWAY_SECONDS
    refused("iat too old", forge(keys.rsa, payload=claims(iat=oldest - 1)), keys)


def test_nbf_not_in_the_future(keys: Keys) -> None:
    ahead = NOW + LEEWAY_SECONDS
    refused("not yet valid", forge(keys.rsa, payload=claims(nbf=ahead + 1)), keys)
    assert verify(forge(keys.rsa, payload=claims(nbf=ahead)), keys) == ACCEPTED


@pytest.mark.parametrize("jti", ["", "x" * 201, "nul\x00byte", "line\nbreak"])
def test_jti_is_short_and_printable(keys: Keys, jti: str) -> None:
    refused(
        "jti missing, too long or not printable", forge(keys.rsa, payload=claims(jti=jti)), keys
    )


def test_jti_of_200_characters_is_accepted(keys: Keys) -> None:
    assert verify(forge(keys.rsa, payload=claims(jti="j" * 200)), keys).jti == "j" * 200


def test_claimed_client_reads_iss_without_verifying(keys: Keys) -> None:
    assert claimed_client(forge(keys.impostor)) == CLIENT  # not verified: any signature will do
    assert claimed_client(forge(keys.rsa, payload=claims(iss="client-8"))) is None
    assert claimed_client(forge(keys.rsa, payload=claims(sub=DROP))) is None
    assert claimed_client(forge(keys.rsa, payload=claims(iss=7, sub=7))) is None
    assert claimed_client(forge(keys.rsa, payload=claims(iss="", sub=""))) is None
    assert claimed_client(forge(keys.rsa, payload=["iss", "sub"])) is None
    header, _, signature = forge(keys.rsa).split(".")
    assert claimed_client(f"{header}.{b64('not json')}.{signature}") is None
    not_utf8 = b64(bytes([0xFF, 0xFE]))
    assert claimed_client(f"{header}.{not_utf8}.{signature}") is None


# public_jwks_problem -------------------------------------------------------------------


def test_a_good_key_set_has_no_problem(keys: Keys) -> None:
    assert public_jwks_problem(keys.jwks()) is None
    stated = {"keys": [public(keys.rsa, alg="RS384", use="sig"), public(keys.p256, alg="ES256")]}
    assert public_jwks_problem(stated) is None


@pytest.mark.parametrize("jwks", [None, "keys", [], {"keys": "x"}, {"keys": {"kid": "a"}}, {}])
def test_key_set_must_be_an_object_with_a_list(jwks: object) -> None:
    assert public_jwks_problem(jwks) == 'The key set must be a JSON object with a "keys" list.'


def test_key_set_holds_one_to_ten_keys(keys: Keys) -> None:
    assert public_jwks_problem({"keys": []}) == "The key set must hold 1 to 10 keys."
    many = [public(keys.p256, kid=f"k{i}") for i in range(11)]
    assert public_jwks_problem({"keys": many}) == "The key set must hold 1 to 10 keys."
    assert public_jwks_problem({"keys": many[:10]}) is None


def _short_rsa() -> dict[str, Any]:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - on purpose
    numbers = weak.public_key().public_numbers()
    return {"kty": "RSA", "kid": "short", "n": b64(numbers.n.to_bytes(128, "big")), "e": "AQAB"}


def test_key_problems(keys: Keys) -> None:
    good = public(keys.rsa)
    off_curve = public(keys.p256, y=public(keys.p256)["x"])
    cases: list[tuple[object, str]] = [
        (dict(keys.rsa.as_dict(private=True)), "keys[1] is a private key."),
        (dict(keys.p256.as_dict(private=True)), "keys[1] is a private key."),
        ({**public(keys.p256), "d": "AAAA"}, "keys[1] is a private key."),
        (
            dict(OctKey.generate_key(256, {"kid": "o"}).as_dict(private=True)),
            "keys[1] is a symmetric (oct) key.",
        ),
        (public(keys.p256, kid="rsa"), "keys[1] repeats the kid of an earlier key."),
        ({k: v for k, v in public(keys.p256).items() if k != "kid"}, "keys[1] has no kid."),
        (public(keys.p256, kid=""), "keys[1] has no kid."),
        (_short_rsa(), "keys[1] is an RSA key shorter than 2048 bits."),
        (public(keys.rsa, kid="no-n", n=DROP), "keys[1] is an RSA key shorter than 2048 bits."),
        (
            dict(ECKey.generate_key("P-521", {"kid": "p521"}).as_dict()),
            "keys[1] uses a curve other than P-256 and P-384.",
        ),
        (
            dict(OKPKey.generate_key("Ed25519", {"kid": "ed"}).as_dict()),
            "keys[1] is neither an RSA nor an EC key.",
        ),
        (public(keys.p256, alg="ES384"), "keys[1] states an alg it cannot be used with."),
        (public(keys.p384, alg="RS256"), "keys[1] states an alg it cannot be used with."),
        (public(keys.p256, alg="HS256"), "keys[1] states an alg it cannot be used with."),
        (public(keys.p256, use="enc"), "keys[1] is not a signing key."),
        (off_curve, "keys[1] is not a valid key."),
        ("a key", "keys[1] is not a JSON object."),
    ]
    for key, problem in cases:
        if isinstance(key, dict):
            key = {k: v for k, v in key.items() if v is not DROP}
        assert public_jwks_problem({"keys": [good, key]}) == problem, problem
