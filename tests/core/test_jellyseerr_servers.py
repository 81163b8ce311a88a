"""Jellyseerr's server list, read defensively: odd settings are left out, never a crash."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.media_request_tracker.core.parsers.fields import PayloadError
from custom_components.media_request_tracker.core.parsers.jellyseerr_servers import (
    address_of,
    parse_servers,
    server_at,
)

RADARR_4K = {
    "id": 1,
    "name": "Radarr 4K",
    "hostname": "radarr4k",
    "port": 7879,
    "apiKey": "radarr-4k-key",
    "useSsl": False,
    "baseUrl": "/radarr",
    "is4k": True,
    "isDefault": True,
}

fields = st.fixed_dictionaries(
    {},
    optional={
        "name": st.none() | st.text(max_size=12) | st.integers(),
        "hostname": st.none() | st.text(max_size=20) | st.integers(),
        "port": st.none() | st.integers() | st.text(max_size=6) | st.floats(),
        "useSsl": st.none() | st.booleans() | st.text(max_size=5),
        "baseUrl": st.none() | st.text(max_size=12) | st.booleans(),
        "is4k": st.none() | st.booleans() | st.text(max_size=5),
    },
)


@settings(max_examples=300, deadline=None)
@given(body=st.lists(fields | st.integers() | st.none(), max_size=4), url=st.text())
def test_any_list_is_read_or_its_odd_servers_left_out(body: list, url: str) -> None:
    servers = parse_servers(body)
    assert len(servers) <= len(body)
    server_at(servers, url)


@pytest.mark.parametrize("body", [None, {}, "[]", 3])
def test_an_answer_that_is_not_a_list_is_rejected(body: object) -> None:
    with pytest.raises(PayloadError):
        parse_servers(body)


@pytest.mark.parametrize(
    "changed",
    [
        {"hostname": ""},
        {"hostname": "radarr4k/other"},
        {"hostname": "user@radarr4k"},
        {"baseUrl": "/radarr?x=1"},
        {"port": None},
        {"port": 0},
        {"port": 70000},
        {"port": "x"},
    ],
)
def test_a_server_without_a_usable_host_or_port_is_left_out(changed: dict) -> None:
    assert parse_servers([RADARR_4K | changed]) == ()


@pytest.mark.parametrize("base", ["radarr", "/radarr/", "/radarr"])
def test_a_base_url_matches_with_or_without_its_slashes(base: str) -> None:
    servers = parse_servers([RADARR_4K | {"baseUrl": base}])
    assert server_at(servers, "http://RadArr4k:7879/radarr/") is not None


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://Host.Lan", ("http", "host.lan", 80, "")),
        ("https://host.lan./", ("https", "host.lan", 443, "")),
        ("https://[::1]:8443/x/", ("https", "::1", 8443, "/x")),
        ("ftp://host", None),
        ("http://", None),
        ("http://host:99999", None),
        ("http://[::1", None),
    ],
)
def test_addresses_are_compared_normalised(url: str, address: tuple | None) -> None:
    assert address_of(url) == address
