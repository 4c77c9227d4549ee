"""Sign and verify rates of the candidate access-token algorithms, measured with joserfc.

Usage (from the repository root)::

    uv run python bench/jwt_algorithms.py [--seconds 1.0] [--runs 3]

The process pins itself to one CPU and counts its own CPU time. For EdDSA (Ed25519), ES256
(P-256) and RS256 (2048-bit) it signs a realistic access token (the header and claims the
service issues) and verifies it, each for ``--seconds`` of CPU per run, ``--runs`` runs.
The table shows the median operations per CPU second (one core) and the token's size.

Ed25519 is signed under its RFC 9864 name ``Ed25519`` (the signature is identical to ``EdDSA``
with an Ed25519 key; joserfc warns on every use of the older, polymorphic name).

Why it matters: every service that trusts these tokens verifies one on every request, while
signing happens only at login and refresh, which argon2 already limits to about a hundred a
second per instance.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from importlib import metadata

from joserfc import jws, jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.registry import Header

Key = ECKey | OKPKey | RSAKey

CANDIDATES: list[tuple[str, str, Callable[[], Key]]] = [
    ("EdDSA (Ed25519)", "Ed25519", lambda: OKPKey.generate_key("Ed25519")),
    ("ES256 (P-256)", "ES256", lambda: ECKey.generate_key("P-256")),
    ("RS256 (2048-bit)", "RS256", lambda: RSAKey.generate_key(2048)),
]


def claims() -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": "https://auth.example.org",
        "sub": str(uuid.uuid4()),
        "aud": "health-auth",
        "exp": now + 900,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "client_id": "health-auth",
        "org": str(uuid.uuid4()),
        "role": "member",
        "permissions": ["users.read", "roles.read", "fhir:Patient.read", "fhir:Patient.write"],
        "email": "someone@example.org",
        "fhirUser": "Practitioner/abc-123",
    }


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per CPU second of ``operation`` over about ``seconds`` of this thread's CPU.

    CPU time rather than wall time: other processes sharing the core do not count against
    the figure (they still disturb caches, so a quiet machine gives steadier numbers).
    """
    done = 0
    started = time.thread_time()
    deadline = started + seconds
    while True:
        for _ in range(50):
            operation()
        done += 50
        now = time.thread_time()
        if now >= deadline:
            return done / (now - started)


def measure(alg: str, key: Key, seconds: float, runs: int) -> tuple[float, float, int]:
    header: Header = {"alg": alg, "typ": "at+jwt", "kid": key.thumbprint()}
    body = claims()
    public = key.__class__.import_key(key.as_dict(private=False))
    token = jwt.encode(header, body, key, algorithms=[alg], default_type=None)

    def sign() -> object:
        return jwt.encode(header, body, key, algorithms=[alg], default_type=None)

    def verify() -> object:
        return jws.deserialize_compact(token, public, algorithms=[alg])

    assert jwt.decode(token, public, algorithms=[alg]).claims == body
    sign_rates = [rate(sign, seconds) for _ in range(runs)]
    verify_rates = [rate(verify, seconds) for _ in range(runs)]
    return statistics.median(sign_rates), statistics.median(verify_rates), len(token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(
        f"joserfc {metadata.version('joserfc')}, cryptography {metadata.version('cryptography')},"
        f" Python {platform.python_version()}, one core, median of {args.runs} runs"
        f" of {args.seconds:g} CPU s\n"
    )
    print(f"{'algorithm':<18} {'sign/s':>9} {'verify/s':>9} {'token bytes':>12}")
    for label, alg, generate in CANDIDATES:
        signs, verifies, size = measure(alg, generate(), args.seconds, args.runs)
        print(f"{label:<18} {signs:>9,.0f} {verifies:>9,.0f} {size:>12}")


if __name__ == "__main__":
    main()
