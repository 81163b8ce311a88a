"""Jellyseerr's (Seerr's) Radarr and Sonarr servers, as its settings list them.

``GET /api/v1/settings/radarr`` and ``…/sonarr`` answer a list of
``RadarrSettings``/``SonarrSettings``: ``name``, ``hostname``, ``port``,
``useSsl``, ``baseUrl``, ``is4k`` and more, the server's
``apiKey`` among them, which is never read here. Seerr reaches a server at
``http[s]://{hostname}:{port}{baseUrl}`` (``ServarrBase.buildUrl``), so that
is what a URL we are given is compared with. Facts and tags:
``tests/fakes/UPSTREAM.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .fields import PayloadError, as_int, optional_bool, optional_str, require_object

_DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_SYNTAX = frozenset("/?#@ ")

# Scheme, lower-case host, port (the default one filled in), path without a trailing slash.
type Address = tuple[str, str, int, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class SeerrServer:
    """One Radarr or Sonarr that Jellyseerr sends requests to."""

    name: str | None
    address: Address
    is_4k: bool


def address_of(url: str) -> Address | None:
    """Normalise a URL for comparison; None when it is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return (
        scheme,
        parts.hostname.rstrip(".").lower(),
        port or _DEFAULT_PORTS[scheme],
        parts.path.rstrip("/"),
    )


def parse_servers(payload: object) -> tuple[SeerrServer, ...]:
    """Read the list; a server without a usable host or port is left out."""
    if not isinstance(payload, list):
        raise PayloadError("Jellyseerr's servers must be a JSON list")
    servers: list[SeerrServer] = []
    for item in payload:
        try:
            server = _server(require_object(item, "Jellyseerr server"))
        except PayloadError:
            continue
        if server is not None:
            servers.append(server)
    return tuple(servers)


def server_at(servers: tuple[SeerrServer, ...], url: str) -> SeerrServer | None:
    """Find the server Jellyseerr reaches at this URL, if it has one."""
    if (address := address_of(url)) is None:
        return None
    return next((s for s in servers if s.address == address), None)


def _server(body: dict[str, Any]) -> SeerrServer | None:
    host = optional_str(body, "hostname")
    port = as_int(body.get("port"), "port")
    if host is None or port is None or not 0 < port < 65536:
        return None
    scheme = "https" if optional_bool(body, "useSsl") else "http"
    base = optional_str(body, "baseUrl") or ""
    if _URL_SYNTAX & set(host) or {"?", "#"} & set(base):
        # Not a URL Seerr could build; it would read as another address.
        return None
    if base and not base.startswith("/"):
        base = f"/{base}"
    address = address_of(f"{scheme}://{_bracketed(host)}:{port}{base}")
    if address is None:
        return None
    return SeerrServer(
        name=optional_str(body, "name"),
        address=address,
        is_4k=optional_bool(body, "is4k"),
    )


def _bracketed(host: str) -> str:
    """Write an IPv6 address as a URL holds it, in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
