"""Client addresses: forwarding headers count only when the peer is a trusted proxy."""

from __future__ import annotations

import ipaddress

import pytest

from service.security.clients import UNKNOWN, client_address, parse_address

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("203.0.113.7", "198.51.100.9", ()) == "203.0.113.7"


def test_an_untrusted_peer_cannot_spoof_its_address() -> None:
    for spoof in ("198.51.100.9", "10.0.0.1", "127.0.0.1", "198.51.100.9, 10.0.0.3"):
        assert client_address("203.0.113.7", spoof, PROXIES) == "203.0.113.7"


def test_a_trusted_peer_is_believed() -> None:
    assert client_address("10.0.0.2", "198.51.100.9", PROXIES) == "198.51.100.9"


def test_the_rightmost_untrusted_hop_wins_over_what_the_client_wrote() -> None:
    # The client wrote the first two entries; our proxies appended the rest.
    header = "6.6.6.6, 10.9.9.9, 198.51.100.9, 10.0.0.3"
    assert client_address("10.0.0.2", header, PROXIES) == "198.51.100.9"


def test_malformed_entries_are_skipped() -> None:
    header = "not-an-ip, 999.1.1.1, , unknown, 198.51.100.9, 10.0.0.3"
    assert client_address("10.0.0.2", header, PROXIES) == "198.51.100.9"
    assert client_address("10.0.0.2", "garbage, ,", PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", "", PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", None, PROXIES) == "10.0.0.2"


def test_when_every_hop_is_a_proxy_the_leftmost_is_the_client() -> None:
    assert client_address("10.0.0.2", "10.1.1.1, 10.0.0.3", PROXIES) == "10.1.1.1"


def test_ipv6_peers_and_hops() -> None:
    assert client_address("fd00::1", "2001:DB8::1", PROXIES) == "2001:db8::1"
    assert client_address("fd00::1", "[2001:db8::2]:443, fd00::9", PROXIES) == "2001:db8::2"
    assert client_address("2001:db8::5", "198.51.100.9", PROXIES) == "2001:db8::5"


def test_ipv4_mapped_addresses_are_reported_and_trusted_as_ipv4() -> None:
    assert client_address("::ffff:10.0.0.2", "198.51.100.9", PROXIES) == "198.51.100.9"
    assert client_address("::ffff:203.0.113.7", "198.51.100.9", PROXIES) == "203.0.113.7"


def test_a_peer_that_is_not_an_ip_address_is_never_trusted() -> None:
    assert client_address(None, "198.51.100.9", PROXIES) == UNKNOWN
    assert client_address("testclient", "198.51.100.9", PROXIES) == "testclient"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("198.51.100.9", "198.51.100.9"),
        (" 198.51.100.9:8080 ", "198.51.100.9"),
        ('"[2001:db8::1]:443"', "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("198.51.100.9:", None),
        ("198.51.100.9:port", None),
        ("198.51.100.9:\u0663", None),  # an Arabic-Indic digit is not a port
        ("[2001:db8::1", None),
        ("[2001:db8::1]x", None),
        ("2001:db8::1:443x", None),
        ("", None),
    ],
)
def test_parse_address(entry: str, expected: str | None) -> None:
    parsed = parse_address(entry)
    assert (None if parsed is None else str(parsed)) == expected
