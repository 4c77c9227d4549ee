"""What the password strength rule costs at worst, and what it refuses and accepts.

Usage (from the repository root)::

    uv run python bench/password_strength.py [--runs 3]

For each length it times zxcvbn alone on a few hundred inputs (random printable, digits, words,
words in l33t, runs of l33t characters such as ``4@8({[<3!1|0``, repeats, sequences, keyboard
walks) and prints the worst, each input's time being the best of ``--runs`` (the least
disturbed by other work). Then the same for the whole :func:`check_password` on passwords of
128 code points, the longest allowed, which shows what bounding the estimated prefix buys.
Last, the verdict on a few passwords people pick and a few they should be able to.
Nothing here is asserted by the test suite: the times belong to the machine.
"""

from __future__ import annotations

import argparse
import random
import string
import time
from collections.abc import Callable

from zxcvbn import zxcvbn

from service.security.password_policy import check_password, estimated_part

LEET = "4@8({[<3!1|0$5+7%269"
WORDS = ["correct", "horse", "battery", "staple", "password", "monkey", "dragon", "summer"]
KNOWN = {"email": "admin@hospital.com", "organization_name": "City General Hospital"}
REFUSED = ["123456789012", "aaaaaaaaaaaa", "abcdefghijkl", "1qaz2wsx3edc", "Password123!",
           "qwertyuiopasdfghjkl", "password password password", "Password123Password123",
           "abc123abc123abc123", "admin@hospital.com1", "City General Hospital 1"]  # fmt: skip
ACCEPTED = ["SecurePass123!", "correct horse battery staple", "my cat likes warm windowsills",
            "a long walk by the river", "Tr0ub4dour&3 horse", "rainy tuesday morning walk",
            "8|@%%8{082|5[@2!%(4+4%($%{<{3|350@1{05@0|405$|$34%|1<!$25{%{72[@"]  # fmt: skip


def inputs(length: int, rng: random.Random) -> list[tuple[str, str]]:
    def drawn(alphabet: str) -> str:
        return "".join(rng.choice(alphabet) for _ in range(length))

    def leet_words() -> str:
        table = str.maketrans("aoesi", "@0$31")
        return "".join(rng.choice(WORDS).translate(table) for _ in range(length))[:length]

    found = [("random printable", drawn(string.printable[:94])) for _ in range(100)]
    found += [("l33t characters", drawn(LEET)) for _ in range(100)]
    found += [("digits", drawn(string.digits)) for _ in range(20)]
    found += [("l33t words", leet_words()) for _ in range(20)]
    found += [("words", "".join(rng.choice(WORDS) for _ in range(length))[:length])]
    runs = (
        ("l33t run", LEET),
        ("repeat", "a"),
        ("sequence", string.ascii_lowercase),
        ("keyboard walk", "qwertyuiopasdfghjklzxcvbnm"),
        ("digit run", "1234567890"),
    )
    for kind, seed in runs:
        found.append((kind, (seed * length)[:length]))
    return found


def worst(run: Callable[[str], object], passwords: list[tuple[str, str]], runs: int) -> str:
    slowest, kind = 0.0, ""
    for name, password in passwords:
        seconds = min(_timed(run, password) for _ in range(runs))
        slowest, kind = max((slowest, kind), (seconds, name))
    return f"{slowest * 1000:7.1f} ms  ({kind})"


def _timed(run: Callable[[str], object], password: str) -> float:
    started = time.perf_counter()
    run(password)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    rng = random.Random(7)
    for length in (12, 16, 20, 24, 32, 48, 64):
        print(f"zxcvbn alone, {length:3} code points: {worst(zxcvbn, inputs(length, rng), runs)}")

    def check(password: str) -> object:
        return check_password(password, min_length=12, names=("Admin", "User"), **KNOWN)

    print(f"check_password, 128 code points:   {worst(check, inputs(128, rng), runs)}")
    for verdict, passwords in (("refused", REFUSED), ("accepted", ACCEPTED)):
        for password in passwords:
            problems = check(password)
            seen = len(estimated_part(password))
            print(f"{'refused' if problems else 'accepted':9} {password!r} (judged on {seen})")
            if bool(problems) != (verdict == "refused"):
                print(f"          expected {verdict}: {problems}")


if __name__ == "__main__":
    main()
